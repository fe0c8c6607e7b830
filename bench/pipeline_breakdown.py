"""Where the full pipeline's CPU goes: one exchange's stages timed in-process, in CPU time.

Builds the same components as the `full-embedded` gateway from a config of its own (same issuer,
a keyring and audit log of its own, the default bundle in the embedded engine, no decision
cache) and runs, for each body size, `reps` exchanges through the real stages of
`gateway.pipeline.build_stages` up to (not including) the forward, on a mocked aiohttp request
whose body is the benchmark's chat request. The response side is then done as ForwardUpstream
does it: the exchange's response rewriter over the echoed answer, whole (JSON) and as the SSE
stream the upstream sends. Last, the exchange's audit record is built and committed.

Each step's time is `time.process_time()` around it (every thread of this process, so work a
stage hands to its executor or engine thread counts; waiting, e.g. for fsync, does not). The
median over the reps is reported. The numbers leave out what only a real server does: parsing
HTTP, the upstream client, the sockets, the access log. The load runs measure those.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from aiohttp import hdrs
from aiohttp.streams import StreamReader
from aiohttp.test_utils import make_mocked_request
from prometheus_client import CollectorRegistry

from bench.chat_bodies import chat_body, last_user_text, with_turn
from bench.pipeline_rig import CHAT_PATH, full_config
from gateway.bodies import text_fields
from gateway.components import Components
from gateway.config import load_config
from gateway.exchange import Exchange
from gateway.metrics import ProxyMetrics
from gateway.pipeline import build_stages, response_rewriter
from gateway.routes import RouteTable
from gateway.sse import SseRewriter
from gateway.stages.base import Stage
from gateway.stages.forward import ForwardUpstream
from gateway.upstream import UpstreamClient

PIECE = 5  # characters per streamed chunk, as bench/chat_upstream.py sends them


@dataclass
class Steps:
    """CPU seconds per step, one list entry per exchange."""

    times: dict[str, list[float]] = field(default_factory=dict)
    sse_events: int = 0

    def add(self, name: str, seconds: float) -> None:
        """Record one measurement of step `name`."""
        self.times.setdefault(name, []).append(seconds)

    def medians_ms(self) -> dict[str, float]:
        """Step -> median CPU milliseconds, in the order the steps ran."""
        return {k: round(statistics.median(v) * 1000, 4) for k, v in self.times.items()}


async def _timed(steps: Steps, name: str, work: Callable[[], Awaitable[Any]]) -> Any:
    began = time.process_time()
    result = await work()
    steps.add(name, time.process_time() - began)
    return result


def _request(body: bytes, token: str) -> Any:
    protocol = mock.Mock(_reading_paused=False)
    payload = StreamReader(protocol, 2**16, loop=asyncio.get_running_loop())
    payload.feed_data(body)
    payload.feed_eof()
    headers = {
        hdrs.HOST: "127.0.0.1",
        hdrs.CONTENT_TYPE: "application/json",
        hdrs.CONTENT_LENGTH: str(len(body)),
        hdrs.AUTHORIZATION: f"Bearer {token}",
    }
    return make_mocked_request("POST", CHAT_PATH, headers, payload=payload)


def _answers(document: dict[str, Any], masked_text: str) -> tuple[bytes, list[bytes]]:
    """What the echoing upstream sends back for this (masked) request: JSON, and SSE events."""
    base = {"id": "chatcmpl-bench", "created": 1, "model": document.get("model", "bench")}
    whole = {
        **base,
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": masked_text},
                "finish_reason": "stop",
            }
        ],
    }
    chunk = {**base, "object": "chat.completion.chunk"}

    def event(delta: dict[str, str], finish: str | None = None) -> bytes:
        data = {**chunk, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        return b"data: " + json.dumps(data, ensure_ascii=False).encode() + b"\n\n"

    events = [event({"role": "assistant", "content": ""})]
    events += [
        event({"content": masked_text[i : i + PIECE]}) for i in range(0, len(masked_text), PIECE)
    ]
    events += [event({}, "stop"), b"data: [DONE]\n\n"]
    return json.dumps(whole, ensure_ascii=False).encode(), events


async def _exchange(
    steps: Steps, stages: tuple[Stage, ...], parts: Components, body: bytes, token: str
) -> None:
    exchange = Exchange(_request(body, token), "bench-breakdown")
    for stage in stages:
        if isinstance(stage, ForwardUpstream):
            break
        began = time.process_time()
        response = await stage(exchange)
        steps.add(type(stage).__name__, time.process_time() - began)
        if response is not None:
            raise RuntimeError(f"{type(stage).__name__} ended the exchange")
    masked = last_user_text(json.loads(exchange.body or b"{}"))
    whole, events = _answers(json.loads(body), masked)
    rewriter = response_rewriter(parts, exchange)
    if rewriter is None:
        raise RuntimeError("the decision asks for no response rewriting")

    async def respond_json() -> bytes:
        fields = text_fields(whole, "application/json")
        return fields.rebuild([rewriter.rewrite(text) for text in fields.texts])

    await _timed(steps, "response JSON: scan + restore", respond_json)
    stream_rewriter = response_rewriter(parts, exchange)
    assert stream_rewriter is not None

    async def respond_sse() -> bytes:
        events_out = SseRewriter(stream_rewriter)
        out = b"".join(events_out.feed(e) for e in events)
        return out + events_out.finish()

    await _timed(steps, "response SSE: the whole stream", respond_sse)
    steps.sse_events = len(events)
    exchange.status = 200
    audit = parts.audit
    assert audit is not None

    async def build() -> bytes:
        return audit.build(exchange).to_json()

    async def record() -> None:
        await audit.record(exchange)

    await _timed(steps, "audit: build the record", build)
    await _timed(steps, "audit: build, seal, write, fdatasync", record)


async def _measure(config_path: Path, token: str, reps: int) -> dict[str, dict[str, Any]]:
    config = load_config(config_path)
    parts = Components.build(config, audit_stream="breakdown")
    upstream = UpstreamClient(config.upstream_pool, config.routes)
    await parts.start()
    await upstream.start()
    try:
        stages = build_stages(
            RouteTable(config.routes), upstream, ProxyMetrics(CollectorRegistry()), parts
        )
        out: dict[str, dict[str, Any]] = {}
        for size in (1024, 8192):
            body = chat_body(size, stream=False)
            steps = Steps()
            turns = iter(range(secrets.randbelow(10**6), 10**7))  # each exchange a new turn
            for _ in range(3):  # warm up: caches, first-use tables, the engine's thread
                await _exchange(Steps(), stages, parts, with_turn(body, next(turns)), token)
            for _ in range(reps):
                await _exchange(steps, stages, parts, with_turn(body, next(turns)), token)
            out[f"{size // 1024}KB"] = {
                "cpu_ms": steps.medians_ms(),
                "sse_events": steps.sse_events,
            }
        return out
    finally:
        await upstream.close()
        await parts.close()


def breakdown(tmp: Path, issuer: str, token: str, reps: int) -> dict[str, dict[str, Any]]:
    """Size -> {"cpu_ms": step -> median CPU ms for one exchange, "sse_events": N}."""
    config_path, _, _ = full_config(
        tmp, "breakdown", (0, 0, 9), issuer, opa_url=None, policy_cache=False
    )
    return asyncio.run(_measure(config_path, token, reps))


def render(breakdowns: dict[str, dict[str, Any]]) -> str:
    """A Markdown table: one row per step, one column per size."""
    found: dict[str, dict[str, float]] = {s: b["cpu_ms"] for s, b in breakdowns.items()}
    sizes = list(found)
    names: list[str] = []
    for steps in found.values():
        names += [n for n in steps if n not in names]
    lines = [
        "| step (CPU ms, median) | " + " | ".join(sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    for name in names:
        cells = " | ".join(f"{found[s].get(name, float('nan')):.3f}" for s in sizes)
        lines.append(f"| {name} | {cells} |")
    request_side = {
        s: sum(v for k, v in found[s].items() if not k.startswith(("response", "audit")))
        for s in sizes
    }
    lines.append(
        "| request stages, total | " + " | ".join(f"{request_side[s]:.3f}" for s in sizes) + " |"
    )
    events = ", ".join(f"{s}: {b['sse_events']}" for s, b in breakdowns.items())
    return "\n".join(lines) + f"\n\nSSE events per stream: {events}"
