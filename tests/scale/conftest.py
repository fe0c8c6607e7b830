"""The scale tests' cluster: nginx, gateway replicas, one Redis, one keyring; started once a module.

Everything here is bounded: the module runs in about a minute. `GERBANG_SCALE_SOAK_S` (seconds,
default 20) lengthens the sustained-load test, e.g. `GERBANG_SCALE_SOAK_S=300 pytest tests/scale`
for a five-minute soak; `pytest -m "not scale"` leaves the module out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.scale.cluster import Cluster, find_nginx, running_cluster
from tests.services.redis_server import running_redis

REPLICAS = 2


def pytest_configure(config: pytest.Config) -> None:
    """Register the `scale` marker (the module is part of the normal suite)."""
    config.addinivalue_line("markers", "scale: several gateway replicas behind nginx (~1 min)")


def soak_seconds() -> float:
    """How long the sustained-load test drives load: GERBANG_SCALE_SOAK_S, default 20."""
    text = os.environ.get("GERBANG_SCALE_SOAK_S", "20")
    try:
        seconds = float(text)
    except ValueError:
        raise pytest.UsageError(f"GERBANG_SCALE_SOAK_S={text!r}: not a number of seconds") from None
    if not 5 <= seconds <= 86400:
        raise pytest.UsageError(f"GERBANG_SCALE_SOAK_S={text!r}: give 5 to 86400 seconds")
    return seconds


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Two replicas behind nginx with their Redis, keyring, issuer and assistant."""
    find_nginx()  # skip loudly before starting anything
    tmp = tmp_path_factory.mktemp("scale")
    redis_dir = tmp / "redis"
    redis_dir.mkdir()
    with running_redis(redis_dir) as redis_url, running_cluster(tmp, redis_url, REPLICAS) as up:
        yield up
