"""The real `gerbang serve` process: graceful shutdown, admin listener, JSON logs, HTTPS."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import ssl
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
import trustme
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from tests.gateway.process import HOST, Gerbang, Launcher, Upstream, gateway_config, route

pytestmark = pytest.mark.timeout(60)

NIK = "3201012345678901"  # synthetic: belongs to nobody
SLOW_BODY = b"".join(b"line %06d\n" % i for i in range(20_000))
SLOW_S = 1.5
ACCESS_FIELDS = (
    "request_id",
    "route",
    "method",
    "status",
    "upstream_status",
    "error_code",
    "bytes_in",
    "bytes_out",
    "duration_ms",
    "pid",
)
CLIENT_TIMEOUT = aiohttp.ClientTimeout(total=15)


@dataclass
class Backend:
    """The upstream service and what it has seen."""

    url: str = ""
    slow_started: asyncio.Event = field(default_factory=asyncio.Event)
    hang_started: asyncio.Event = field(default_factory=asyncio.Event)
    gated_started: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    bodies: list[bytes] = field(default_factory=list)


def backend_app(backend: Backend) -> web.Application:
    async def fast(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def slow(_: web.Request) -> web.Response:
        backend.slow_started.set()
        await asyncio.sleep(SLOW_S)
        return web.Response(body=SLOW_BODY)

    async def hang(_: web.Request) -> web.Response:
        backend.hang_started.set()
        await asyncio.sleep(30)
        return web.Response(text="too late")

    async def gated(_: web.Request) -> web.Response:
        backend.gated_started.set()
        await asyncio.wait_for(backend.release.wait(), 10)
        return web.Response(text="released")

    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        backend.bodies.append(body)
        return web.Response(text=f"received {len(body)} bytes")

    app = web.Application()
    app.router.add_get("/api/fast", fast)
    app.router.add_get("/api/slow", slow)
    app.router.add_get("/api/hang", hang)
    app.router.add_get("/api/gated", gated)
    app.router.add_route("*", "/api/echo/{tail:.*}", echo)
    return app


@pytest.fixture
async def launcher(tmp_path, gerbang_cmd, subprocess_env) -> AsyncIterator[Launcher]:
    launcher = Launcher(tmp_path, gerbang_cmd, subprocess_env)
    yield launcher
    await launcher.close()


@pytest.fixture
async def backend() -> AsyncIterator[Backend]:
    backend = Backend()
    server = await Upstream(backend_app(backend)).start()
    backend.url = server.url
    yield backend
    backend.release.set()
    await server.close()


@pytest.fixture
def make_config(unused_tcp_port_factory, backend) -> Callable[..., dict[str, Any]]:
    """A config with route `api` (the backend) and `dead` (a port nobody listens on)."""

    def make(**server: Any) -> dict[str, Any]:
        dead = f"http://{HOST}:{unused_tcp_port_factory()}"
        return gateway_config(
            port=unused_tcp_port_factory(),
            admin_port=unused_tcp_port_factory(),
            routes=[
                route("api", "/api", backend.url, total_timeout=60.0),
                route("dead", "/dead", dead, connect_timeout=2.0),
            ],
            server=server,
        )

    return make


async def _outcome(coro: Coroutine[Any, Any, Any]) -> Any:
    """The result of `coro`, or the client error it raised."""
    try:
        return await coro
    except (aiohttp.ClientError, TimeoutError) as exc:
        return exc


async def _get(session: aiohttp.ClientSession, url: str, **kwargs: Any) -> tuple[int, bytes]:
    async with session.get(url, **kwargs) as resp:
        return resp.status, await resp.read()


async def _readyz(gw: Gerbang) -> int | None:
    """The /readyz status, or None when the admin listener does not answer."""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1)) as session,
            session.get(f"{gw.admin_url}/readyz") as resp,
        ):
            return resp.status
    except (aiohttp.ClientError, TimeoutError):
        return None


async def _refused(port: int) -> bool:
    """True when a new TCP connection to `port` is refused."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), 1.0)
    except ConnectionRefusedError:
        return True
    writer.close()
    await writer.wait_closed()
    return False


def _samples(text: str) -> list[Any]:
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def _value(samples: list[Any], name: str, **labels: str) -> float | None:
    """The sum of the samples called `name` whose labels include `labels`; None if none."""
    found = [
        s.value
        for s in samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    ]
    return sum(found) if found else None


async def _metrics(session: aiohttp.ClientSession, gw: Gerbang) -> list[Any]:
    async with session.get(f"{gw.admin_url}/metrics") as resp:
        assert resp.status == 200
        return _samples(await resp.text())


async def _wait_metric(
    session: aiohttp.ClientSession, gw: Gerbang, expected: float, name: str, **labels: str
) -> list[Any]:
    """Scrape until the metric has the expected value (an exchange is counted just after its
    response is sent, so a scrape right after the response may be a moment early)."""
    deadline = time.monotonic() + 5
    while True:
        samples = await _metrics(session, gw)
        if _value(samples, name, **labels) == expected or time.monotonic() > deadline:
            return samples
        await asyncio.sleep(0.05)


# -- shutdown ------------------------------------------------------------------------------------


async def test_when_sigterm_during_slow_request_then_it_completes_and_listener_closes(
    launcher, backend, make_config
):
    gw = await launcher.serve(make_config(shutdown_timeout=10.0))
    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
        in_flight = asyncio.create_task(_get(session, f"{gw.url}/api/slow"))
        await asyncio.wait_for(backend.slow_started.wait(), 5)
        gw.send(signal.SIGTERM)

        not_ready = refused = False
        deadline = time.monotonic() + 5
        while not (not_ready and refused) and time.monotonic() < deadline:
            not_ready = not_ready or await _readyz(gw) != 200
            refused = refused or await _refused(gw.port)
            await asyncio.sleep(0.02)
        assert not_ready, "/readyz still answers 200 after SIGTERM"
        assert refused, "new connections still accepted after SIGTERM"
        assert not in_flight.done(), "the in-flight request ended before the upstream answered"

        status, body = await asyncio.wait_for(in_flight, 10)
    assert status == 200
    assert body == SLOW_BODY

    stopped = await gw.stop()
    assert stopped.exit_code == 0
    (access,) = gw.access_lines()
    assert access["status"] == 200
    assert access["upstream_status"] == 200
    assert access["bytes_out"] == len(SLOW_BODY)
    assert access["duration_ms"] >= SLOW_S * 1000 * 0.9


async def test_when_in_flight_request_outlives_shutdown_timeout_then_it_is_cut_and_process_exits(
    launcher, backend, make_config
):
    gw = await launcher.serve(make_config(shutdown_timeout=1.0))
    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
        in_flight = asyncio.create_task(_outcome(_get(session, f"{gw.url}/api/hang")))
        await asyncio.wait_for(backend.hang_started.wait(), 5)
        signalled = time.monotonic()
        gw.send(signal.SIGTERM)
        exited = await gw.wait_exit(8.0)
        elapsed = time.monotonic() - signalled
        assert exited, "gerbang still running 8 s after SIGTERM with shutdown_timeout = 1"
        assert elapsed < 8.0

        outcome = await asyncio.wait_for(in_flight, 5)
    assert isinstance(outcome, Exception) or outcome[0] != 200, outcome

    stopped = await gw.stop()
    assert stopped.exit_code == 0
    (access,) = gw.access_lines()
    assert access["route"] == "api"
    assert access["status"] == 499  # counted as cut off, not lost


async def test_when_second_sigterm_arrives_during_drain_then_in_flight_request_still_completes(
    launcher, backend, make_config
):
    gw = await launcher.serve(make_config(shutdown_timeout=10.0))
    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
        in_flight = asyncio.create_task(_outcome(_get(session, f"{gw.url}/api/slow")))
        await asyncio.wait_for(backend.slow_started.wait(), 5)
        gw.send(signal.SIGTERM)
        await asyncio.sleep(0.3)  # draining now
        gw.send(signal.SIGTERM)
        outcome = await asyncio.wait_for(in_flight, 10)

    stopped = await gw.stop()
    assert outcome == (200, SLOW_BODY)
    assert stopped.exit_code == 0


async def test_when_sigint_then_shuts_down_like_sigterm(launcher, backend, make_config):
    gw = await launcher.serve(make_config())
    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
        assert await _get(session, f"{gw.url}/api/fast") == (200, b"ok")

    stopped = await gw.stop(signal.SIGINT)

    assert stopped.exit_code == 0
    assert stopped.elapsed_s < 8.0
    messages = [entry["msg"] for entry in gw.json_lines()]
    assert "shutting down" in messages
    assert messages[-1] == "stopped"
    assert "Traceback" not in "\n".join(stopped.lines)


# -- admin ---------------------------------------------------------------------------------------


async def test_when_serving_then_admin_reports_health_readiness_and_metrics(
    launcher, backend, make_config
):
    gw = await launcher.serve(make_config())
    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
        async with session.get(f"{gw.admin_url}/healthz") as resp:
            assert resp.status == 200
            assert (await resp.json())["status"] == "ok"
        async with session.get(f"{gw.admin_url}/readyz") as resp:
            assert resp.status == 200
            assert await resp.json() == {"status": "ready"}

        for _ in range(3):
            assert await _get(session, f"{gw.url}/api/fast") == (200, b"ok")
        status, _ = await _get(session, f"{gw.url}/dead/anything")
        assert status == 502

        gated = asyncio.create_task(_get(session, f"{gw.url}/api/gated"))
        await asyncio.wait_for(backend.gated_started.wait(), 5)
        samples = await _metrics(session, gw)
        assert _value(samples, "gerbang_in_flight_requests") == 1
        backend.release.set()
        assert await asyncio.wait_for(gated, 10) == (200, b"released")

        labels = {"route": "api", "method": "GET", "status": "200"}
        samples = await _wait_metric(session, gw, 4, "gerbang_requests_total", **labels)

    assert _value(samples, "gerbang_requests_total", **labels) == 4
    assert _value(samples, "gerbang_requests_total", route="dead", method="GET", status="502") == 1
    bucket = "gerbang_request_duration_seconds_bucket"
    assert _value(samples, bucket, route="api", status="200", le="+Inf") == 4
    assert _value(samples, bucket, route="api", status="200", le="0.001") is not None
    assert _value(samples, "gerbang_request_duration_seconds_count", route="api") == 4
    assert (
        _value(samples, "gerbang_upstream_errors_total", route="dead", code="upstream_unreachable")
        == 1
    )
    assert _value(samples, "gerbang_upstream_errors_total", route="api") is None
    assert _value(samples, "gerbang_in_flight_requests") == 0


# -- logs ----------------------------------------------------------------------------------------


async def test_when_requests_carry_personal_data_then_json_access_log_has_none_of_it(
    launcher, backend, make_config
):
    gw = await launcher.serve(make_config())
    headers = {"X-Test": f"nik={NIK}"}
    body = json.dumps({"nik": NIK, "nama": "Budi Santoso"}).encode()
    responses: list[tuple[int, str, int]] = []
    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
        requests = [
            ("GET", f"/api/echo/{NIK}?nik={NIK}", None, "log-1"),
            ("POST", f"/api/echo/{NIK}?nik={NIK}", body, "log-2"),
            ("GET", f"/nowhere/{NIK}?nik={NIK}", None, "log-3"),
            ("POST", f"/dead/{NIK}?nik={NIK}", body, "log-4"),
        ]
        for method, path, data, request_id in requests:
            async with session.request(
                method,
                f"{gw.url}{path}",
                data=data,
                headers={**headers, "X-Request-ID": request_id},
            ) as resp:
                payload = await resp.read()
                assert resp.headers["X-Request-ID"] == request_id
                responses.append((resp.status, request_id, len(payload)))
    assert [status for status, _, _ in responses] == [200, 200, 404, 502]
    assert backend.bodies == [b"", body]

    stopped = await gw.stop()
    assert stopped.exit_code == 0

    output = gw.stderr()
    assert NIK not in output
    assert "/echo" not in output
    assert "nowhere" not in output
    assert "Budi" not in output
    entries = gw.json_lines()  # fails on any line that is not JSON
    assert len(entries) == len(stopped.lines)
    access = gw.access_lines()
    assert len(access) == len(requests)
    for entry in access:
        assert set(ACCESS_FIELDS) <= entry.keys(), entry
        assert entry["pid"] == gw.pid
        assert entry["level"] == "info"
        assert isinstance(entry["duration_ms"], int | float)
        assert entry["duration_ms"] >= 0
    assert [(e["request_id"], e["method"], e["route"], e["status"]) for e in access] == [
        ("log-1", "GET", "api", 200),
        ("log-2", "POST", "api", 200),
        ("log-3", "GET", "-", 404),
        ("log-4", "POST", "dead", 502),
    ]
    assert [e["upstream_status"] for e in access] == [200, 200, None, None]
    assert [e["error_code"] for e in access] == [
        None,
        None,
        "route_not_found",
        "upstream_unreachable",
    ]
    assert access[0]["bytes_in"] == 0
    assert access[1]["bytes_in"] == len(body)
    assert [e["bytes_out"] for e in access[:2]] == [size for _, _, size in responses[:2]]


# -- TLS -----------------------------------------------------------------------------------------


async def test_when_tls_configured_then_https_works_and_plain_http_fails(
    launcher, backend, make_config, tmp_path
):
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file = tmp_path / "server.pem", tmp_path / "server.key"
    for blob in cert.cert_chain_pems:
        blob.write_to_path(str(cert_file), append=True)
    cert.private_key_pem.write_to_path(str(key_file))
    gw = await launcher.serve(
        make_config(tls={"cert_file": str(cert_file), "key_file": str(key_file)})
    )
    assert gw.url.startswith("https://")
    trusting = ssl.create_default_context()
    ca.configure_trust(trusting)

    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
        assert await _get(session, f"{gw.url}/api/fast", ssl=trusting) == (200, b"ok")

        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await _get(session, f"{gw.url}/api/fast", ssl=ssl.create_default_context())

        with pytest.raises(aiohttp.ClientError):
            await _get(session, f"http://{HOST}:{gw.port}/api/fast")

    stopped = await gw.stop()
    assert stopped.exit_code == 0
    assert [e["status"] for e in gw.access_lines()] == [200]


POLICY = """package gerbang

decision := {"allow": %s, "status": %d, "reason": "test", "masking": {},
    "restore": false, "scan_response": false}
"""
ALLOW, DENY = POLICY % ("true", 200), POLICY % ("false", 403)


async def test_when_sighup_arrives_then_a_new_policy_applies_and_a_broken_one_is_refused(
    launcher, make_config, tmp_path
):
    policy = tmp_path / "policy"
    policy.mkdir()
    (policy / "gerbang.rego").write_text(ALLOW, encoding="utf-8")
    config = make_config()
    config["policy"] = {"dir": str(policy), "watch_interval": 0, "cache": {"max_entries": 0}}
    gw = await launcher.serve(config)

    async def status() -> int:
        async with aiohttp.ClientSession() as session, session.get(f"{gw.url}/api/fast") as resp:
            return resp.status

    async def status_after_sighup(expected: int) -> int:
        os.kill(gw.pid, signal.SIGHUP)
        deadline = time.monotonic() + 10
        # Another process reloads: nothing here to wait on but its answers.
        while (seen := await status()) != expected and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        return seen

    assert await status() == 200
    (policy / "gerbang.rego").write_text(DENY, encoding="utf-8")
    assert await status_after_sighup(403) == 403
    (policy / "gerbang.rego").write_text("package gerbang\n\ndecision := {", encoding="utf-8")
    os.kill(gw.pid, signal.SIGHUP)
    deadline = time.monotonic() + 10
    while "policy reload refused" not in gw.stderr() and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    assert "policy reload refused" in gw.stderr()
    assert await status() == 403  # the old policy stays in force
    assert not gw.exited()
