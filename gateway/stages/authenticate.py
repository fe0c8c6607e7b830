"""Stage: identify the caller. Routes marked `public` skip it; everything else needs credentials."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from aiohttp import web

from gateway.auth.principal import Principal
from gateway.errors import GerbangError
from gateway.exchange import Exchange


class CallerAuthenticator(Protocol):
    """What the stage needs from gateway.auth.Authenticator."""

    async def authenticate(self, headers: Mapping[str, str]) -> Principal:
        """The verified caller; raises Unauthenticated (401) otherwise."""
        ...


class Authenticate:
    """Attaches the verified principal; missing or invalid credentials end the exchange with 401."""

    def __init__(self, authenticator: CallerAuthenticator | None) -> None:
        self._authenticator = authenticator

    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        """Verify the credentials unless the route is public."""
        assert exchange.match is not None
        if exchange.match.route.public:
            return None
        if self._authenticator is None:
            # Config validation refuses this combination; refusing here keeps it fail-closed.
            raise GerbangError("this route needs authentication but none is configured")
        exchange.principal = await self._authenticator.authenticate(exchange.request.headers)
        return None
