"""Streamed answers are rewritten off the event loop: a slow scan never stalls other exchanges,
and the chunks that arrive while a rewrite runs are rewritten together."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from gateway.config import RouteConfig, RoutePiiConfig
from gateway.exchange import Exchange
from gateway.headers import client_response_headers
from gateway.rewrite import DEFAULT_STEP, ResponseRewriter
from gateway.routes import RouteMatch
from gateway.sse import SseRewriter
from gateway.stages import respond
from gateway.stages.respond import relay_rewritten
from pii.anonymizer import Anonymizer, OperatorSpec
from pii.findings import Finding
from pii.vault import PlaceholderVault

SCAN_S = 0.25  # how long each (simulated) scan of the held-back text takes
TEXT = "Silakan datang ke kantor kecamatan pada hari kerja dengan membawa dokumen asli. " * 2


def _event(content: str) -> bytes:
    choice = {"index": 0, "delta": {"content": content}, "finish_reason": None}
    chunk = {"id": "c1", "object": "chat.completion.chunk", "model": "lara", "choices": [choice]}
    return f"data: {json.dumps(chunk)}\n\n".encode()


async def _upstream(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    await response.write(_event(TEXT))
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response


def _slow_scan(text: str) -> Sequence[Finding]:
    time.sleep(SCAN_S)  # stands for detector CPU time; it would hold the loop if run on it
    return []


async def _gateway_client(
    aiohttp_server: Any,
    aiohttp_client: Any,
    upstream_handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    analyze: Callable[[str], Sequence[Finding]],
    executor: ThreadPoolExecutor,
    after_response: Callable[[Exchange], Awaitable[None]] | None = None,
    route: RouteConfig | None = None,
) -> Any:
    """A client of a gateway app relaying `upstream_handler`'s stream through a rewriter."""
    upstream_app = web.Application()
    upstream_app.router.add_get("/", upstream_handler)
    upstream = await aiohttp_server(upstream_app)
    rewriter = ResponseRewriter(
        analyze=analyze,
        anonymizer=Anonymizer(),
        plan={"*": OperatorSpec("placeholder")},
        vault=PlaceholderVault(),
        mapping=None,
    )

    async def relay(request: web.Request) -> web.StreamResponse:
        exchange = Exchange(request, "test-stream")
        exchange.after_response = after_response
        if route is not None:
            exchange.match = RouteMatch(route, upstream.make_url("/"))
        async with (
            aiohttp.ClientSession() as session,
            session.get(upstream.make_url("/")) as answer,
        ):
            headers = client_response_headers(answer.headers, request_id=exchange.request_id)

            async def finish(response: web.StreamResponse, tail: bytes) -> None:
                await response.write(tail)
                await response.write_eof()

            return await relay_rewritten(exchange, answer, headers, rewriter, executor, finish)

    gateway_app = web.Application()
    gateway_app.router.add_get("/", relay)
    return await aiohttp_client(gateway_app)


def _streamed_text(body: bytes) -> str:
    return "".join(
        json.loads(line[6:])["choices"][0]["delta"].get("content", "")
        for line in body.decode().split("\n")
        if line.startswith("data: {")
    )


async def test_when_a_stream_is_scanned_slowly_then_the_event_loop_keeps_turning(
    aiohttp_server: Any, aiohttp_client: Any
) -> None:
    executor = ThreadPoolExecutor(2)
    client = await _gateway_client(aiohttp_server, aiohttp_client, _upstream, _slow_scan, executor)
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:  # another exchange's view of the loop: how late it wakes
        while not done.is_set():
            began = time.perf_counter()
            await asyncio.sleep(0.01)
            gaps.append(time.perf_counter() - began)

    ticking = asyncio.create_task(ticker())
    try:
        began = time.perf_counter()
        response = await client.get("/")
        body = await response.read()
        elapsed = time.perf_counter() - began
    finally:
        done.set()
        await ticking
        executor.shutdown()
    assert response.status == 200
    streamed = _streamed_text(body)
    assert streamed == TEXT
    assert elapsed >= SCAN_S  # the text was scanned (slowly) before it was sent
    assert max(gaps) < SCAN_S / 2  # while the loop kept serving everything else


PIECE = 5  # characters per event, as a model streams tokens
LONG_TEXT = TEXT * 4
PIECES = [LONG_TEXT[i : i + PIECE] for i in range(0, len(LONG_TEXT), PIECE)]


async def _fast_upstream(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    for piece in PIECES:
        await response.write(_event(piece))
        await asyncio.sleep(0.002)  # each event its own chunk, faster than a rewrite
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response


def _slowish_scan(text: str) -> Sequence[Finding]:
    time.sleep(0.03)
    return []


async def test_when_events_arrive_during_a_rewrite_then_they_are_rewritten_together(
    aiohttp_server: Any, aiohttp_client: Any, monkeypatch: Any
) -> None:
    feeds: list[int] = []

    class CountingSse(SseRewriter):
        def feed(self, data: bytes) -> bytes:
            feeds.append(data.count(b"\n\n"))
            return super().feed(data)

    monkeypatch.setattr(respond, "SseRewriter", CountingSse)
    executor = ThreadPoolExecutor(2)
    client = await _gateway_client(
        aiohttp_server, aiohttp_client, _fast_upstream, _slowish_scan, executor
    )
    try:
        response = await client.get("/")
        body = await response.read()
    finally:
        executor.shutdown()
    streamed = _streamed_text(body)
    assert streamed == LONG_TEXT  # nothing lost, duplicated or reordered
    assert body.rstrip().endswith(b"data: [DONE]")
    assert sum(feeds) == len(PIECES) + 1  # every event fed once
    assert len(feeds) < len(PIECES) / 2, feeds  # in batches: fewer trips to the pool than events


@pytest.mark.parametrize("step", [None, 256], ids=["default step", "route's stream_step 256"])
async def test_a_routes_stream_step_sets_how_often_a_stream_is_scanned(
    aiohttp_server: Any, aiohttp_client: Any, step: int | None
) -> None:
    scans: list[int] = []

    def counting(text: str) -> Sequence[Finding]:
        scans.append(len(text))
        return []

    route = None
    if step is not None:
        pii = RoutePiiConfig(stream_step=step)
        route = RouteConfig(name="lara", path_prefix="/", upstream="http://127.0.0.1:9", pii=pii)
    executor = ThreadPoolExecutor(1)
    client = await _gateway_client(
        aiohttp_server, aiohttp_client, _fast_upstream, counting, executor, route=route
    )
    try:
        body = await (await client.get("/")).read()
    finally:
        executor.shutdown()
    assert _streamed_text(body) == LONG_TEXT
    # At most one scan per step (events that arrive together are scanned together, fewer).
    assert len(scans) <= len(LONG_TEXT) // (step or DEFAULT_STEP) + 2


async def _breaking_upstream(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    for piece in PIECES[:40]:
        await response.write(_event(piece))
    assert request.transport is not None
    request.transport.close()  # the upstream dies mid-answer
    return response


async def test_when_a_stream_breaks_then_the_after_response_hook_still_runs(
    aiohttp_server: Any, aiohttp_client: Any
) -> None:
    """Events already sent may hold new placeholders: the conversation must still keep them."""
    executor = ThreadPoolExecutor(2)
    ran: list[str] = []

    async def hook(exchange: Exchange) -> None:
        ran.append(exchange.request_id)

    client = await _gateway_client(
        aiohttp_server, aiohttp_client, _breaking_upstream, lambda text: [], executor, hook
    )
    try:
        with contextlib.suppress(aiohttp.ClientError):
            response = await client.get("/")
            await response.read()
    finally:
        executor.shutdown()
    assert ran == ["test-stream"]
