"""Fixtures for keys/ tests: a KEK file and a keyring in a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from keys.kek import LocalKek, create_kek_file
from keys.keyring import Keyring


@pytest.fixture
def kek_file(tmp_path: Path) -> Path:
    path = tmp_path / "kek"
    create_kek_file(path)
    return path


@pytest.fixture
def kek(kek_file: Path) -> LocalKek:
    from keys.kek import kek_from_file

    return kek_from_file(kek_file)


@pytest.fixture
def keyring_dir(tmp_path: Path) -> Path:
    return tmp_path / "keyring"


@pytest.fixture
def keyring(keyring_dir: Path, kek: LocalKek) -> Keyring:
    return Keyring.create(keyring_dir, kek)
