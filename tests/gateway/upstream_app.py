"""A real upstream for proxy tests: echoes what it received and misbehaves on demand."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class UpstreamState:
    """What the upstream saw, and switches the tests flip."""

    hits: int = 0
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)
    hang_started: asyncio.Event = field(default_factory=asyncio.Event)
    release_stream: asyncio.Event = field(default_factory=asyncio.Event)
    stream_finished: asyncio.Event = field(default_factory=asyncio.Event)


STATE = web.AppKey("state", UpstreamState)
GZIPPED = gzip.compress(b"ringkasan layanan " * 100)


async def echo(request: web.Request) -> web.Response:
    """Returns the method, raw path, raw query, headers and a digest of the body."""
    request.app[STATE].hits += 1
    body = await request.read()
    return web.json_response(
        {
            "method": request.method,
            "path": request.raw_path.partition("?")[0],
            "query": request.raw_path.partition("?")[2],
            "headers": [[k, v] for k, v in request.headers.items()],
            "body_sha256": hashlib.sha256(body).hexdigest(),
            "body_len": len(body),
            "chunked": request.headers.get("Transfer-Encoding", "").lower() == "chunked",
            "peer_port": request.transport.get_extra_info("peername")[1]
            if request.transport
            else None,
        },
        headers={"X-Upstream": "echo"},
    )


async def sse(request: web.Request) -> web.StreamResponse:
    """Sends one event, waits until the test has received it, then finishes the stream."""
    state = request.app[STATE]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    await response.write(b'data: {"n": 1}\n\n')
    try:
        await asyncio.wait_for(state.release_stream.wait(), 10)
    except asyncio.CancelledError:
        state.cancelled.set()
        raise
    await response.write(b'data: {"n": 2}\n\n')
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    state.stream_finished.set()
    return response


async def sse_late(request: web.Request) -> web.StreamResponse:
    """Sends the stream's headers at once, but its first event only when the test says so."""
    state = request.app[STATE]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    await asyncio.wait_for(state.release_stream.wait(), 10)
    await response.write(b"data: late\n\n")
    await response.write_eof()
    return response


async def hang(request: web.Request) -> web.Response:
    """Never answers; records whether the gateway dropped the call."""
    state = request.app[STATE]
    state.hang_started.set()
    try:
        await asyncio.sleep(30)
    except asyncio.CancelledError:
        state.cancelled.set()
        raise
    return web.Response(text="too late")


async def slow(request: web.Request) -> web.Response:
    """Answers after the number of seconds in the query parameter `s`."""
    await asyncio.sleep(float(request.query.get("s", "1")))
    return web.Response(text="slow answer")


async def hop_headers(request: web.Request) -> web.Response:
    """Answers with hop-by-hop headers a proxy must drop, and end-to-end ones it must keep."""
    response = web.Response(text="ok")
    response.headers["Connection"] = "X-Hop-Only, keep-alive"
    response.headers["X-Hop-Only"] = "1"
    response.headers["Keep-Alive"] = "timeout=5"
    response.headers["Proxy-Authenticate"] = "Basic"
    response.headers["Trailer"] = "X-Checksum"
    response.headers["X-End-To-End"] = "kept"
    response.headers.add("Set-Cookie", "a=1")
    response.headers.add("Set-Cookie", "b=2")
    return response


async def big(request: web.Request) -> web.StreamResponse:
    """Streams `n` bytes in 64 KiB chunks without a Content-Length."""
    size = int(request.query["n"])
    response = web.StreamResponse()
    await response.prepare(request)
    chunk = bytes(range(256)) * 256
    sent = 0
    while sent < size:
        part = chunk[: min(len(chunk), size - sent)]
        await response.write(part)
        sent += len(part)
    await response.write_eof()
    return response


async def gzipped(_: web.Request) -> web.Response:
    """A gzip-encoded body, to pass through untouched."""
    return web.Response(
        body=GZIPPED, headers={"Content-Encoding": "gzip", "Content-Type": "text/plain"}
    )


async def status(request: web.Request) -> web.Response:
    """Answers with the status in the path."""
    code = int(request.match_info["code"])
    if code in (204, 304):
        return web.Response(status=code)
    headers = {"Location": "/elsewhere"} if 300 <= code < 400 else None
    return web.Response(status=code, text=f"status {code}", headers=headers)


async def broken(request: web.Request) -> web.StreamResponse:
    """Starts a response, then drops the connection halfway."""
    response = web.StreamResponse(headers={"Content-Type": "text/plain"})
    await response.prepare(request)
    await response.write(b"first half ")
    await asyncio.sleep(0.05)
    assert request.transport is not None
    request.transport.abort()
    return response


def create_upstream(state: UpstreamState) -> web.Application:
    """The upstream application."""
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[STATE] = state
    app.router.add_route("*", "/echo{tail:.*}", echo)
    app.router.add_route("*", "/base/{tail:.*}", echo)
    app.router.add_get("/sse", sse)
    app.router.add_get("/sse-late", sse_late)
    app.router.add_route("*", "/hang", hang)
    app.router.add_get("/slow", slow)
    app.router.add_get("/hop", hop_headers)
    app.router.add_get("/big", big)
    app.router.add_get("/gzip", gzipped)
    app.router.add_get("/status/{code}", status)
    app.router.add_get("/broken", broken)
    return app
