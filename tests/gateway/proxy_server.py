"""Serve a ProxyService in tests exactly as `gerbang serve` does."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.test_utils import BaseTestServer

from gateway.app import ProxyService


class ProxyTestServer(BaseTestServer):  # type: ignore[type-arg]
    """Serves a ProxyService exactly as `gerbang serve` does, on a free loopback port."""

    def __init__(self, proxy: ProxyService) -> None:
        super().__init__()
        self._proxy = proxy

    async def _make_runner(self, **_: Any) -> web.BaseRunner:
        return self._proxy.runner()
