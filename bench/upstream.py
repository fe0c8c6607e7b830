"""The fake AI service behind every proxy: a fixed small JSON answer, as fast as possible.

`python -m bench.upstream --port N` runs the aiohttp version, the fallback when nginx is absent.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from aiohttp import web

# About 180 bytes, shaped like a chat completion. No single quote and no `$`: nginx embeds it.
BODY = (
    b'{"id":"chatcmpl-bench","object":"chat.completion","model":"bench-echo",'
    b'"choices":[{"index":0,"message":{"role":"assistant","content":"ok"},'
    b'"finish_reason":"stop"}],"usage":{"total_tokens":2}}'
)
PATH_PREFIX = "/bench/"


async def _answer(request: web.Request) -> web.Response:
    if request.body_exists:
        await request.read()
    return web.Response(body=BODY, content_type="application/json")


def make_app() -> web.Application:
    """An application answering every method under /bench/ with BODY."""
    app = web.Application()
    app.router.add_route("*", PATH_PREFIX + "{tail:.*}", _answer)
    return app


def main(argv: Sequence[str] | None = None) -> None:
    """Serve until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m bench.upstream")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    web.run_app(make_app(), host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
