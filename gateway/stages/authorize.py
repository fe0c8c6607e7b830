"""Stage: ask the policy what this caller may do with this exchange.

The input document (docs/policy-input.md) names the caller, the route and its tags, the method,
path, purpose, client address and time, and a summary of the personal data found in the request
(types, counts, categories; never values). The decision says whether the exchange may go on, how
each type is masked, whether the caller may get values back, and whether the response is
scanned. A refusal ends the exchange with the decision's status (403 unless it names another).
"""

from __future__ import annotations

from aiohttp import web

import policies.errors
from gateway.config import PURPOSE
from gateway.errors import BadRequest, PolicyDenied, PolicyUnavailable
from gateway.exchange import Exchange
from policies.engine import PolicyEngine
from policies.input import build_input

PURPOSE_HEADER = "X-Purpose"


class Authorize:
    """Builds the policy input, asks the engine, and keeps the decision on the exchange."""

    def __init__(self, engine: PolicyEngine) -> None:
        self._engine = engine

    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        """Attach the decision; raise PolicyDenied when it does not allow the exchange."""
        assert exchange.match is not None
        route = exchange.match.route
        request = exchange.request
        exchange.purpose = purpose_of(request.headers.get(PURPOSE_HEADER), route.purpose)
        document = build_input(
            principal=exchange.principal,
            route_name=route.name,
            route_tags=route.tags,
            method=request.method,
            path=request.path,
            purpose=exchange.purpose,
            client_address=exchange.client_address,
            pii_request=pii_counts(exchange) if exchange.request_scanned else None,
        )
        # Read before deciding: a reload during the decision must not relabel it. (The embedded
        # engine decides with the policy in force when `decide` is called.)
        exchange.policy_revision = self._engine.revision
        try:
            decision = await self._engine.decide(document)
        except policies.errors.PolicyUnavailable as exc:
            raise PolicyUnavailable(str(exc)) from None
        exchange.decision = decision
        if decision.revision is not None:  # the engine says which revision decided (OPA)
            exchange.policy_revision = decision.revision

        if not decision.allow:
            raise PolicyDenied(decision.reason or None, status=decision.status)
        return None


def pii_counts(exchange: Exchange) -> dict[str, tuple[int, str]]:
    """Type -> (count, UU PDP category) of what was found in the request; never values."""
    counts: dict[str, tuple[int, str]] = {}
    for findings in exchange.request_findings:
        for finding in findings:
            count, _ = counts.get(finding.type, (0, ""))
            counts[finding.type] = (count + 1, finding.category.value)
    return counts


def purpose_of(header: str | None, default: str | None) -> str | None:
    """The caller's declared purpose, or the route's; a malformed header is a 400."""
    if header is None:
        return default
    value = header.strip()
    if not PURPOSE.match(value):
        raise BadRequest(f"{PURPOSE_HEADER} must be a purpose name such as layanan_informasi")
    return value
