"""Stage: refuse a request body larger than the route allows, before anything is forwarded."""

from __future__ import annotations

from aiohttp import web

from gateway.errors import BodyTooLarge
from gateway.exchange import Exchange


class LimitBody:
    """Checks a declared Content-Length; bodies without one are counted while they stream."""

    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        """End with 413 when the declared length exceeds the route's `max_body_bytes`."""
        assert exchange.match is not None
        limit = exchange.match.route.max_body_bytes
        declared = exchange.request.content_length
        if declared is not None and declared > limit:
            raise BodyTooLarge(f"the body is {declared} bytes; this route accepts {limit}")
        return None
