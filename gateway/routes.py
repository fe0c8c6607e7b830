"""The route table: which service a request belongs to, and the upstream URL it goes to."""

from __future__ import annotations

from dataclasses import dataclass

from yarl import URL

from gateway.config import RouteConfig
from gateway.errors import BadRequest, RouteNotFound


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """A request matched to a route, with the upstream URL to forward to."""

    route: RouteConfig
    upstream_url: URL


@dataclass(frozen=True, slots=True)
class _Entry:
    route: RouteConfig
    prefix: str  # without trailing slash; "" matches every path
    scheme: str
    authority: str
    base_path: str  # upstream base path without trailing slash


class RouteTable:
    """Matches requests to routes: host-specific routes first, then the longest path prefix.

    Matching uses the path exactly as the client sent it (still percent-encoded), and the
    upstream receives that same raw path, so routing and the upstream never disagree about
    what the path is. Paths with dot segments are refused rather than normalised.
    """

    def __init__(self, routes: tuple[RouteConfig, ...]) -> None:
        entries = [
            _Entry(
                route=r,
                prefix=r.path_prefix.rstrip("/"),
                scheme=r.upstream_url.scheme,
                authority=r.upstream_url.raw_authority,
                base_path=r.upstream_url.raw_path.rstrip("/"),
            )
            for r in routes
        ]
        entries.sort(key=lambda e: (e.route.host is None, -len(e.prefix)))
        self._entries = tuple(entries)
        self._by_name = {r.name: r for r in routes}

    def route(self, name: str) -> RouteConfig:
        """The route called `name`."""
        return self._by_name[name]

    def match(self, host: str | None, raw_path: str, raw_query: str) -> RouteMatch:
        """Find the route for a request; raise RouteNotFound or BadRequest."""
        if not raw_path.startswith("/"):
            raise BadRequest("the request target must be an absolute path")
        if _has_dot_segment(raw_path):
            raise BadRequest("paths with '.' or '..' segments are refused")
        request_host = _bare_host(host)
        for entry in self._entries:
            if entry.route.host is not None and entry.route.host != request_host:
                continue
            prefix = entry.prefix
            if prefix and not (
                raw_path == prefix or (raw_path.startswith(prefix) and raw_path[len(prefix)] == "/")
            ):
                continue
            rest = raw_path[len(prefix) :] if entry.route.strip_prefix else raw_path
            path = entry.base_path + (rest if rest.startswith("/") else "/" + rest)
            url = URL.build(
                scheme=entry.scheme,
                authority=entry.authority,
                path=path,
                query_string=raw_query,
                encoded=True,
            )
            return RouteMatch(entry.route, url)
        raise RouteNotFound()


def _bare_host(host: str | None) -> str | None:
    """The Host header without port, lower-cased (IPv6 literals keep their brackets)."""
    if not host:
        return None
    host = host.lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if ":" in host else host


def _has_dot_segment(raw_path: str) -> bool:
    """True when the path, decoded, has a '.' or '..' segment (also with '\\' as separator)."""
    if "." not in raw_path and "%2e" not in raw_path.lower():
        return False
    decoded = URL.build(path=raw_path, encoded=True).path.replace("\\", "/")
    return any(segment in (".", "..") for segment in decoded.split("/"))
