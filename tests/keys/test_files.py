"""keys.files: secret files are written 0600 atomically and refused when others can read them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from keys.errors import KeyFilePermissions, KeysError
from keys.files import read_secret_file, write_secret_file


def test_when_writing_a_secret_file_then_mode_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    old = os.umask(0)
    try:
        write_secret_file(path, b"data")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_secret_file(path) == b"data"
    assert [p.name for p in tmp_path.iterdir()] == ["secret"]  # no temporary file left


def test_when_the_file_exists_then_not_overwritten_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    write_secret_file(path, b"one")
    with pytest.raises(KeysError, match=f"{path}: already exists"):
        write_secret_file(path, b"two")
    assert read_secret_file(path) == b"one"
    write_secret_file(path, b"two", overwrite=True)
    assert read_secret_file(path) == b"two"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o606])
def test_when_group_or_others_have_any_bit_then_refused_naming_the_file(
    tmp_path: Path, mode: int
) -> None:
    path = tmp_path / "secret"
    write_secret_file(path, b"data")
    path.chmod(mode)
    with pytest.raises(KeyFilePermissions, match=f"{path}: permissions {mode:04o}.*chmod 600"):
        read_secret_file(path)


def test_when_owner_only_stricter_modes_then_accepted(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    write_secret_file(path, b"data")
    path.chmod(0o400)
    assert read_secret_file(path) == b"data"


def test_when_missing_or_a_directory_then_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(KeysError, match="no such file"):
        read_secret_file(tmp_path / "absent")
    directory = tmp_path / "dir"
    directory.mkdir(mode=0o700)
    with pytest.raises(KeysError, match=f"{directory}"):
        read_secret_file(directory)
