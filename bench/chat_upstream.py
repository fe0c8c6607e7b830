"""A fast OpenAI-compatible fake assistant for `python -m bench pipeline`: it echoes, at once.

`POST .../chat/completions` answers with the content of the last user message, unchanged (so
behind the gateway it quotes the placeholders back, and the gateway restores them). With
`"stream": true` it answers in server-sent events as Chat Completions does: a role chunk, then
one chunk per `--piece` characters of the answer, a finish chunk and `data: [DONE]`, each event
written as soon as it is made. No delay, unless the request carries `X-Bench-Pace-Ms: N`: then it
sleeps N ms before each content chunk (a token-paced model). `GET /healthz` answers 200.

Every answer carries `X-Bench-Raw: yes|no`: whether the request body held one of the seeded
personal values (bench/chat_bodies.py), so the harness can check the full pipeline masked them.

`python -m bench.chat_upstream --port N [--piece 5]`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from bench.chat_bodies import SEEDED, last_user_text

PIECE = web.AppKey("piece", int)
_SEEDED_BYTES = tuple(value.encode() for value in SEEDED)


def _base(document: dict[str, Any], kind: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-bench",
        "object": kind,
        "created": int(time.time()),
        "model": document.get("model", "bench"),
    }


def _chunk(base: dict[str, Any], delta: dict[str, str], finish: str | None = None) -> bytes:
    event = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(event, ensure_ascii=False).encode() + b"\n\n"


async def chat(request: web.Request) -> web.StreamResponse:
    """Echo the last user message, whole or streamed."""
    raw = await request.read()
    try:
        document = json.loads(raw)
    except ValueError:
        return web.json_response({"error": {"message": "body is not JSON"}}, status=400)
    text = last_user_text(document)
    seen = "yes" if any(value in raw for value in _SEEDED_BYTES) else "no"
    headers = {"X-Bench-Raw": seen}
    if not document.get("stream"):
        answer = {
            **_base(document, "chat.completion"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": len(raw) // 4, "completion_tokens": len(text) // 4},
        }
        return web.json_response(answer, headers=headers, dumps=_dumps)
    pace = float(request.headers.get("X-Bench-Pace-Ms", "0")) / 1000
    response = web.StreamResponse(headers={**headers, "Content-Type": "text/event-stream"})
    await response.prepare(request)
    base = _base(document, "chat.completion.chunk")
    await response.write(_chunk(base, {"role": "assistant", "content": ""}))
    piece = request.app[PIECE]
    for start in range(0, len(text), piece):
        if pace:
            await asyncio.sleep(pace)
        await response.write(_chunk(base, {"content": text[start : start + piece]}))
    await response.write(_chunk(base, {}, "stop"))
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def healthz(_: web.Request) -> web.Response:
    """Ready."""
    return web.Response(text="ok")


def make_app(piece: int = 5) -> web.Application:
    """The application: chat completions under any prefix, and /healthz."""
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[PIECE] = piece
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/{prefix:.*}chat/completions", chat)
    return app


def main(argv: Sequence[str] | None = None) -> None:
    """Serve until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m bench.chat_upstream")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--piece", type=int, default=5, help="characters per streamed chunk")
    args = parser.parse_args(argv)
    web.run_app(make_app(args.piece), host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
