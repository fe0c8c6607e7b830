"""A whole gateway for end-to-end tests: issuer, keyring, audit log, policy, recording upstream.

The upstream is an OpenAI-compatible fake that records every body it receives and answers by
quoting the user's last message, adding personal data of its own (a phone number), as a real
assistant might. It streams (SSE) when asked to.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from audit.auditor_keys import generate as generate_auditor_key
from gateway.app import ProxyService
from gateway.config import config_from_mapping
from gateway.metrics import ProxyMetrics
from keys.kek import create_kek_file
from keys.keyring import Keyring
from tests.gateway.auth.idp import IdentityProvider, Realm, rsa_key
from tests.gateway.proxy_server import ProxyTestServer

NIK = "3273012505900001"  # synthetic, valid: Bandung, born 25-05-1990
PHONE = "081234567890"  # synthetic
UPSTREAM_PHONE = "0813-9876-5432"  # synthetic: personal data the upstream adds itself
SEEDED = (NIK, PHONE)

POLICY = """
package gerbang

import rego.v1

default decision := {"allow": false, "status": 403, "reason": "not allowed",
    "masking": {}, "restore": false, "scan_response": true}

decision := {"allow": true, "status": 200, "reason": "citizen, own data",
    "masking": {"*": "placeholder"}, "restore": true, "scan_response": true} if {
    "warga" in input.principal.roles
} else := {"allow": true, "status": 200, "reason": "officer of another service",
    "masking": {"*": "placeholder"}, "restore": false, "scan_response": true} if {
    "petugas" in input.principal.roles
}
"""


@dataclass
class Upstream:
    """What the fake assistant received."""

    bodies: list[bytes] = field(default_factory=list)


def _answer(body: dict[str, Any]) -> str:
    user = [m for m in body.get("messages", []) if m.get("role") == "user"]
    content = user[-1]["content"] if user else ""
    if isinstance(content, list):
        content = " ".join(part.get("text", "") for part in content)
    return f"Anda menulis: {content}. Petugas kami dapat dihubungi di {UPSTREAM_PHONE}."


def upstream_app(state: Upstream) -> web.Application:
    """An OpenAI-compatible chat endpoint that records bodies and quotes the user back."""

    async def chat(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        state.bodies.append(raw)
        body = json.loads(raw)
        answer = _answer(body)
        if not body.get("stream"):
            return web.json_response(
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "model": body.get("model", "lara"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": answer},
                            "finish_reason": "stop",
                        }
                    ],
                }
            )
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        pieces = [answer[i : i + 5] for i in range(0, len(answer), 5)]
        for index, piece in enumerate(pieces):
            chunk = {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "model": "lara",
                "choices": [
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": piece}
                        if index == 0
                        else {"content": piece},
                        "finish_reason": None,
                    }
                ],
            }
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
        end = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "lara",
               "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}  # fmt: skip
        await response.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_post("/v1/echo", chat)
    return app


@dataclass
class Rig:
    """A running gateway and everything around it."""

    client: TestClient[Any, Any]
    upstream: Upstream
    realm: Realm
    audit_dir: Path
    auditor_key: Path
    keys_dir: Path
    kek_file: Path
    service: ProxyService

    def token(self, *roles: str, **claims: Any) -> str:
        """A valid access token for a caller with these roles."""
        return self.realm.token(roles=list(roles), **claims)

    def headers(self, *roles: str, **extra: str) -> dict[str, str]:
        """Authorization (and any extra) headers for a caller with these roles."""
        return {"Authorization": f"Bearer {self.token(*roles)}", **extra}


def write_policy(directory: Path, source: str = POLICY) -> Path:
    """A policy directory holding one module."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "gerbang.rego").write_text(source, encoding="utf-8")
    return directory


@pytest.fixture
async def compliance_rig(
    tmp_path: Path, aiohttp_server: Any, aiohttp_client: Any
) -> AsyncIterator[Rig]:
    """A gateway in front of the recording assistant, with auth, policy, keys and audit."""
    idp = IdentityProvider()
    await idp.start()
    realm = idp.realm("layanan", "RS256", rsa_key(0))
    state = Upstream()
    upstream: TestServer = await aiohttp_server(upstream_app(state))
    keys_dir, kek_file = tmp_path / "keys", tmp_path / "kek"
    Keyring.create(keys_dir, create_kek_file(kek_file))
    auditor_key = tmp_path / "auditor.key"
    auditor_public = generate_auditor_key(auditor_key)
    config = config_from_mapping(
        {
            "auth": {
                "issuers": [
                    {
                        "issuer": realm.issuer,
                        "discovery": True,
                        "audiences": ["gerbang"],
                        "jwks_min_refresh_interval": 0.1,
                    }
                ]
            },
            "keys": {"dir": str(keys_dir), "kek": {"file": str(kek_file)}},
            "audit": {
                "dir": str(tmp_path / "audit"),
                "auditor_public_keys": [str(auditor_public)],
            },
            "policy": {"engine": "embedded", "dir": str(write_policy(tmp_path / "policy"))},
            "routes": [
                {
                    "name": "lara",
                    "path_prefix": "/v1",
                    "upstream": str(upstream.make_url("/v1")),
                    "strip_prefix": True,
                    "purpose": "layanan_informasi",
                    "tags": {"service": "lara"},
                }
            ],
        }
    )
    service = ProxyService(config, ProxyMetrics(CollectorRegistry()))
    await service.start()
    client: TestClient[Any, Any] = await aiohttp_client(ProxyTestServer(service))
    yield Rig(
        client,
        state,
        realm,
        tmp_path / "audit",
        auditor_key,
        keys_dir,
        kek_file,
        service,
    )
    await service.close()
    await idp.stop()
