"""A bundle service feeding the real OPA server and the embedded engine (`bundle_url`) alike.

The service is a real aiohttp server on loopback in its own thread (a separate server, as in a
deployment): it serves the bundle last published with an ETag, answers a matching If-None-Match
with 304, and records what every client sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from gateway.components import Components
from gateway.config import config_from_mapping
from gateway.errors import ConfigError
from gateway.policy_config import PolicyConfig
from gateway.policy_engine import create_engine, reloadable
from policies.embedded import EmbeddedEngine
from policies.opa_server import OpaServerEngine
from policies.store import PolicyLoadError
from tests.gateway.process import route
from tests.policies.bundle_service import RESOURCE, BundleService, opa_pulling
from tests.policies.opa import free_port, opa_binary
from tests.policies.signed_bundles import TESTER, Built, Signing, built, repack, signing
from tests.policies.table import CITIZEN

__all__ = ["built", "opa_binary", "signing"]

EMBEDDED_INTERVAL = 0.4
OPA_INTERVAL = 1
SLACK = 3.0
"""Seconds allowed beyond a polling interval for download, verification and compilation on a
busy 2-core machine."""


@pytest.fixture
def service() -> Iterator[BundleService]:
    with BundleService().running() as running:
        yield running


def _policy(service: BundleService, key: Path, cache: Path, **extra: object) -> dict[str, object]:
    return {
        "bundle_url": service.url,
        "verification_key": str(key),
        "bundle_cache": str(cache),
        "polling_interval": EMBEDDED_INTERVAL,
        **extra,
    }


def _config(policy: dict[str, object]) -> PolicyConfig:
    return PolicyConfig.model_validate(policy, context={"base_dir": Path.cwd()})


def _engine(policy: dict[str, object]) -> EmbeddedEngine:
    engine = reloadable(create_engine(_config({**policy, "cache": {"max_entries": 0}})))
    assert engine is not None
    return engine


async def _until(condition: Callable[[], Any], deadline: float) -> float:
    """Seconds until `condition()` holds (AssertionError after `deadline` seconds)."""
    start = time.monotonic()
    while not await _maybe_await(condition()):
        assert time.monotonic() - start < deadline, f"not within {deadline} s"
        await asyncio.sleep(0.05)
    return time.monotonic() - start


async def _maybe_await(value: Any) -> Any:
    return await value if asyncio.iscoroutine(value) else value


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@contextlib.asynccontextmanager
async def _opa_polling(
    opa_binary: str, service: BundleService, public_key: Path, folder: Path
) -> AsyncIterator[tuple[str, Callable[[], Any]]]:
    """`opa run --server` pulling the bundle from `service` every second, verifying it with
    `public_key`; yields its URL and a coroutine function returning the revision OPA has
    activated."""
    with opa_pulling(opa_binary, service, public_key, folder, OPA_INTERVAL) as url:
        async with aiohttp.ClientSession() as session:

            async def revision() -> str | None:
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(
                        f"{url}/v1/data/system/bundles/gerbang/manifest/revision"
                    ) as response:
                        if response.status == 200:
                            result: str | None = (await response.json()).get("result")
                            return result
                return None

            yield url, revision


async def test_when_the_service_publishes_then_opa_and_the_gateway_converge_and_refuse_another_key(
    opa_binary: str, service: BundleService, built: Built, signing: Signing, tmp_path: Path
) -> None:
    service.publish(built.v1)
    config = config_from_mapping({
        "policy": _policy(service, signing.trusted.public, tmp_path / "policy.tar.gz"),
        "routes": [route("svc", "/", "http://127.0.0.1:9")],
    })  # fmt: skip
    async with _opa_polling(opa_binary, service, signing.trusted.public, tmp_path) as (url, opa):
        components = Components.build(config)  # downloads the first bundle before it returns
        await components.start()  # starts the poller
        gateway = components.policy
        through_opa = OpaServerEngine(url, timeout=2.0, revision="local-files")
        try:
            assert gateway.revision == "rev-1"
            await _until(lambda: _is(opa(), "rev-1"), 20)
            assert (await gateway.decide(TESTER)).allow is False
            # A gateway asking OPA learns the revision from OPA's answer, not its own files.
            refused = await through_opa.decide(TESTER)
            assert (refused.allow, refused.revision) == (False, "rev-1")
            assert through_opa.revision == "rev-1"

            new = service.publish(built.v2)
            gateway_s, opa_s = await asyncio.gather(  # seconds since publishing, each
                _until(lambda: gateway.revision == "rev-2", EMBEDDED_INTERVAL + SLACK),
                _until(lambda: _is(opa(), "rev-2"), OPA_INTERVAL + SLACK),
            )
            assert (await gateway.decide(TESTER)).allow is True  # the new policy decides
            allowed = await through_opa.decide(TESTER)
            assert (allowed.allow, allowed.revision) == (True, "rev-2")
            assert service.served("gateway", new)
            assert service.served("opa", new)

            forged = service.publish(built.v1_other_key)
            await _until(lambda: service.served("gateway", forged), EMBEDDED_INTERVAL + SLACK)
            await _until(lambda: service.served("opa", forged), OPA_INTERVAL + SLACK)
            polls = len(service.requests)  # OPA polls again only once it has dealt with it:
            await _until(lambda: _polled_since(service, "opa", polls), OPA_INTERVAL + SLACK)
            assert gateway.revision == "rev-2"
            assert await opa() == "rev-2"
            assert (await gateway.decide(TESTER)).allow is True
        finally:
            await through_opa.close()
            await components.close()
    print(f"converged after publishing: gateway {gateway_s:.2f} s, OPA {opa_s:.2f} s")


def _polled_since(service: BundleService, client: str, count: int) -> bool:
    return any(r.client == client for r in service.requests[count:])


async def _is(revision: Any, expected: str) -> bool:
    return bool(await revision == expected)


async def test_when_nothing_changed_then_if_none_match_is_sent_and_304_changes_nothing(
    service: BundleService, built: Built, signing: Signing, tmp_path: Path
) -> None:
    first = service.publish(built.v1)
    cache = tmp_path / "policy.tar.gz"
    engine = _engine(_policy(service, signing.trusted.public, cache))
    try:
        assert engine.revision == "rev-1"
        assert cache.read_bytes() == built.v1.read_bytes()
        assert (await engine.reload()).status == "unchanged"  # SIGHUP: poll now
        assert [(r.if_none_match, r.status) for r in service.requests] == [
            (None, 200),
            (first, 304),
        ]

        second = service.publish(built.v2)
        applied = await engine.reload()
        assert (applied.status, applied.revision, engine.revision) == ("applied", "rev-2", "rev-2")
        assert (await engine.reload()).status == "unchanged"
        assert [(r.if_none_match, r.status) for r in service.requests[2:]] == [
            (first, 200), (second, 304)]  # fmt: skip
        assert cache.read_bytes() == built.v2.read_bytes()
        assert _names(tmp_path) == ["policy.tar.gz"]  # no temporary files left
    finally:
        await engine.close()


async def test_when_the_service_fails_then_the_policy_stays_and_the_outage_is_logged_once(
    service: BundleService, built: Built, signing: Signing, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    service.publish(built.v1)
    engine = _engine(_policy(service, signing.trusted.public, tmp_path / "policy.tar.gz"))
    caplog.set_level(logging.INFO, logger="policies")
    try:
        service.down = True
        for _ in range(3):
            result = await engine.reload()
            assert (result.status, engine.revision) == ("refused", "rev-1")
            assert (await engine.decide(CITIZEN)).allow is True
        assert result.error == f"{service.url}: HTTP 503"
        assert _logged(caplog, "unreachable") == 1

        service.down = False
        service.publish(built.v2)
        assert (await engine.reload()).status == "applied"
        assert _logged(caplog, "reachable again") == 1

        tampered = repack(built.v1, tmp_path / "t.tar.gz", _change_rego)
        service.publish(tampered)
        for _ in range(2):  # the refused bundle is downloaded once, then answered with 304
            assert (await engine.reload()).status in ("refused", "unchanged")
        assert engine.revision == "rev-2"
        assert [r.status for r in service.requests[-2:]] == [200, 304]
        assert _logged(caplog, "access.rego: digest mismatch") == 1
    finally:
        await engine.close()


def _change_rego(files: dict[str, bytes]) -> None:
    files["access.rego"] += b"\n# changed\n"


def _logged(caplog: pytest.LogCaptureFixture, text: str) -> int:
    return sum(text in record.getMessage() for record in caplog.records)


async def test_decisions_in_flight_during_a_bundle_swap_all_complete(
    service: BundleService, built: Built, signing: Signing, tmp_path: Path
) -> None:
    service.publish(built.v1)
    engine = _engine(_policy(service, signing.trusted.public, tmp_path / "policy.tar.gz"))
    try:
        service.publish(built.v2)
        tasks = [asyncio.ensure_future(engine.decide(TESTER)) for _ in range(60)]
        swap = asyncio.ensure_future(engine.reload())
        tasks += [asyncio.ensure_future(engine.decide(TESTER)) for _ in range(60)]
        decisions = await asyncio.gather(*tasks)
        assert (await swap).status == "applied"
        assert len(decisions) == 120
        assert {d.reason for d in decisions} <= {
            "allowed", "roles [penguji] may not use service lara"}  # fmt: skip
        assert (await engine.decide(TESTER)).allow is True
    finally:
        await engine.close()


def test_when_the_first_download_fails_and_nothing_is_cached_then_the_gateway_does_not_start(
    service: BundleService, signing: Signing, tmp_path: Path
) -> None:
    service.down = True
    cache = tmp_path / "policy.tar.gz"
    config = config_from_mapping({
        "policy": _policy(service, signing.trusted.public, cache),
        "routes": [route("svc", "/", "http://127.0.0.1:9")],
    })  # fmt: skip
    with pytest.raises(ConfigError) as refused:
        Components.build(config)
    assert str(refused.value) == (
        f"[policy]: {service.url}: cannot download the policy bundle (HTTP 503) and there is "
        f"no cached copy at {cache}: not starting"
    )
    closed = {**_policy(service, signing.trusted.public, cache),
              "bundle_url": f"http://127.0.0.1:{free_port()}/{RESOURCE}"}  # fmt: skip
    with pytest.raises(PolicyLoadError, match="cannot download the policy bundle"):
        _engine(closed)


def test_when_the_first_bundle_is_signed_by_another_key_then_the_gateway_does_not_start(
    service: BundleService, built: Built, signing: Signing, tmp_path: Path
) -> None:
    service.publish(built.v1_other_key)
    cache = tmp_path / "policy.tar.gz"
    with pytest.raises(PolicyLoadError) as refused:
        _engine(_policy(service, signing.trusted.public, cache))
    assert str(refused.value).startswith(
        f"{service.url}: bundle refused: .signatures.json: signature refused"
    )
    assert not cache.exists()


async def test_when_the_service_is_down_at_start_then_the_cached_copy_is_verified_and_used(
    service: BundleService, built: Built, signing: Signing, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    cache = tmp_path / "policy.tar.gz"
    policy = _policy(service, signing.trusted.public, cache)
    service.publish(built.v2)
    await _engine(policy).close()  # a first start fills the cache

    service.down = True
    engine = _engine(policy)
    try:
        assert engine.revision == "rev-2"
        assert _logged(caplog, "starting from the cached copy") == 1
        assert (await engine.reload()).status == "refused"
        assert _logged(caplog, "unreachable") == 1  # the same outage: not logged again
    finally:
        await engine.close()

    repack(built.v2, cache, _change_rego)
    with pytest.raises(PolicyLoadError, match=f"{cache}: bundle refused: access.rego: digest"):
        _engine(policy)
