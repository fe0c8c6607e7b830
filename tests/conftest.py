"""Shared test fixtures: real servers on loopback, never mocks of aiohttp."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def gerbang_cmd() -> list[str]:
    """The `gerbang` command of the interpreter running the tests."""
    return [sys.executable, "-m", "gateway"]


@pytest.fixture
def subprocess_env() -> dict[str, str]:
    """Environment for gateway subprocesses: unbuffered, the repo importable."""
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    return env


pytest_plugins = [
    "tests.services.redis_server",
    "tests.gateway.compliance_rig",
    "tests.policies.opa",
]
