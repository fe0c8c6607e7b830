"""keys.kek: the key-encryption key from a 0600 file or an environment variable."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from keys.algorithms import AeadError
from keys.errors import KekError, KeyFilePermissions
from keys.kek import create_kek_file, encode_kek, kek_from_env, kek_from_file, load_kek

KEY = bytes(range(32))


def test_when_a_kek_file_is_created_then_0600_base64_and_readable(tmp_path: Path) -> None:
    path = tmp_path / "kek"
    kek = create_kek_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(base64.b64decode(path.read_text().strip(), validate=True)) == 32
    again = kek_from_file(path)
    assert again.unwrap(kek.wrap(b"material", b"ad"), b"ad") == b"material"
    assert str(path) in again.source


def test_when_the_kek_file_is_readable_by_others_then_refused(tmp_path: Path) -> None:
    path = tmp_path / "kek"
    create_kek_file(path)
    path.chmod(0o644)
    with pytest.raises(KeyFilePermissions, match=str(path)):
        kek_from_file(path)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"not base64 at all!", "not base64"),
        (base64.b64encode(b"short") + b"\n", "holds 5 bytes"),
        (b"", "holds 0 bytes"),
    ],
)
def test_when_the_kek_file_is_malformed_then_kek_error_names_it(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "kek"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(KekError, match=problem) as caught:
        kek_from_file(path)
    assert str(path) in str(caught.value)


def test_when_the_kek_file_is_missing_then_kek_error(tmp_path: Path) -> None:
    with pytest.raises(KekError, match="no such file"):
        kek_from_file(tmp_path / "absent")


def test_when_the_kek_comes_from_the_environment_then_it_wraps_like_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kek"
    path.write_text(encode_kek(KEY) + "\n")
    path.chmod(0o600)
    from_env = kek_from_env("GERBANG_TEST_KEK", {"GERBANG_TEST_KEK": encode_kek(KEY)})
    assert kek_from_file(path).unwrap(from_env.wrap(b"m", b"ad"), b"ad") == b"m"
    assert from_env.source == "environment variable GERBANG_TEST_KEK"


def test_when_the_variable_is_unset_empty_or_bad_then_kek_error_names_it() -> None:
    with pytest.raises(KekError, match="environment variable GERBANG_TEST_KEK is not set"):
        kek_from_env("GERBANG_TEST_KEK", {})
    with pytest.raises(KekError, match="is not set"):
        kek_from_env("GERBANG_TEST_KEK", {"GERBANG_TEST_KEK": "  "})
    with pytest.raises(KekError, match="GERBANG_TEST_KEK: holds 16 bytes"):
        kek_from_env("GERBANG_TEST_KEK", {"GERBANG_TEST_KEK": encode_kek(KEY[:16])})
    with pytest.raises(KekError, match="not an environment variable name"):
        kek_from_env("1BAD-NAME", {})


def test_when_unwrapping_with_another_kek_or_context_then_refused() -> None:
    kek = kek_from_env("K", {"K": encode_kek(KEY)})
    other = kek_from_env("K", {"K": encode_kek(bytes(32))})
    wrapped = kek.wrap(b"material", b"signing-1")
    with pytest.raises(AeadError):
        other.unwrap(wrapped, b"signing-1")
    with pytest.raises(AeadError):
        kek.unwrap(wrapped, b"token-1")


def test_when_loading_by_config_then_exactly_one_source(tmp_path: Path) -> None:
    with pytest.raises(KekError, match="exactly one"):
        load_kek()
    with pytest.raises(KekError, match="exactly one"):
        load_kek(file=tmp_path / "kek", env="K")
    create_kek_file(tmp_path / "kek")
    assert "kek" in load_kek(file=tmp_path / "kek").source


def test_when_a_kek_is_printed_then_only_its_source_shows(tmp_path: Path) -> None:
    kek = create_kek_file(tmp_path / "kek")
    material = base64.b64decode((tmp_path / "kek").read_text())
    assert material.hex() not in repr(kek)
    assert encode_kek(material) not in repr(kek)
