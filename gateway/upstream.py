"""The pooled HTTP client that talks to upstream services, with per-route TLS and timeouts."""

from __future__ import annotations

import ssl

import aiohttp

from gateway.config import RouteConfig, UpstreamPoolConfig
from gateway.tls import upstream_ssl_context

# Never add headers the client did not send; the upstream sees the client's own.
_SKIP_AUTO_HEADERS = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")


class UpstreamClient:
    """One connection pool per worker process, shared by every route."""

    def __init__(self, pool: UpstreamPoolConfig, routes: tuple[RouteConfig, ...]) -> None:
        self._pool = pool
        self._timeouts = {
            r.name: aiohttp.ClientTimeout(total=r.total_timeout, sock_connect=r.connect_timeout)
            for r in routes
        }
        self._ssl = {
            r.name: upstream_ssl_context(r) for r in routes if r.upstream_url.scheme == "https"
        }
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Open the connection pool (inside the running event loop)."""
        connector = aiohttp.TCPConnector(
            limit=self._pool.max_connections,
            limit_per_host=self._pool.max_connections_per_host,
            keepalive_timeout=self._pool.keepalive_timeout,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            skip_auto_headers=_SKIP_AUTO_HEADERS,
            cookie_jar=aiohttp.DummyCookieJar(),
        )

    async def close(self) -> None:
        """Close every pooled connection."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """The shared session; only valid between start() and close()."""
        if self._session is None:
            raise RuntimeError("upstream client not started")
        return self._session

    def timeout(self, route: RouteConfig) -> aiohttp.ClientTimeout:
        """The route's connect and total timeouts."""
        return self._timeouts[route.name]

    def ssl(self, route: RouteConfig) -> ssl.SSLContext | bool:
        """The TLS context for an https route (always verifying), True for plain http."""
        return self._ssl.get(route.name, True)
