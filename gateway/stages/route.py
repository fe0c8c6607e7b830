"""Stage: find the route (service) for the request."""

from __future__ import annotations

from aiohttp import web

from gateway.exchange import Exchange
from gateway.routes import RouteTable


class ResolveRoute:
    """Matches host and path against the route table; unknown paths end with 404."""

    def __init__(self, routes: RouteTable) -> None:
        self._routes = routes

    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        """Attach the route match to the exchange."""
        request = exchange.request
        raw_path, _, raw_query = request.raw_path.partition("?")
        exchange.match = self._routes.match(request.host, raw_path, raw_query)
        return None
