"""Stage: forward the request upstream and stream the response back.

The request body streams through unless an earlier stage read it (to scan and mask it).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor

import aiohttp
from aiohttp import hdrs, web

from gateway.errors import BodyTooLarge, GerbangError, UpstreamTimeout, UpstreamUnreachable
from gateway.exchange import CLIENT_CLOSED, Exchange
from gateway.headers import client_response_headers, upstream_request_headers
from gateway.metrics import ProxyMetrics
from gateway.rewrite import ResponseRewriter
from gateway.stages.respond import relay_rewritten
from gateway.upstream import UpstreamClient

LOG = logging.getLogger("gerbang.forward")

RewriterFactory = Callable[[Exchange], ResponseRewriter | None]
"""Gives the response rewriter of an exchange, or None when its response passes unchanged."""


class _CoalescedResponse(web.StreamResponse):
    """Holds the status line and headers back until the first body bytes, to send both at once.

    Used only for bodies of known length, which follow their headers directly: one write instead
    of two per exchange. Streams of unknown length (SSE, chunked) send their headers at once.
    """

    _send_headers_immediately = False


class ForwardUpstream:
    """Sends the exchange to the route's upstream and relays its answer as it arrives."""

    def __init__(
        self,
        upstream: UpstreamClient,
        metrics: ProxyMetrics,
        rewriter_for: RewriterFactory | None = None,
        executor: ThreadPoolExecutor | None = None,
    ) -> None:
        self._upstream = upstream
        self._metrics = metrics
        self._rewriter_for = rewriter_for
        self._executor = executor

    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        """Forward; upstream failures before the response starts become 502/504 problems."""
        assert exchange.match is not None
        request = exchange.request
        route = exchange.match.route
        headers = upstream_request_headers(
            request.headers,
            client_ip=request.remote,
            scheme=request.scheme,
            host=request.host,
            request_id=exchange.request_id,
            forward_authorization=route.forward_authorization,
        )
        body: bytes | AsyncIterator[bytes] | None
        if exchange.body is not None:
            # Read (and possibly masked) by earlier stages: its length and encoding are new.
            body = exchange.body
            headers.popall(hdrs.CONTENT_LENGTH, None)
            if exchange.body_decoded:
                headers.popall(hdrs.CONTENT_ENCODING, None)
        elif request.body_exists:
            body = _counted_body(exchange, route.max_body_bytes)
        else:
            body = None
        rewriter = self._rewriter_for(exchange) if self._rewriter_for is not None else None
        if rewriter is not None:
            headers[hdrs.ACCEPT_ENCODING] = "identity"  # the answer is read as text here
        response: web.StreamResponse | None = None
        try:
            async with self._upstream.session.request(
                request.method,
                exchange.match.upstream_url,
                headers=headers,
                data=body,
                allow_redirects=False,
                timeout=self._upstream.timeout(route),
                ssl=self._upstream.ssl(route),
            ) as upstream:
                exchange.upstream_status = upstream.status
                if rewriter is not None:
                    response_headers = client_response_headers(
                        upstream.headers, request_id=exchange.request_id
                    )
                    assert self._executor is not None
                    return await relay_rewritten(
                        exchange,
                        upstream,
                        response_headers,
                        rewriter,
                        self._executor,
                        functools.partial(_finish, exchange),
                    )
                response_class = (
                    _CoalescedResponse
                    if upstream.content_length is not None
                    else web.StreamResponse
                )
                response = response_class(
                    status=upstream.status,
                    reason=upstream.reason,
                    headers=client_response_headers(
                        upstream.headers, request_id=exchange.request_id
                    ),
                )
                await response.prepare(request)
                async for chunk in upstream.content.iter_any():
                    await response.write(chunk)
                    exchange.bytes_out += len(chunk)
                await _finish(exchange, response)
                return response
        except (TimeoutError, aiohttp.ClientError, ConnectionResetError) as exc:
            if isinstance(exc, ConnectionResetError) and _client_gone(request):
                # The client went away while we were writing; the upstream call goes with it.
                exchange.status = CLIENT_CLOSED
                return response
            error = _classify(exchange, exc)
            self._metrics.upstream_error(route.name, error.code)
            if response is None or not response.prepared:
                raise error from exc
            # Headers are already sent: the only honest signal left is to cut the connection,
            # so the client sees a truncated response rather than a complete-looking one.
            exchange.error_code = error.code
            LOG.warning(
                "upstream failed mid-response",
                extra={"request_id": exchange.request_id, "route": route.name, "code": error.code},
            )
            if request.transport is not None:
                request.transport.close()
            return response


async def _finish(exchange: Exchange, response: web.StreamResponse, tail: bytes = b"") -> None:
    """Commit the exchange's audit record, then end the response.

    If the record cannot be committed, the response is cut instead of completed: the client
    never receives a complete-looking answer that the audit log does not know about.
    """
    exchange.status = response.status
    try:
        await exchange.finalize()
    except GerbangError as error:
        exchange.error_code = error.code
        LOG.error("exchange not recorded; response cut", extra={"code": error.code})
        if exchange.request.transport is not None:
            exchange.request.transport.close()
        return
    if tail:
        await response.write(tail)
    await response.write_eof()


def _client_gone(request: web.BaseRequest) -> bool:
    """True when the client's connection is closed or closing."""
    return request.transport is None or request.transport.is_closing()


def _classify(exchange: Exchange, exc: BaseException) -> GerbangError:
    """Map an upstream client failure to the gateway error it stands for."""
    if exchange.body_too_large:
        limit = exchange.match.route.max_body_bytes if exchange.match else 0
        return BodyTooLarge(f"the body exceeded {limit} bytes")
    if isinstance(exc, TimeoutError):
        return UpstreamTimeout()
    return UpstreamUnreachable()


async def _counted_body(exchange: Exchange, limit: int) -> AsyncIterator[bytes]:
    """The request body as it arrives, stopped as soon as it passes the route's limit."""
    async for chunk in exchange.request.content.iter_any():
        exchange.bytes_in += len(chunk)
        if exchange.bytes_in > limit:
            exchange.body_too_large = True
            raise BodyTooLarge()
        yield chunk
