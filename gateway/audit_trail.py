"""One audit record per exchange, built from what the pipeline learnt; never values.

The caller appears as a keyed pseudonym of (issuer, subject) (`audit.record.principal_input`, so
`gerbang audit pseudonym` finds the same value); the path as a template without identifiers or
query values. The PII part lists types, counts, categories and the operator applied on each side.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import audit.errors
from audit.record import (
    AuditRecord,
    Decision,
    PiiCount,
    Upstream,
    client_address,
    now_rfc3339,
    path_template,
    principal_input,
)
from audit.writer import AuditWriter
from gateway.errors import AuditUnavailable
from gateway.exchange import CLIENT_CLOSED, Exchange
from pii.entities import category_of

_UPSTREAM_OUTCOME = {502: "unreachable", 504: "timeout"}

Pseudonymize = Callable[[str], str]


class AuditTrail:
    """Turns finished exchanges into records and appends them to the audit log."""

    def __init__(
        self, writer: AuditWriter, pseudonymize: Pseudonymize, *, truncate_client: bool
    ) -> None:
        self._writer = writer
        self._pseudonymize = pseudonymize
        self._truncate = truncate_client

    async def record(self, exchange: Exchange) -> None:
        """Append the exchange's record; raises AuditUnavailable when it cannot be committed."""
        try:
            await self._writer.append(self.build(exchange))
        except audit.errors.AuditUnavailable as exc:
            raise AuditUnavailable(str(exc)) from None

    def build(self, exchange: Exchange) -> AuditRecord:
        """The record of one exchange."""
        request = exchange.request
        principal = exchange.principal
        decision = exchange.decision
        status = exchange.status or CLIENT_CLOSED
        return AuditRecord(
            time=now_rfc3339(),
            request_id=exchange.request_id,
            principal=(
                self._pseudonymize(principal_input(principal.issuer, principal.subject))
                if principal is not None
                else None
            ),
            client_address=client_address(exchange.client_address, truncate=self._truncate),
            route=exchange.route_name,
            method=request.method if request.method.isalpha() else "",
            path_template=path_template(request.path_qs),
            purpose=exchange.purpose,
            decision=(
                Decision(
                    allow=decision.allow,
                    status=decision.status,
                    reason=decision.reason[:200] if decision.reason else None,
                    policy_revision=exchange.policy_revision,
                )
                if decision is not None
                else None
            ),
            pii=_pii_counts(exchange),
            status=status,
            latency_ms=round((time.perf_counter() - exchange.started) * 1000, 3),
            bytes_in=exchange.bytes_in,
            bytes_out=exchange.bytes_out,
            upstream=_upstream(exchange),
            error_code=exchange.error_code,
        )


def _pii_counts(exchange: Exchange) -> tuple[PiiCount, ...]:
    counts: dict[str, int] = {}
    for findings in exchange.request_findings:
        for finding in findings:
            counts[finding.type] = counts.get(finding.type, 0) + 1
    request_side = [
        PiiCount(
            side="request",
            type=entity_type,
            count=count,
            category=category_of(entity_type).value,
            operator=exchange.request_operators.get(entity_type),
        )
        for entity_type, count in sorted(counts.items())
    ]
    response_side = [
        PiiCount(
            side="response",
            type=entity_type,
            count=count,
            category=category_of(entity_type).value,
            operator=exchange.response_operators.get(entity_type),
        )
        for entity_type, count in sorted(exchange.response_masked.items())
    ]
    return (*request_side, *response_side)


def _upstream(exchange: Exchange) -> Upstream | None:
    if exchange.upstream_status is not None:
        return Upstream(status=exchange.upstream_status, outcome="answered")
    outcome = _UPSTREAM_OUTCOME.get(exchange.status or 0)
    if outcome is not None and exchange.error_code in ("upstream_unreachable", "upstream_timeout"):
        return Upstream(status=None, outcome=outcome)
    return None
