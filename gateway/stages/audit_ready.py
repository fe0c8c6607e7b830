"""Stage: refuse new exchanges while the audit log cannot be written (fail closed)."""

from __future__ import annotations

from aiohttp import web

from audit.writer import AuditWriter
from gateway.errors import AuditUnavailable
from gateway.exchange import Exchange


class RequireAudit:
    """Ends the exchange with 503 before anything is read or forwarded if records are failing."""

    def __init__(self, writer: AuditWriter) -> None:
        self._writer = writer

    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        """Pass while the writer accepts records."""
        if not self._writer.accepting:
            raise AuditUnavailable("the audit log cannot be written; exchanges are refused")
        return None
