"""`--workers N`: N worker processes share one port (SO_REUSEPORT); this process supervises them.

The supervisor serves the admin listener, adding up the metrics snapshots the workers publish,
reports ready when every worker is, restarts a worker that dies, and on SIGTERM/SIGINT passes the
signal on and waits for the workers to drain.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.context import SpawnProcess
from multiprocessing.synchronize import Event as ProcessEvent
from pathlib import Path
from typing import Any

from aiohttp import web

from gateway.admin import create_admin_app
from gateway.config import GatewayConfig
from gateway.logs import setup_logging
from gateway.metrics import workers_registry
from gateway.server import serve

LOG = logging.getLogger("gerbang.supervisor")
_SPAWN = multiprocessing.get_context("spawn")
_RESTART_BACKOFF_S = 1.0
_MAX_QUICK_RESTARTS = 5
_POLL_S = 0.2


def _worker_main(config: GatewayConfig, ready: ProcessEvent, metrics_dir: Path, slot: int) -> None:
    """Entry point of a worker process; `slot` is its place (a replacement takes the same one)."""
    setup_logging(config.logging.level, config.logging.format)
    asyncio.run(
        serve(
            config,
            reuse_port=True,
            with_admin=False,
            on_ready=ready.set,
            metrics_dir=metrics_dir,
            worker_slot=slot,
        )
    )


@dataclass
class _Worker:
    process: SpawnProcess
    ready: ProcessEvent
    started: float = field(default_factory=time.monotonic)


class Supervisor:
    """Starts, watches and stops the worker processes."""

    def __init__(self, config: GatewayConfig, metrics_dir: Path) -> None:
        self._config = config
        self._metrics_dir = metrics_dir
        self._workers: list[_Worker] = []
        self._quick_restarts = 0
        self._stopping = False

    def _spawn(self, slot: int) -> _Worker:
        ready = _SPAWN.Event()
        process = _SPAWN.Process(
            target=_worker_main,
            args=(self._config, ready, self._metrics_dir, slot),
            name="gerbang-worker",
            daemon=False,
        )
        process.start()
        return _Worker(process, ready)

    def start(self) -> None:
        """Start every worker."""
        self._workers = [self._spawn(slot) for slot in range(self._config.server.workers)]

    def is_ready(self) -> bool:
        """True when every worker is alive and listening."""
        return not self._stopping and all(
            w.process.is_alive() and w.ready.is_set() for w in self._workers
        )

    def live_pids(self) -> set[int]:
        """Pids of the workers that are running now."""
        return {w.process.pid for w in self._workers if w.process.pid and w.process.is_alive()}

    def health(self) -> dict[str, Any]:
        """Per-worker liveness for /healthz."""
        return {
            "workers": [
                {"pid": w.process.pid, "alive": w.process.is_alive(), "ready": w.ready.is_set()}
                for w in self._workers
            ]
        }

    async def reap(self) -> bool:
        """Replace workers that died; False when they keep dying and serving should stop."""
        for index, worker in enumerate(self._workers):
            if self._stopping or worker.process.is_alive():
                continue
            lived = time.monotonic() - worker.started
            self._quick_restarts = self._quick_restarts + 1 if lived < 10 else 0
            LOG.error(
                "worker exited; restarting",
                extra={"worker_pid": worker.process.pid, "exitcode": worker.process.exitcode},
            )
            if self._quick_restarts > _MAX_QUICK_RESTARTS:
                return False
            await asyncio.sleep(_RESTART_BACKOFF_S * self._quick_restarts)
            if self._stopping:
                break
            self._workers[index] = self._spawn(index)
        return True

    def begin_stop(self, stop: asyncio.Event) -> None:
        """Signal handler: no more restarts from now on, and wake the supervising loop."""
        self._stopping = True
        stop.set()

    def reload(self) -> None:
        """SIGHUP: pass it on, so every worker reloads its policy files."""
        for worker in self._workers:
            if worker.process.is_alive() and worker.process.pid is not None:
                os.kill(worker.process.pid, signal.SIGHUP)

    async def stop(self) -> None:
        """Pass SIGTERM to every worker; kill those still running after the drain deadline."""
        self._stopping = True
        for worker in self._workers:
            if worker.process.is_alive() and worker.process.pid is not None:
                os.kill(worker.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self._config.server.shutdown_timeout + 5.0
        for worker in self._workers:
            remaining = max(0.0, deadline - time.monotonic())
            await asyncio.to_thread(worker.process.join, remaining)
        for worker in self._workers:
            if worker.process.is_alive():
                LOG.error("worker did not stop in time; killing", extra={"pid": worker.process.pid})
                worker.process.kill()
            worker.process.join(timeout=5)


async def _supervise(config: GatewayConfig, metrics_dir: Path) -> int:
    supervisor = Supervisor(config, metrics_dir)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, supervisor.begin_stop, stop)
    loop.add_signal_handler(signal.SIGHUP, supervisor.reload)
    supervisor.start()
    admin: web.AppRunner | None = None
    exit_code = 0
    try:
        if config.admin.enabled:
            admin = web.AppRunner(
                create_admin_app(
                    workers_registry(metrics_dir, supervisor.live_pids),
                    is_ready=supervisor.is_ready,
                    health=supervisor.health,
                ),
                handle_signals=False,
                access_log=None,
            )
            await admin.setup()
            await web.TCPSite(admin, config.admin.host, config.admin.port).start()
        LOG.info("supervising", extra={"workers": config.server.workers})
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), _POLL_S)
            if not stop.is_set() and not await supervisor.reap():
                LOG.error("workers keep failing; giving up")
                exit_code = 1
                break
        LOG.info("shutting down", extra={"deadline_s": config.server.shutdown_timeout})
    finally:
        await supervisor.stop()
        if admin is not None:
            await admin.cleanup()
    return exit_code


def run_workers(config: GatewayConfig) -> int:
    """Run `config.server.workers` processes on one port until a stop signal; the exit code."""
    metrics_dir = Path(tempfile.mkdtemp(prefix="gerbang-metrics-"))
    try:
        return asyncio.run(_supervise(config, metrics_dir))
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
