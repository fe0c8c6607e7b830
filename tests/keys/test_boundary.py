"""keys/ is the only package that imports cryptography.hazmat (BSSN: algorithms in one place)."""

from __future__ import annotations

import re

from tests.conftest import REPO

HAZMAT = re.compile(r"^\s*(from\s+cryptography\.hazmat\b|import\s+cryptography\.hazmat\b)", re.M)
# Everything shipped or run besides keys/ (tests may use cryptography to build test fixtures).
PACKAGES = ("gateway", "pii", "policies", "audit", "bench", "scripts", "docker")


def test_when_the_source_tree_is_scanned_then_only_keys_imports_hazmat() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for package in PACKAGES
        for path in sorted((REPO / package).rglob("*.py"))
        if HAZMAT.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_when_keys_is_scanned_then_only_algorithms_imports_hazmat() -> None:
    importers = [
        path.name
        for path in sorted((REPO / "keys").rglob("*.py"))
        if HAZMAT.search(path.read_text())
    ]
    assert importers == ["algorithms.py"]


def test_when_the_pattern_is_given_import_forms_then_it_matches_them() -> None:
    for line in (
        "from cryptography.hazmat.primitives import hashes",
        "    import cryptography.hazmat.primitives.ciphers",
        "from cryptography.hazmat import backends",
    ):
        assert HAZMAT.search(line), line
    assert not HAZMAT.search("from cryptography.exceptions import InvalidTag")
    assert not HAZMAT.search("# the only package that imports cryptography.hazmat")
