"""The state of one exchange as it moves through the pipeline's stages."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from aiohttp import web

from gateway.routes import RouteMatch

CLIENT_CLOSED = 499  # status recorded when the client goes away before the response is complete


@dataclass(slots=True)
class Exchange:
    """One request and its response. Stages read and fill it; it never holds bodies."""

    request: web.BaseRequest
    request_id: str
    started: float = field(default_factory=time.perf_counter)
    match: RouteMatch | None = None
    status: int | None = None
    upstream_status: int | None = None
    error_code: str | None = None
    bytes_in: int = 0
    bytes_out: int = 0
    body_too_large: bool = False

    @property
    def route_name(self) -> str | None:
        """The matched route's name, once routing has happened."""
        return self.match.route.name if self.match else None
