"""Stage: take a token from the route's buckets for this caller; an empty bucket ends with 429.

The caller is the authenticated principal (issuer and subject); on public routes, where there is
none, it is the client address. Runs after authentication and before the body is read, so a
refused request costs no body reading or scanning. Routes without `rate_limit` pass untouched.
"""

from __future__ import annotations

from aiohttp import web

from gateway.exchange import Exchange
from gateway.ratelimit.limiter import RateLimiter


def caller_key(exchange: Exchange) -> str:
    """Who a per-principal bucket belongs to (the limiter stores only a pseudonym of it)."""
    principal = exchange.principal
    if principal is not None:
        return f"principal\x1f{principal.issuer}\x1f{principal.subject}"
    return f"client\x1f{exchange.client_address or '-'}"


class RateLimit:
    """Ends with 429 (and Retry-After) when the caller's or the service's bucket is empty."""

    def __init__(self, limiter: RateLimiter) -> None:
        self._limiter = limiter

    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        """Check the route's limits for this caller."""
        assert exchange.match is not None
        route = exchange.match.route.name
        if self._limiter.applies(route):
            await self._limiter.check(route, caller_key(exchange))
        return None
