"""`gerbang demo`: the built-in LARA assistant behind the gateway, with embedded defaults."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from aiohttp import web

from gateway.config import GatewayConfig, config_from_mapping
from gateway.demo.lara import create_app
from gateway.logs import setup_logging
from gateway.server import serve

# A synthetic question: the NIK and phone number below belong to nobody.
EXAMPLE_QUESTION = (
    "Halo, saya Budi Santoso, NIK 3201012345678901, HP 081234567890. Bagaimana cara membuat e-KTP?"
)


def demo_config(*, host: str, port: int, admin_port: int, upstream: str) -> GatewayConfig:
    """The embedded configuration: one route, `lara`, for the OpenAI-compatible API."""
    data: dict[str, Any] = {
        "server": {"host": host, "port": port, "shutdown_timeout": 5.0},
        "admin": {"host": "127.0.0.1", "port": admin_port},
        "logging": {"level": "info", "format": "text"},
        "routes": [
            {
                "name": "lara",
                "path_prefix": "/v1",
                "upstream": upstream,
                "total_timeout": 60.0,
                "tags": {"purpose": "layanan-informasi", "external": False},
            }
        ],
    }
    return config_from_mapping(data, source="<embedded demo config>")


def banner(config: GatewayConfig) -> str:
    """What to call, and how, printed when the demo is ready."""
    base = f"http://{config.server.host}:{config.server.port}"
    admin = f"http://{config.admin.host}:{config.admin.port}"
    body = json.dumps(
        {"model": "lara-1", "messages": [{"role": "user", "content": EXAMPLE_QUESTION}]}
    )
    stream_body = body[:-1] + ', "stream": true}'
    return "\n".join(
        [
            "",
            "Gerbang demo is running: the gateway in front of LARA, a built-in public-service",
            "assistant with an OpenAI-compatible API (data in the examples is synthetic).",
            "",
            f"  Gateway:  {base}/v1/chat/completions   (route 'lara')",
            f"  Admin:    {admin}/metrics  {admin}/healthz  {admin}/readyz",
            "",
            "Ask a question:",
            f"  curl -s {base}/v1/chat/completions \\",
            f"    -H 'Content-Type: application/json' -d '{body}'",
            "",
            "Stream the answer event by event:",
            f"  curl -N {base}/v1/chat/completions \\",
            f"    -H 'Content-Type: application/json' -d '{stream_body}'",
            "",
            "Press Ctrl-C to stop.",
            "",
        ]
    )


async def _run(host: str, port: int, admin_port: int) -> None:
    lara = web.AppRunner(create_app(), access_log=None, handle_signals=False)
    await lara.setup()
    site = web.TCPSite(lara, "127.0.0.1", 0)
    await site.start()
    try:
        upstream_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        config = demo_config(
            host=host,
            port=port,
            admin_port=admin_port,
            upstream=f"http://127.0.0.1:{upstream_port}",
        )
        setup_logging(config.logging.level, config.logging.format)
        await serve(config, on_ready=lambda: print(banner(config), file=sys.stdout, flush=True))
    finally:
        await lara.cleanup()


def run_demo(*, host: str, port: int, admin_port: int) -> int:
    """Start the demo and serve until Ctrl-C; returns the exit status."""
    try:
        asyncio.run(_run(host, port, admin_port))
    except OSError as exc:
        print(
            f"gerbang demo: cannot listen: {exc.strerror} (try --port/--admin-port)",
            file=sys.stderr,
        )
        return 1
    return 0
