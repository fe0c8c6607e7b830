"""`gerbang keys ...` through gateway.cli.main: messages name files, output never holds material."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from gateway.cli import main
from keys.kek import encode_kek, kek_from_file
from keys.keyring import Keyring
from keys.publickeys import read_public_keys


def secrets_of(directory: Path, kek_file: Path) -> list[str]:
    """Every secret as the text forms a leak would take: hex and base64 (KEK included)."""
    keyring = Keyring.open(directory, kek_from_file(kek_file))
    materials = [keyring.get(i.purpose, i.version).material for i in keyring.list()]
    materials.append(base64.b64decode(kek_file.read_text()))
    return [form for m in materials for form in (m.hex(), base64.b64encode(m).decode())]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["keys", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_no_secrets(text: str, secrets: list[str]) -> None:
    leaked = [index for index, secret in enumerate(secrets) if secret in text]
    assert not leaked, f"secret forms {leaked} appear in the output"  # indexes, never values


def test_when_init_then_kek_file_and_keyring_are_created_and_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ring, kek = tmp_path / "ring", tmp_path / "kek"
    status, out, err = run(capsys, "init", "--dir", str(ring), "--kek-file", str(kek))
    assert status == 0, err
    assert f"{kek}: wrote a new key-encryption key (mode 0600)" in out
    assert f"{ring / 'keyring.json'}: created keyring with signing-1, pseudonym-1, token-1" in out
    assert kek.stat().st_mode & 0o777 == 0o600
    assert_no_secrets(out + err, secrets_of(ring, kek))


def test_when_init_with_an_existing_kek_file_then_it_is_used_not_replaced(
    tmp_path: Path, kek_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = kek_file.read_bytes()
    status, out, _ = run(capsys, "init", "--dir", str(tmp_path / "r"), "--kek-file", str(kek_file))
    assert status == 0
    assert "wrote a new key-encryption key" not in out
    assert kek_file.read_bytes() == before


def test_when_init_twice_then_refused_naming_the_keyring(
    tmp_path: Path, kek_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("init", "--dir", str(tmp_path / "r"), "--kek-file", str(kek_file))
    assert run(capsys, *args)[0] == 0
    status, _, err = run(capsys, *args)
    assert status == 2
    assert f"{tmp_path / 'r' / 'keyring.json'}: a keyring already exists" in err


def test_when_rotate_and_list_then_versions_show_and_material_never_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ring, kek = tmp_path / "ring", tmp_path / "kek"
    outputs = [run(capsys, "init", "--dir", str(ring), "--kek-file", str(kek))]
    monkeypatch.setenv("GERBANG_TEST_KEK", kek.read_text().strip())
    env_args = ("--dir", str(ring), "--kek-env", "GERBANG_TEST_KEK")
    outputs.append(run(capsys, "rotate", "signing", *env_args))
    assert outputs[-1][0] == 0
    assert "signing-2 is now the current signing key" in outputs[-1][1]
    assert "gerbang keys export-public" in outputs[-1][1]
    outputs.append(run(capsys, "rotate", "token", *env_args))
    outputs.append(run(capsys, "list", *env_args))
    status, out, _ = outputs[-1]
    assert status == 0
    rows = [line.split() for line in out.splitlines()[1:]]
    assert out.splitlines()[0].split() == ["KEY", "ID", "PURPOSE", "VERSION", "CREATED", "CURRENT"]
    assert [(row[0], row[1], row[2], row[4:]) for row in rows] == [
        ("signing-1", "signing", "1", []),
        ("signing-2", "signing", "2", ["yes"]),
        ("pseudonym-1", "pseudonym", "1", ["yes"]),
        ("token-1", "token", "1", []),
        ("token-2", "token", "2", ["yes"]),
    ]
    outputs.append(run(capsys, "list", "--json", *env_args))
    listed = [json.loads(line) for line in outputs[-1][1].splitlines()]
    assert [(k["key_id"], k["current"]) for k in listed] == [
        ("signing-1", False),
        ("signing-2", True),
        ("pseudonym-1", True),
        ("token-1", False),
        ("token-2", True),
    ]
    assert set(listed[0]) == {"key_id", "purpose", "version", "created", "current"}
    secrets = secrets_of(ring, kek)
    for _, out, err in outputs:
        assert_no_secrets(out + err, secrets)


def test_when_export_public_then_auditors_get_the_public_keys_only(
    tmp_path: Path, kek_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ring = tmp_path / "ring"
    args = ("--dir", str(ring), "--kek-file", str(kek_file))
    run(capsys, "init", *args)
    run(capsys, "rotate", "signing", *args)
    status, out, err = run(capsys, "export-public", *args)
    assert status == 0, err
    keyring = Keyring.open(ring, kek_from_file(kek_file))
    assert read_public_keys(out) == keyring.public_keys()
    target = tmp_path / "auditor" / "gerbang-public.json"
    target.parent.mkdir()
    status, out2, err2 = run(capsys, "export-public", *args, "--out", str(target))
    assert status == 0
    assert f"{target}: wrote 2 signing public key(s)" in err2
    assert read_public_keys(target.read_text()) == keyring.public_keys()
    assert_no_secrets(out + err + out2 + err2 + target.read_text(), secrets_of(ring, kek_file))


def test_when_the_keyring_is_0644_then_every_command_refuses_naming_the_file(
    tmp_path: Path, kek_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ring = tmp_path / "ring"
    args = ("--dir", str(ring), "--kek-file", str(kek_file))
    run(capsys, "init", *args)
    (ring / "keyring.json").chmod(0o644)
    for command in (("list",), ("rotate", "token"), ("export-public",)):
        status, out, err = run(capsys, *command, *args)
        assert status == 2
        assert out == ""
        assert err.startswith(f"gerbang keys: {ring / 'keyring.json'}: permissions 0644")
        assert "Traceback" not in err


def test_when_the_kek_file_is_0644_then_refused_naming_it(
    tmp_path: Path, kek_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ring = tmp_path / "ring"
    run(capsys, "init", "--dir", str(ring), "--kek-file", str(kek_file))
    kek_file.chmod(0o644)
    status, _, err = run(capsys, "list", "--dir", str(ring), "--kek-file", str(kek_file))
    assert status == 2
    assert f"{kek_file}: permissions 0644" in err
    assert "chmod 600" in err


def test_when_the_kek_is_wrong_then_one_clear_line_not_a_stack_trace(
    tmp_path: Path,
    kek_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ring = tmp_path / "ring"
    run(capsys, "init", "--dir", str(ring), "--kek-file", str(kek_file))
    monkeypatch.setenv("OTHER_KEK", encode_kek(bytes(range(32))))
    status, out, err = run(capsys, "list", "--dir", str(ring), "--kek-env", "OTHER_KEK")
    assert status == 2
    assert out == ""
    assert err == (
        f"gerbang keys: {ring / 'keyring.json'}: the key-encryption key from environment "
        "variable OTHER_KEK does not open this keyring (wrong key-encryption key, or the file "
        "was changed)\n"
    )


def test_when_the_kek_variable_is_missing_then_refused_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_KEK", raising=False)
    status, _, err = run(capsys, "init", "--dir", str(tmp_path / "r"), "--kek-env", "NO_SUCH_KEK")
    assert status == 2
    assert "environment variable NO_SUCH_KEK is not set" in err
    assert not (tmp_path / "r").exists()


def test_when_no_kek_source_or_an_unknown_purpose_then_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["keys", "list", "--dir", str(tmp_path)])
    assert exited.value.code == 2
    assert "--kek-file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["keys", "rotate", "kek", "--dir", str(tmp_path), "--kek-env", "X"])
    assert "invalid choice: 'kek'" in capsys.readouterr().err
