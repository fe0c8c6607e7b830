"""The exchange, in order. This list is the one place that says what happens to a request.

    client -> route -> body limit -> authenticate -> rate limit -> read body -> detect PII
           -> authorize (policy) -> conversation -> mask request -> save conversation
           -> forward upstream -> restore / mask the response -> client
    and, for every exchange however it ends: one audit record, committed before the response
    completes; metrics and the access log.

A stage never knows about the stages after it; each passes the exchange on or ends it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Sequence

from aiohttp import web

from gateway.access_log import AccessLog
from gateway.audit_trail import AuditTrail
from gateway.client_address import ClientAddresses
from gateway.components import Components
from gateway.errors import BodyTooLarge, GerbangError
from gateway.exchange import CLIENT_CLOSED, Exchange
from gateway.headers import X_FORWARDED_FOR, request_id_from
from gateway.metrics import NO_ROUTE, ProxyMetrics, method_label
from gateway.problem import problem_response
from gateway.rewrite import ResponseRewriter
from gateway.routes import RouteTable
from gateway.stages.audit_ready import RequireAudit
from gateway.stages.authenticate import Authenticate
from gateway.stages.authorize import Authorize
from gateway.stages.base import Stage
from gateway.stages.body_limit import LimitBody
from gateway.stages.conversation import LoadConversation, SaveConversation
from gateway.stages.detect import Detect
from gateway.stages.forward import ForwardUpstream
from gateway.stages.mask_request import MaskRequest, masking_plan
from gateway.stages.rate_limit import RateLimit
from gateway.stages.read_body import ReadBody
from gateway.stages.route import ResolveRoute
from gateway.upstream import UpstreamClient
from keys.algorithms import hmac_sha256, random_key

LOG = logging.getLogger("gerbang.pipeline")


def build_stages(
    routes: RouteTable, upstream: UpstreamClient, metrics: ProxyMetrics, parts: Components
) -> tuple[Stage, ...]:
    """The stages of one exchange, in the order they run."""
    conversation: tuple[Stage, ...] = ()
    save: tuple[Stage, ...] = ()
    mask = MaskRequest(parts.anonymizer, parts.executor)
    if parts.conversations is not None:
        pseudonymize = parts.keyring.pseudonym if parts.keyring else _process_pseudonym()
        conversation = (
            LoadConversation(parts.conversations, parts.config.conversations.header, pseudonymize),
        )
        save = (SaveConversation(parts.conversations, mask),)
    audit: tuple[Stage, ...] = ()
    if parts.audit_writer is not None:
        audit = (RequireAudit(parts.audit_writer),)
    return (
        ResolveRoute(routes),
        *audit,
        LimitBody(),
        Authenticate(parts.authenticator),
        *((RateLimit(parts.rate_limiter),) if parts.rate_limiter else ()),
        ReadBody(),
        Detect(parts.pii, parts.executor, parts.findings_cache),
        Authorize(parts.policy),
        *conversation,
        mask,
        *save,
        ForwardUpstream(
            upstream, metrics, functools.partial(response_rewriter, parts), parts.executor
        ),
    )


def response_rewriter(parts: Components, exchange: Exchange) -> ResponseRewriter | None:
    """How this exchange's response is rewritten, or None when it passes unchanged."""
    decision = exchange.decision
    if decision is None:
        return None
    mapping = exchange.vault.mapping if decision.restore else None
    if not decision.scan_response and not mapping:
        return None
    assert exchange.match is not None
    language = exchange.match.route.pii.language
    plan = masking_plan(decision.masking)
    rewriter = ResponseRewriter(
        analyze=(
            functools.partial(parts.pii.analyze, language=language)
            if decision.scan_response
            else None
        ),
        anonymizer=parts.anonymizer,
        plan=plan,
        vault=exchange.vault,
        mapping=mapping,
    )
    exchange.response_masked = rewriter.counts.masked
    exchange.response_operators = {t: spec.name for t, spec in plan.items()}
    return rewriter


def _process_pseudonym() -> Callable[[str], str]:
    """Without a keyring: a key of this process (conversations then live in its memory only)."""
    key = random_key()
    return lambda value: "p0:" + hmac_sha256(key, value.encode()).hex()


class Pipeline:
    """Runs the stages for each request and accounts for every exchange."""

    def __init__(
        self,
        stages: Sequence[Stage],
        metrics: ProxyMetrics,
        access_log: AccessLog | None,
        audit: AuditTrail | None = None,
        client_addresses: ClientAddresses | None = None,
    ) -> None:
        self._stages = tuple(stages)
        self._client_addresses = client_addresses or ClientAddresses()
        self._metrics = metrics
        self._access_log = access_log
        self._audit = audit
        self._pending_records: set[asyncio.Task[None]] = set()

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        """The aiohttp handler for every proxied request."""
        exchange = Exchange(request, request_id_from(request.headers))
        exchange.client_address = self._client_addresses.resolve(
            request.remote, request.headers.getall(X_FORWARDED_FOR, ())
        )
        if self._audit is not None:
            exchange.finalizer = self._audit.record
        self._metrics.in_flight += 1
        try:
            response = await self._run(exchange)
            if exchange.status is None:
                exchange.status = response.status
            if not exchange.finalized and exchange.status != CLIENT_CLOSED:
                # Refusals and whole responses not yet sent: recorded before they go out.
                try:
                    await exchange.finalize()
                except GerbangError as error:
                    exchange.status = error.status
                    return self._refuse(exchange, error)
            return response
        except asyncio.CancelledError:
            exchange.status = CLIENT_CLOSED
            raise
        finally:
            self._metrics.in_flight -= 1
            if not exchange.finalized and exchange.finalizer is not None:
                self._record_later(exchange)  # the client left: still one record
            self._account(exchange)

    def _record_later(self, exchange: Exchange) -> None:
        if exchange.status is None:
            exchange.status = CLIENT_CLOSED
        task = asyncio.get_running_loop().create_task(self._finalize_quietly(exchange))
        self._pending_records.add(task)
        task.add_done_callback(self._pending_records.discard)

    @staticmethod
    async def _finalize_quietly(exchange: Exchange) -> None:
        try:
            await exchange.finalize()
        except GerbangError as error:
            LOG.error("exchange not recorded", extra={"code": error.code})

    async def _run(self, exchange: Exchange) -> web.StreamResponse:
        try:
            for stage in self._stages:
                response = await stage(exchange)
                if response is not None:
                    return response
            raise GerbangError("no stage produced a response")
        except GerbangError as error:
            return self._refuse(exchange, error)
        except Exception as exc:  # fail closed: an unexpected error never forwards anything
            LOG.exception(
                "stage failed",
                extra={"request_id": exchange.request_id, "error": type(exc).__name__},
            )
            return self._refuse(exchange, GerbangError())

    @staticmethod
    def _refuse(exchange: Exchange, error: GerbangError) -> web.StreamResponse:
        exchange.error_code = error.code
        response = problem_response(error, exchange.request_id)
        if isinstance(error, BodyTooLarge):
            response.force_close()  # the rest of the body is never read
        return response

    def _account(self, exchange: Exchange) -> None:
        route = exchange.route_name or NO_ROUTE
        status = exchange.status or CLIENT_CLOSED
        elapsed = time.perf_counter() - exchange.started
        method = method_label(exchange.request.method)
        self._metrics.observe(route, method, status, elapsed)
        if self._access_log is not None:
            self._access_log.record(
                exchange, route=route, method=method, status=status, elapsed=elapsed
            )
