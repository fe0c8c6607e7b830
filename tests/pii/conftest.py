"""One engine for the pii tests: it is built once and is safe to share."""

from __future__ import annotations

import pytest

from pii.engine import PiiEngine


@pytest.fixture(scope="session")
def engine() -> PiiEngine:
    return PiiEngine()
