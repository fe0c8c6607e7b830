"""A bundle service and an OPA server pulling from it, for the bundle tests and the scale tests.

The service is a real aiohttp server on loopback in its own thread (a separate server, as in a
deployment): it serves the bundle last published with an ETag, answers a matching If-None-Match
with 304, and records what every client sent. `opa_pulling` runs the real `opa run --server`
configured to poll it and verify the bundle's signature.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from tests.policies.opa import free_port, stop_process

RESOURCE = "bundles/gerbang.tar.gz"
OPA_START_DEADLINE_S = 20.0


@dataclass(frozen=True)
class Request:
    client: str
    """"gateway" (aiohttp) or "opa"."""
    if_none_match: str | None
    status: int
    etag: str


class BundleService:
    """One bundle at /bundles/gerbang.tar.gz, its ETag, 304 when it matches, 503 while down."""

    def __init__(self) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/{RESOURCE}"
        self.body = b""
        self.etag = ""
        self.down = False
        self.requests: list[Request] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    def publish(self, bundle: Path) -> str:
        """Serve `bundle` from now on; returns its ETag."""
        body = bundle.read_bytes()
        self.body, self.etag = body, f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        return self.etag

    def served(self, client: str, etag: str) -> bool:
        """Whether `client` has downloaded the bundle with `etag` (a 200 for it)."""
        return any(r.client == client and r.status == 200 and r.etag == etag for r in self.requests)

    async def _handle(self, request: web.Request) -> web.Response:
        client = "gateway" if "aiohttp" in request.headers.get("User-Agent", "") else "opa"
        sent = request.headers.get("If-None-Match")
        body, etag = self.body, self.etag
        if self.down:
            status = 503
        elif sent == etag:
            status = 304
        else:
            status = 200
        self.requests.append(Request(client, sent, status, etag))
        if status == 200:
            return web.Response(body=body, headers={"ETag": etag},
                                content_type="application/gzip")  # fmt: skip
        return web.Response(status=status, headers={"ETag": etag} if status == 304 else {})

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get(f"/{RESOURCE}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @contextlib.contextmanager
    def running(self) -> Iterator[BundleService]:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        try:
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()


@contextlib.contextmanager
def opa_pulling(
    opa_binary: str, service: BundleService, public_key: Path, folder: Path, interval: int
) -> Iterator[str]:
    """`opa run --server` on loopback pulling `service`'s bundle every `interval` seconds and
    verifying it with `public_key` (RS256); yields OPA's base URL (it may not have a bundle yet)."""
    config = folder / "opa.yaml"
    config.write_text(
        f"services:\n  bundles:\n    url: {service.base}\n"
        f"bundles:\n  gerbang:\n    service: bundles\n    resource: {RESOURCE}\n"
        f"    polling: {{min_delay_seconds: {interval}, max_delay_seconds: {interval}}}\n"
        "    signing: {keyid: verifier}\n"
        "keys:\n  verifier: {algorithm: RS256}\n",
        encoding="utf-8",
    )
    port = free_port()
    process = subprocess.Popen(
        [opa_binary, "run", "--server", "--addr", f"127.0.0.1:{port}", "--log-level", "error",
         "--disable-telemetry", "--config-file", str(config),
         "--set-file", f"keys.verifier.key={public_key}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(process)


def activated_revision(url: str) -> str | None:
    """The revision of the bundle the OPA server at `url` has activated, or None (blocking)."""
    query = f"{url}/v1/data/system/bundles/gerbang/manifest/revision"
    try:
        with urllib.request.urlopen(query, timeout=2) as response:
            result = json.loads(response.read()).get("result")
    except (OSError, ValueError, urllib.error.URLError):
        return None
    return result if isinstance(result, str) else None


def wait_for_revision(url: str, revision: str, deadline: float = OPA_START_DEADLINE_S) -> float:
    """Seconds until the OPA server at `url` has activated `revision` (AssertionError after
    `deadline` seconds)."""
    start = time.monotonic()
    while activated_revision(url) != revision:
        assert time.monotonic() - start < deadline, f"OPA did not activate {revision}"
        time.sleep(0.05)
    return time.monotonic() - start
