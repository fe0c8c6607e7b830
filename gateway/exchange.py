"""The state of one exchange as it moves through the pipeline's stages."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiohttp import web

from gateway.routes import RouteMatch
from pii.vault import PlaceholderVault

if TYPE_CHECKING:
    from gateway.auth.principal import Principal
    from gateway.bodies import TextFields
    from pii.findings import Finding
    from policies.decision import Decision

CLIENT_CLOSED = 499  # status recorded when the client goes away before the response is complete


@dataclass(slots=True)
class Exchange:
    """One request and its response. Stages read and fill it.

    The request body is held only on routes that scan requests, and only for this exchange.
    """

    request: web.BaseRequest
    request_id: str
    client_address: str | None = None  # the peer, or the client a trusted proxy forwarded for
    started: float = field(default_factory=time.perf_counter)
    match: RouteMatch | None = None
    status: int | None = None
    upstream_status: int | None = None
    error_code: str | None = None
    bytes_in: int = 0
    bytes_out: int = 0
    body_too_large: bool = False
    principal: Principal | None = None
    purpose: str | None = None
    decision: Decision | None = None
    policy_revision: str | None = None
    # Set by ReadBody on routes that scan requests: the decoded body and its text fields.
    body: bytes | None = None
    body_decoded: bool = False
    request_fields: TextFields | None = None
    request_scanned: bool = False
    request_findings: tuple[tuple[Finding, ...], ...] = ()
    request_operators: dict[str, str] = field(default_factory=dict)  # type -> operator applied
    vault: PlaceholderVault = field(default_factory=PlaceholderVault)
    conversation_key: str | None = None
    conversation_version: bytes | None = None  # the stored mapping the vault was loaded from
    response_masked: dict[str, int] = field(default_factory=dict)  # type -> count, in responses
    response_operators: dict[str, str] = field(default_factory=dict)  # type -> operator applied
    # Called once the response is rewritten, before it completes (a conversation keeps the
    # placeholders the response made).
    after_response: Callable[[Exchange], Awaitable[None]] | None = None
    # Called once when the exchange's outcome is known, before the response completes (audit).
    finalizer: Callable[[Exchange], Awaitable[None]] | None = None
    finalized: bool = False

    async def response_done(self) -> None:
        """Run `after_response` once (later calls do nothing)."""
        hook, self.after_response = self.after_response, None
        if hook is not None:
            await hook(self)

    async def finalize(self) -> None:
        """Run the finalizer once (the audit record); later calls do nothing."""
        if self.finalizer is not None and not self.finalized:
            self.finalized = True
            await self.finalizer(self)

    @property
    def route_name(self) -> str | None:
        """The matched route's name, once routing has happened."""
        return self.match.route.name if self.match else None
