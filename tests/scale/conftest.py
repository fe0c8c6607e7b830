"""The scale tests' cluster: nginx, gateway replicas, one Redis, one keyring, one OPA server
pulling a signed bundle from a bundle service; started once a module.

Everything here is bounded: the module runs in about a minute. `GERBANG_SCALE_SOAK_S` (seconds,
default 20) lengthens the sustained-load test, e.g. `GERBANG_SCALE_SOAK_S=300 pytest tests/scale`
for a five-minute soak; `pytest -m "not scale"` leaves the module out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.policies.bundle_service import BundleService, opa_pulling, wait_for_revision
from tests.policies.opa import opa_binary
from tests.policies.signed_bundles import Built, Signing, built, signing
from tests.scale.cluster import Cluster, find_nginx, running_cluster
from tests.services.redis_server import running_redis

__all__ = ["built", "opa_binary", "signing"]

REPLICAS = 2
OPA_POLLING_S = 1
"""How often OPA asks the bundle service for a new bundle (min and max delay alike)."""


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
def bundles() -> Iterator[BundleService]:
    """The bundle service OPA polls (tests publish new bundles there)."""
    with BundleService().running() as service:
        yield service


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory,
    opa_binary: str,
    built: Built,
    signing: Signing,
    bundles: BundleService,
) -> Iterator[Cluster]:
    """Two replicas behind nginx with their Redis, OPA, keyring, issuer and assistant; OPA has
    activated the signed default policy (revision `rev-1`) before the replicas start."""
    find_nginx()  # skip loudly before starting anything
    tmp = tmp_path_factory.mktemp("scale")
    redis_dir = tmp / "redis"
    redis_dir.mkdir()
    bundles.publish(built.v1)
    with (
        opa_pulling(opa_binary, bundles, signing.trusted.public, tmp, OPA_POLLING_S) as opa_url,
        running_redis(redis_dir) as redis_url,
    ):
        wait_for_revision(opa_url, "rev-1")
        with running_cluster(tmp, redis_url, opa_url, REPLICAS) as up:
            yield up
