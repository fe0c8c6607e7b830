"""`gerbang demo`: the built-in LARA assistant behind the whole gateway, with embedded defaults.

The default policy bundle decides in-process; a keyring, an auditor key pair and the encrypted
audit log are made in a demo folder; a demo identity provider issues tokens for two callers.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from audit.auditor_keys import generate as generate_auditor_key
from audit.auditor_keys import public_path
from gateway.config import GatewayConfig, config_from_mapping
from gateway.demo.identity import AUDIENCE, CITIZEN, OFFICER, DemoCaller, DemoIdentity
from gateway.demo.lara import create_app
from gateway.logs import setup_logging
from gateway.server import serve
from keys.kek import create_kek_file, load_kek
from keys.keyring import Keyring

# A synthetic question: the NIK and phone number below belong to nobody (the NIK has a valid
# shape: Bandung, born 25 May 1990, so the gateway recognises it).
EXAMPLE_QUESTION = (
    "Halo, saya Budi Santoso, NIK 3273012505900001, HP 081234567890. Bagaimana cara membuat e-KTP?"
)


@dataclass(frozen=True, slots=True)
class DemoFiles:
    """The demo folder: keyring, its KEK, the auditor's key pair and the audit log."""

    root: Path

    @property
    def keys(self) -> Path:
        """The keyring directory."""
        return self.root / "keys"

    @property
    def kek(self) -> Path:
        """The key-encryption key file (0600)."""
        return self.root / "kek"

    @property
    def auditor_key(self) -> Path:
        """The auditor's private key: in real use it never lives on the gateway host."""
        return self.root / "auditor.key"

    @property
    def audit(self) -> Path:
        """The encrypted access log."""
        return self.root / "audit"

    def prepare(self) -> None:
        """Create whatever is missing; reuse what a previous demo run left."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not (self.keys / "keyring.json").exists():
            kek = load_kek(file=self.kek) if self.kek.exists() else create_kek_file(self.kek)
            Keyring.create(self.keys, kek)
        if not self.auditor_key.exists():
            generate_auditor_key(self.auditor_key)


def demo_config(
    *, host: str, port: int, admin_port: int, upstream: str, issuer: str, files: DemoFiles
) -> GatewayConfig:
    """The embedded configuration: one guarded route, `lara`, with policy, keys and audit."""
    data: dict[str, Any] = {
        "server": {"host": host, "port": port, "shutdown_timeout": 5.0},
        "admin": {"host": "127.0.0.1", "port": admin_port},
        "logging": {"level": "info", "format": "text"},
        "auth": {
            "issuers": [{"issuer": issuer, "discovery": True, "audiences": [AUDIENCE]}],
        },
        "keys": {"dir": str(files.keys), "kek": {"file": str(files.kek)}},
        "audit": {
            "dir": str(files.audit),
            "auditor_public_keys": [str(public_path(files.auditor_key))],
        },
        "routes": [
            {
                "name": "lara",
                "path_prefix": "/v1",
                "upstream": upstream,
                "total_timeout": 60.0,
                "tags": {"service": "lara", "external": False},
                "purpose": "layanan_informasi",
            }
        ],
    }
    return config_from_mapping(data, source="<embedded demo config>")


def banner(config: GatewayConfig, tokens: dict[DemoCaller, str], files: DemoFiles) -> str:
    """What to call, and how, printed when the demo is ready."""
    base = f"http://{config.server.host}:{config.server.port}"
    admin = f"http://{config.admin.host}:{config.admin.port}"
    body = json.dumps(
        {"model": "lara-1", "messages": [{"role": "user", "content": EXAMPLE_QUESTION}]}
    )
    stream_body = body[:-1] + ', "stream": true}'
    lines = [
        "",
        "Gerbang demo is running: the gateway in front of LARA, a built-in public-service",
        "assistant with an OpenAI-compatible API (data in the examples is synthetic).",
        "LARA only ever receives placeholders such as <ID_NIK_1>; the policy decides who gets",
        "the values back.",
        "",
        f"  Gateway:  {base}/v1/chat/completions   (route 'lara')",
        f"  Admin:    {admin}/metrics  {admin}/healthz  {admin}/readyz",
        f"  Files:    {files.root}  (keyring, audit log, auditor key)",
        "",
        "Demo callers (tokens valid 8 hours):",
    ]
    for number, (caller, token) in enumerate(tokens.items(), start=1):
        lines += [f"  {caller.subject}: {caller.description}", f"    export TOKEN{number}={token}"]
    lines += [
        "",
        "Ask as the citizen (values come back) or as the officer (TOKEN2: placeholders stay):",
        f'  curl -s {base}/v1/chat/completions -H "Authorization: Bearer $TOKEN1" \\',
        f"    -H 'Content-Type: application/json' -d '{body}'",
        "",
        "Stream the answer event by event:",
        f'  curl -N {base}/v1/chat/completions -H "Authorization: Bearer $TOKEN1" \\',
        f"    -H 'Content-Type: application/json' -d '{stream_body}'",
        "",
        "Afterwards, as an auditor (stop the demo first so the last segment is closed):",
        f"  gerbang audit verify {files.audit}",
        f"  gerbang audit export {files.audit} --key {files.auditor_key} --format jsonl",
        "",
        "Press Ctrl-C to stop.",
        "",
    ]
    return "\n".join(lines)


async def _run(host: str, port: int, admin_port: int, files: DemoFiles) -> None:
    files.prepare()
    identity = DemoIdentity()
    issuer = await identity.start()
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
            issuer=issuer,
            files=files,
        )
        tokens = {caller: identity.token(caller) for caller in (CITIZEN, OFFICER)}
        setup_logging(config.logging.level, config.logging.format)
        text = banner(config, tokens, files)
        await serve(config, on_ready=lambda: print(text, file=sys.stdout, flush=True))
    finally:
        await lara.cleanup()
        await identity.stop()


def run_demo(*, host: str, port: int, admin_port: int, directory: Path) -> int:
    """Start the demo and serve until Ctrl-C; returns the exit status."""
    try:
        asyncio.run(_run(host, port, admin_port, DemoFiles(directory.resolve())))
    except OSError as exc:
        print(
            f"gerbang demo: cannot listen: {exc.strerror} (try --port/--admin-port)",
            file=sys.stderr,
        )
        return 1
    return 0
