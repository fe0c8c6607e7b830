"""The exchange, in order. This list is the one place that says what happens to a request.

    client -> resolve route -> limit body -> forward upstream (streaming both ways) -> client

Later stages (authenticate, detect PII, authorize, mask, restore, audit) slot into STAGES. A stage
never knows about the stages after it. Every exchange, however it ends, is counted in the metrics
and written to the access log (route, method, status, sizes, timing; never paths or bodies).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from aiohttp import web

from gateway.access_log import AccessLog
from gateway.errors import BodyTooLarge, GerbangError
from gateway.exchange import CLIENT_CLOSED, Exchange
from gateway.headers import request_id_from
from gateway.metrics import NO_ROUTE, ProxyMetrics, method_label
from gateway.problem import problem_response
from gateway.routes import RouteTable
from gateway.stages.base import Stage
from gateway.stages.body_limit import LimitBody
from gateway.stages.forward import ForwardUpstream
from gateway.stages.route import ResolveRoute
from gateway.upstream import UpstreamClient

LOG = logging.getLogger("gerbang.pipeline")


def build_stages(
    routes: RouteTable, upstream: UpstreamClient, metrics: ProxyMetrics
) -> tuple[Stage, ...]:
    """The stages of one exchange, in the order they run."""
    return (
        ResolveRoute(routes),
        LimitBody(),
        ForwardUpstream(upstream, metrics),
    )


class Pipeline:
    """Runs the stages for each request and accounts for every exchange."""

    def __init__(
        self, stages: Sequence[Stage], metrics: ProxyMetrics, access_log: AccessLog | None
    ) -> None:
        self._stages = tuple(stages)
        self._metrics = metrics
        self._access_log = access_log

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        """The aiohttp handler for every proxied request."""
        exchange = Exchange(request, request_id_from(request.headers))
        self._metrics.in_flight += 1
        try:
            response = await self._run(exchange)
            if exchange.status is None:
                exchange.status = response.status
            return response
        except asyncio.CancelledError:
            exchange.status = CLIENT_CLOSED
            raise
        finally:
            self._metrics.in_flight -= 1
            self._account(exchange)

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
