"""What a stage is: it passes the exchange on (returns None) or ends it with a response."""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from gateway.exchange import Exchange


class Stage(Protocol):
    """One step of the exchange. Raising a GerbangError ends the exchange with a problem."""

    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        """Run the step; return a response to end the exchange, or None to continue."""
        ...
