"""Fixtures of the audit tests: auditor and signing keys, a pristine log to copy and damage."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.audit.helpers import AuditorKeys, SigningKey, build_log


@pytest.fixture(scope="session")
def auditor() -> AuditorKeys:
    return AuditorKeys.generate()


@pytest.fixture(scope="session")
def signing() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, auditor, signing) -> Path:
    """A closed log of 3 segments x 6 records; never changed (copy it with `log_copy`)."""
    directory = tmp_path_factory.mktemp("pristine") / "audit"
    build_log(directory, auditor, signing)
    return directory


@pytest.fixture
def log_copy(pristine: Path, tmp_path: Path) -> Path:
    """A fresh copy of the pristine log for one test to damage."""
    target = tmp_path / "audit"
    shutil.copytree(pristine, target)
    return target
