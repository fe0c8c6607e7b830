"""`gerbang policy bundle`: a signed bundle built by the real `opa build`, for both engines."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gateway.cli import main
from policies import DEFAULT_BUNDLE
from policies.embedded import EmbeddedEngine
from policies.signing import load_verification_key
from policies.store import load_policy_files
from tests.policies.opa import opa_binary
from tests.policies.signed_bundles import (
    TESTER,
    Signing,
    members,
    opa_accepts,
    signing,
    write_key_pair,
)
from tests.policies.table import CITIZEN

__all__ = ["opa_binary", "signing"]

POLICY_MODULES = {"access.rego", "gerbang.rego", "masking.rego", "purpose.rego",
                  "specific_data.rego"}  # fmt: skip


def _bundle(*args: str | Path) -> list[str]:
    return ["policy", "bundle", *map(str, args)]


async def test_when_the_default_policy_is_bundled_then_both_engines_accept_it_under_its_revision(
    opa_binary: str, signing: Signing, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "gerbang.tar.gz"
    status = main(_bundle("--signing-key", signing.trusted.private, "--output", output,
                          "--opa", opa_binary))  # fmt: skip
    directory_revision = load_policy_files(DEFAULT_BUNDLE).revision

    assert status == 0, capsys.readouterr().err
    assert capsys.readouterr().out.strip() == (
        f"{output}: revision {directory_revision}, 5 modules, signed RS256"
    )
    files = members(output)
    assert set(files) == POLICY_MODULES | {"data.json", ".manifest", ".signatures.json"}
    assert json.loads(files[".manifest"])["revision"] == directory_revision
    assert opa_accepts(opa_binary, output, signing.trusted.public, tmp_path)
    engine = EmbeddedEngine(output, verification_key=load_verification_key(signing.trusted.public))
    try:
        # The revision the audit records name is the directory's, bundled or not.
        assert engine.revision == directory_revision
        assert (await engine.decide(CITIZEN)).allow is True
        assert (await engine.decide(TESTER)).allow is False
    finally:
        await engine.close()


def test_when_revision_and_es256_are_given_then_opa_verifies_and_tests_and_hidden_files_stay_out(
    opa_binary: str, signing: Signing, tmp_path: Path
) -> None:
    source = Path(shutil.copytree(DEFAULT_BUNDLE, tmp_path / "policy"))
    (source / ".draft.rego").write_text("package draft\n\nx := 1\n", encoding="utf-8")
    (source / "notes").mkdir()
    (source / "notes" / "extra_test.rego").write_text("package t\n", encoding="utf-8")
    output = tmp_path / "out.tar.gz"

    status = main(_bundle(source, "--signing-key", signing.ec.private, "--signing-alg", "ES256",
                          "--revision", "release-7", "-o", output,
                          "--opa", opa_binary))  # fmt: skip

    assert status == 0
    files = members(output)
    assert set(files) == POLICY_MODULES | {"data.json", ".manifest", ".signatures.json"}
    assert opa_accepts(opa_binary, output, signing.ec.public, tmp_path, algorithm="ES256")
    loaded = load_policy_files(output, verification_key=load_verification_key(signing.ec.public))
    assert loaded.revision == "release-7"


def test_when_opa_is_found_by_the_install_script_then_no_opa_option_is_needed(
    opa_binary: str, signing: Signing, tmp_path: Path
) -> None:
    assert main(_bundle("--signing-key", signing.trusted.private, "-o", tmp_path / "b.tar.gz")) == 0


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        ("missing key", "--signing-key {tmp}/absent.pem: cannot read: No such file or directory"),
        ("public key", "--signing-key {public}: not a PEM private key"),
        ("wrong key type", "--signing-key {private}: --signing-alg ES256 needs an EC key, not RSA"),
        ("missing opa", "--opa {tmp}/no-opa: no such executable"),
        ("missing folder", "--output {tmp}/absent/b.tar.gz: no such folder"),
        ("bad revision", "--revision: must be 1 to 128 printable characters"),
    ],
)
def test_when_an_input_is_missing_or_wrong_then_exit_2_names_it_and_nothing_is_written(
    opa_binary: str,
    signing: Signing,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    problem: str,
    message: str,
) -> None:
    output = tmp_path / "b.tar.gz"
    args: list[str | Path] = ["--signing-key", signing.trusted.private, "-o", output,
                              "--opa", opa_binary]  # fmt: skip
    if problem == "missing key":
        args[1] = tmp_path / "absent.pem"
    elif problem == "public key":
        args[1] = signing.trusted.public
    elif problem == "wrong key type":
        args += ["--signing-alg", "ES256"]
    elif problem == "missing opa":
        args[5] = tmp_path / "no-opa"
    elif problem == "missing folder":
        args[3] = tmp_path / "absent" / "b.tar.gz"
    else:
        args += ["--revision", "two\nlines"]

    assert main(_bundle(*args)) == 2
    err = capsys.readouterr().err
    expected = message.format(
        tmp=tmp_path, public=signing.trusted.public, private=signing.trusted.private
    )
    assert f"gerbang policy: {expected}" in err
    assert not output.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_when_opa_rejects_the_policy_then_exit_1_names_the_file_and_the_old_bundle_stays(
    opa_binary: str, signing: Signing, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = Path(shutil.copytree(DEFAULT_BUNDLE, tmp_path / "policy"))
    output = tmp_path / "b.tar.gz"
    args = _bundle(source, "--signing-key", signing.trusted.private, "-o", output,
                   "--opa", opa_binary)  # fmt: skip
    assert main(args) == 0
    before = output.read_bytes()
    (source / "access.rego").write_text("package gerbang\n\ngranted if {\n", encoding="utf-8")

    assert main(args) == 1
    assert "access.rego:4: rego_parse_error" in capsys.readouterr().err
    assert output.read_bytes() == before


def test_when_the_key_is_a_fresh_rsa_key_then_only_its_public_half_verifies(
    opa_binary: str, signing: Signing, tmp_path: Path
) -> None:
    pair = write_key_pair(tmp_path, "fresh")
    output = tmp_path / "b.tar.gz"
    assert main(_bundle("--signing-key", pair.private, "-o", output, "--opa", opa_binary)) == 0
    load_policy_files(output, verification_key=load_verification_key(pair.public))
    assert not opa_accepts(opa_binary, output, signing.trusted.public, tmp_path)
