"""Relaying a response that must be rewritten: restored for the caller, masked where it must be.

Server-sent events are rewritten event by event as they arrive (`gateway.sse`), holding back at
most a bounded window of text; arriving chunks are rewritten off the event loop, in the
detection thread pool, so that streams being scanned do not stall the worker's other exchanges
(what arrives while a rewrite runs is read as one chunk by the next).
Other text bodies (JSON, form, text/*) are read whole, within a limit, rewritten field by field
off the event loop, and sent with their new length. A body that cannot be read as text passes
unchanged when only restoring was asked (it cannot hold placeholders as text); when the policy
asked to scan the response, it is refused (502): fail closed. A detector failure while a whole
body is rewritten is a 503 `detection_failed`, as on the request side.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

import aiohttp
from aiohttp import hdrs, web
from multidict import CIMultiDict

from gateway.bodies import decode_content, media_type_of, text_fields
from gateway.errors import DetectionFailed, ResponseUnscannable, UnsupportedMediaType
from gateway.exchange import Exchange
from gateway.rewrite import DEFAULT_STEP, HeldStream, ResponseRewriter
from gateway.sse import SseRewriter

MAX_REWRITTEN_BYTES = 32 * 1024 * 1024  # a response rewritten whole is held in memory up to this
LOG = logging.getLogger("gerbang.respond")

Finish = Callable[[web.StreamResponse, bytes], Awaitable[None]]
"""Commit the exchange's record, then send the given last bytes and end the response."""


async def relay_rewritten(
    exchange: Exchange,
    upstream: aiohttp.ClientResponse,
    headers: CIMultiDict[str],
    rewriter: ResponseRewriter,
    executor: ThreadPoolExecutor,
    finish: Finish,
) -> web.StreamResponse:
    """Send the upstream's response to the client through `rewriter`.

    An event stream is written here and ended with `finish`; a whole body is returned unsent
    (its exchange already finalized) for aiohttp to send.
    """
    kind, _ = media_type_of(upstream.headers.get(hdrs.CONTENT_TYPE))
    encoding = upstream.headers.get(hdrs.CONTENT_ENCODING, "identity").strip().lower()
    for name in (hdrs.CONTENT_LENGTH, hdrs.CONTENT_ENCODING):
        headers.popall(name, None)
    if kind == "text/event-stream":
        if encoding != "identity":
            raise ResponseUnscannable(f"an event stream with Content-Encoding {encoding!r}")
        return await _relay_events(exchange, upstream, headers, rewriter, executor, finish)
    body = await _read_limited(upstream)
    try:
        decoded = decode_content(body, encoding, MAX_REWRITTEN_BYTES)
        fields = text_fields(decoded, upstream.headers.get(hdrs.CONTENT_TYPE)) if decoded else None
    except UnsupportedMediaType:
        if rewriter.analyze is not None:
            raise ResponseUnscannable(f"a response of type {kind or 'unknown'!r}") from None
        fields, decoded = None, body
        if encoding != "identity":
            headers[hdrs.CONTENT_ENCODING] = encoding
    if fields is not None:
        try:
            texts = await asyncio.get_running_loop().run_in_executor(
                executor, lambda: [rewriter.rewrite(text) for text in fields.texts]
            )
        except Exception as exc:  # a detector failure: nothing of the answer is sent (503)
            LOG.error(
                "response detection failed",
                extra={"request_id": exchange.request_id, "error_type": type(exc).__name__},
            )
            raise DetectionFailed() from None
        decoded = fields.rebuild(texts)
    response = web.Response(
        status=upstream.status, reason=upstream.reason, headers=headers, body=decoded
    )
    exchange.status = response.status
    await exchange.response_done()
    await exchange.finalize()  # before anything is sent: a failure can still be a 503 problem
    exchange.bytes_out += len(decoded)
    return response


async def _relay_events(
    exchange: Exchange,
    upstream: aiohttp.ClientResponse,
    headers: CIMultiDict[str],
    rewriter: ResponseRewriter,
    executor: ThreadPoolExecutor,
    finish: Finish,
) -> web.StreamResponse:
    response = web.StreamResponse(status=upstream.status, reason=upstream.reason, headers=headers)
    await response.prepare(exchange.request)
    step = exchange.match.route.pii.stream_step if exchange.match is not None else DEFAULT_STEP
    events = SseRewriter(rewriter, lambda: HeldStream(rewriter, step=step))
    loop = asyncio.get_running_loop()
    # Rewriting runs the detector over the held-back text of every event: CPU work, so it runs
    # in the pool, one chunk at a time (the rewriter's state is never touched concurrently).
    # The newest rewritten events wait for the next chunk: the last ones (with `[DONE]`) go out
    # only after the exchange's audit record is committed, so a client that leaves as soon as
    # it has read the end cannot leave an answered exchange recorded as abandoned.
    held = b""
    try:
        async for chunk in upstream.content.iter_any():
            out = await loop.run_in_executor(executor, events.feed, chunk)
            if out:
                if held:
                    await response.write(held)
                held = out
                exchange.bytes_out += len(out)
        out = await loop.run_in_executor(executor, events.finish)
        exchange.bytes_out += len(out)
    finally:
        # Also when the stream breaks: events already sent may hold the new placeholders.
        await asyncio.shield(exchange.response_done())
    await finish(response, held + out)
    return response


async def _read_limited(upstream: aiohttp.ClientResponse) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in upstream.content.iter_any():
        size += len(chunk)
        if size > MAX_REWRITTEN_BYTES:
            raise ResponseUnscannable(f"a response larger than {MAX_REWRITTEN_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
