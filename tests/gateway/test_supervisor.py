"""`gerbang serve --workers N`: worker processes on one port, supervised, metrics summed."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from audit.auditor_keys import generate
from keys.kek import create_kek_file
from keys.keyring import Keyring
from tests.gateway.process import Gerbang, Launcher, Upstream, gateway_config, pid_alive, route

pytestmark = pytest.mark.timeout(60)

SLOW_S = 1.5
CLIENT_TIMEOUT = aiohttp.ClientTimeout(total=15)


@dataclass
class Backend:
    url: str = ""
    slow_started: asyncio.Event = field(default_factory=asyncio.Event)


def backend_app(backend: Backend) -> web.Application:
    async def fast(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def slow(_: web.Request) -> web.Response:
        backend.slow_started.set()
        await asyncio.sleep(SLOW_S)
        return web.Response(text="slow ok")

    app = web.Application()
    app.router.add_get("/api/fast", fast)
    app.router.add_get("/api/slow", slow)
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
    await server.close()


@pytest.fixture
def config(unused_tcp_port_factory, backend) -> dict[str, Any]:
    return gateway_config(
        port=unused_tcp_port_factory(),
        admin_port=unused_tcp_port_factory(),
        routes=[route("api", "/api", backend.url)],
        server={"shutdown_timeout": 5.0},
    )


async def _workers(session: aiohttp.ClientSession, gw: Gerbang) -> list[dict[str, Any]]:
    async with session.get(f"{gw.admin_url}/healthz") as resp:
        assert resp.status == 200
        body = await resp.json()
    assert body["status"] == "ok"
    return list(body["workers"])


async def _readyz(session: aiohttp.ClientSession, gw: Gerbang) -> int | None:
    try:
        async with session.get(f"{gw.admin_url}/readyz") as resp:
            return resp.status
    except (aiohttp.ClientError, TimeoutError):
        return None


async def _requests_total(session: aiohttp.ClientSession, gw: Gerbang, route_name: str) -> float:
    async with session.get(f"{gw.admin_url}/metrics") as resp:
        assert resp.status == 200
        text = await resp.text()
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "gerbang_requests_total" and sample.labels.get("route") == route_name
    )


async def _many_connections(
    gw: Gerbang, count: int, concurrency: int = 16, *, expect_ok: bool = True
) -> list[int]:
    """`count` GETs, each on a new connection, `concurrency` at a time; their statuses (with
    `expect_ok`, each must be answered by the backend)."""
    limit = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(force_close=True, limit=concurrency)

    async with aiohttp.ClientSession(connector=connector, timeout=CLIENT_TIMEOUT) as session:

        async def one() -> int:
            async with limit, session.get(f"{gw.url}/api/fast") as resp:
                body = await resp.read()
                assert body == b"ok" or not expect_ok
                return resp.status

        return await asyncio.gather(*(one() for _ in range(count)))


def _live_ready(workers: list[dict[str, Any]]) -> bool:
    return all(w["alive"] and w["ready"] for w in workers)


async def test_when_two_workers_then_connections_spread_over_both_and_metrics_add_up(
    launcher, config
):
    gw = await launcher.serve(config, workers=2)
    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as admin:
        workers = await _workers(admin, gw)
        pids = {w["pid"] for w in workers}
        assert len(workers) == 2
        assert len(pids) == 2
        assert gw.pid not in pids
        assert _live_ready(workers)
        assert all(pid_alive(pid) for pid in pids)

        statuses = await _many_connections(gw, 300)
        assert statuses == [200] * 300

        deadline = time.monotonic() + 5
        while (total := await _requests_total(admin, gw, "api")) != 300:
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        assert total == 300

    stopped = await gw.stop()
    assert stopped.exit_code == 0
    access = gw.access_lines()
    assert len(access) == 300
    assert all(entry["status"] == 200 for entry in access)
    served_by = {entry["pid"] for entry in access}
    assert served_by == pids, "SO_REUSEPORT should spread 300 connections over both workers"


async def test_when_worker_is_killed_then_it_is_replaced_and_serving_continues(launcher, config):
    gw = await launcher.serve(config, workers=2)
    timeout = aiohttp.ClientTimeout(total=2)
    async with aiohttp.ClientSession(timeout=timeout) as admin:
        killed, survivor = (w["pid"] for w in await _workers(admin, gw))
        os.kill(killed, signal.SIGKILL)

        saw_not_ready = False
        replaced: list[dict[str, Any]] = []
        deadline = time.monotonic() + 12
        while time.monotonic() < deadline:
            ready = await _readyz(admin, gw)
            saw_not_ready = saw_not_ready or ready != 200
            workers = await _workers(admin, gw)
            pids = [w["pid"] for w in workers]
            if ready == 200 and killed not in pids and _live_ready(workers):
                replaced = workers
                break
            await asyncio.sleep(0.05)
        assert replaced, f"worker {killed} not replaced in time: {await _workers(admin, gw)}"
        assert saw_not_ready, "/readyz kept answering 200 with a worker dead"
        (new_pid,) = {w["pid"] for w in replaced} - {survivor}
        assert len(replaced) == 2
        assert survivor in {w["pid"] for w in replaced}
        assert not pid_alive(killed)

        assert await _many_connections(gw, 60) == [200] * 60

    stopped = await gw.stop()
    assert stopped.exit_code == 0
    assert {entry["pid"] for entry in gw.access_lines()} == {survivor, new_pid}
    restarts = [e for e in gw.json_lines() if e["msg"] == "worker exited; restarting"]
    assert [(e["worker_pid"], e["exitcode"]) for e in restarts] == [(killed, -signal.SIGKILL)]


async def test_when_supervisor_gets_sigterm_then_workers_drain_and_stop(launcher, config, backend):
    gw = await launcher.serve(config, workers=2)
    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
        pids = [w["pid"] for w in await _workers(session, gw)]
        assert all(pid_alive(pid) for pid in pids)

        async def slow() -> tuple[int, str]:
            async with session.get(f"{gw.url}/api/slow") as resp:
                return resp.status, await resp.text()

        in_flight = asyncio.create_task(slow())
        await asyncio.wait_for(backend.slow_started.wait(), 5)
        stopped = await gw.stop(signal.SIGTERM)
        assert in_flight.done()
        assert in_flight.result() == (200, "slow ok")

    assert stopped.exit_code == 0
    assert stopped.elapsed_s < 10
    assert stopped.leftover_pids == []
    assert not [pid for pid in pids if pid_alive(pid)]
    messages = [(e["pid"], e["msg"]) for e in gw.json_lines()]
    for pid in pids:
        assert (pid, "stopped") in messages
    assert not [e for e in gw.json_lines() if e["level"] == "error"]


async def test_when_two_workers_write_the_audit_log_then_every_exchange_is_recorded_once(
    launcher, config, tmp_path
):
    keys, kek = tmp_path / "keys", tmp_path / "kek"
    Keyring.create(keys, create_kek_file(kek))
    auditor = tmp_path / "auditor.key"
    audit_dir = tmp_path / "audit"
    config = {
        **config,
        "keys": {"dir": str(keys), "kek": {"file": str(kek)}},
        "audit": {"dir": str(audit_dir), "auditor_public_keys": [str(generate(auditor))]},
    }
    gw = await launcher.serve(config, workers=2)
    statuses = await _many_connections(gw, 60)
    assert statuses == [200] * 60
    stopped = await gw.stop(signal.SIGTERM)
    assert stopped.exit_code == 0

    assert len([p for p in audit_dir.iterdir() if p.is_dir()]) == 2  # one stream per worker
    assert await _gerbang("audit", "verify", str(audit_dir)) == (0, "")
    code, out = await _gerbang("audit", "export", str(audit_dir), "--key", str(auditor))
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    exchanges = [r for r in records if r.get("event", "exchange") == "exchange"]
    assert len(exchanges) == 60
    assert len({r["request_id"] for r in exchanges}) == 60


async def _gerbang(*args: str) -> tuple[int, str]:
    """Run `gerbang ARGS`; its exit code and standard output (stderr is kept apart)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gateway", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode() if args[1] == "export" else ""


async def _samples(session: aiohttp.ClientSession, gw: Gerbang, name: str) -> dict[str, float]:
    """Label values (joined) -> value of one metric's samples on the admin listener."""
    async with session.get(f"{gw.admin_url}/metrics") as resp:
        assert resp.status == 200
        text = await resp.text()
    return {
        ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    }


async def test_when_the_rate_limit_store_is_down_then_the_summed_metrics_say_so(
    launcher, unused_tcp_port_factory, backend
):
    limited = route(
        "terbatas", "/api", backend.url, rate_limit={"per_principal": {"rate": 1, "per": 60.0}}
    )
    config = gateway_config(
        port=unused_tcp_port_factory(),
        admin_port=unused_tcp_port_factory(),
        routes=[limited],
        server={"shutdown_timeout": 5.0},
    )
    unreachable = f"redis://127.0.0.1:{unused_tcp_port_factory()}/0"
    config["rate_limits"] = {
        "store": "redis", "redis_url": unreachable, "on_store_failure": "local", "timeout": 0.2,
    }  # fmt: skip
    gw = await launcher.serve(config, workers=2)
    statuses = await _many_connections(gw, 6, concurrency=1, expect_ok=False)
    assert statuses.count(200) >= 1
    assert statuses.count(429) >= 1  # the local buckets still limit
    async with aiohttp.ClientSession(timeout=CLIENT_TIMEOUT) as session:
        deadline = time.monotonic() + 5.0  # workers publish their counters about once a second
        while True:
            local = await _samples(session, gw, "gerbang_rate_limit_store_unavailable_total")
            refused = await _samples(session, gw, "gerbang_rate_limited_total")
            if local.get("action=local") == 6 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        outages = await _samples(session, gw, "gerbang_rate_limit_store_outages_total")
    assert local == {"action=local": 6}
    assert sum(refused.values()) == statuses.count(429)
    assert 1 <= outages[""] <= 2  # once per worker that met the outage
