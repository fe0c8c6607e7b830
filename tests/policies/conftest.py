"""Fixtures of the policy tests: a real OPA server (tests/policies/opa.py) and engines."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from policies.embedded import EmbeddedEngine
from tests.policies.opa import opa_binary, opa_url

__all__ = ["embedded", "opa_binary", "opa_url", "shared_embedded"]


@pytest.fixture(scope="session")
def shared_embedded() -> Iterator[EmbeddedEngine]:
    """An embedded engine on the default bundle, compiled once per session (never reloaded)."""
    engine = EmbeddedEngine()
    yield engine
    asyncio.run(engine.close())


@pytest.fixture
async def embedded() -> AsyncIterator[EmbeddedEngine]:
    """An embedded engine of its own on the default bundle, closed afterwards."""
    engine = EmbeddedEngine()
    yield engine
    await engine.close()
