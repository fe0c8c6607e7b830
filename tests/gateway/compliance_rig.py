"""A whole gateway for end-to-end tests: issuer, keyring, audit log, policy, recording upstream.

The upstream is an OpenAI-compatible fake that records every body it receives and answers by
quoting the user's last message, adding personal data of its own (a phone number), as a real
assistant might. It streams (SSE) when asked to.
"""

from __future__ import annotations

import json
import re
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


def _tool_arguments(body: dict[str, Any]) -> str:
    """Arguments of the assistant's tool call: the identifier it was given, quoted as given."""
    content = json.dumps(body.get("messages", []))
    found = re.search(r"<ID_NIK_\d+>|\d{16}", content)
    return json.dumps({"nik": found.group(0) if found else "", "catatan": UPSTREAM_PHONE})


def _completion(body: dict[str, Any]) -> dict[str, Any]:
    if body.get("tools"):
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "cek_status_ktp", "arguments": _tool_arguments(body)},
                }
            ],
        }
        finish = "tool_calls"
    else:
        message, finish = {"role": "assistant", "content": _answer(body)}, "stop"
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1764300000,
        "model": body.get("model", "lara"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
    }


def _chunks(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The streamed form of the same answer, in small pieces."""
    base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1764300000,
            "model": body.get("model", "lara")}  # fmt: skip
    deltas: list[dict[str, Any]]
    if body.get("tools"):
        arguments = _tool_arguments(body)
        deltas = [
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "cek_status_ktp", "arguments": ""},
                    }
                ],
            }
        ] + [
            {"tool_calls": [{"index": 0, "function": {"arguments": arguments[i : i + 4]}}]}
            for i in range(0, len(arguments), 4)
        ]
        finish = "tool_calls"
    else:
        answer = _answer(body)
        deltas = [{"role": "assistant", "content": ""}] + [
            {"content": answer[i : i + 5]} for i in range(0, len(answer), 5)
        ]
        finish = "stop"
    chunks = [
        {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
        for delta in deltas
    ]
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
    return chunks


def upstream_app(state: Upstream) -> web.Application:
    """An OpenAI-compatible chat endpoint that records bodies and quotes the user back."""

    async def chat(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        state.bodies.append(raw)
        body = json.loads(raw)
        if not body.get("stream"):
            return web.json_response(_completion(body))
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for chunk in _chunks(body):
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
        await response.write(b"data: [DONE]\n\n")
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


class RigFactory:
    """Starts gateways for the compliance tests and stops them at the end."""

    def __init__(self, tmp_path: Path, aiohttp_server: Any, aiohttp_client: Any) -> None:
        self._tmp = tmp_path
        self._server = aiohttp_server
        self._client = aiohttp_client
        self._started: list[tuple[ProxyService, IdentityProvider]] = []

    def policy_dir(self) -> Path:
        """The test policy, written once."""
        return write_policy(self._tmp / "policy")

    async def start(
        self, policy: dict[str, Any] | None = None, server: dict[str, Any] | None = None
    ) -> Rig:
        """A gateway with the given `[policy]` section (default: embedded, the test policy) and
        `[server]` section (default: the defaults)."""
        tmp = self._tmp
        idp = IdentityProvider()
        await idp.start()
        realm = idp.realm("layanan", "RS256", rsa_key(0))
        state = Upstream()
        upstream: TestServer = await self._server(upstream_app(state))
        keys_dir, kek_file = tmp / "keys", tmp / "kek"
        Keyring.create(keys_dir, create_kek_file(kek_file))
        auditor_key = tmp / "auditor.key"
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
                    "dir": str(tmp / "audit"),
                    "auditor_public_keys": [str(auditor_public)],
                },
                "policy": policy or {"engine": "embedded", "dir": str(self.policy_dir())},
                "server": server or {},
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
        self._started.append((service, idp))
        client: TestClient[Any, Any] = await self._client(ProxyTestServer(service))
        return Rig(client, state, realm, tmp / "audit", auditor_key, keys_dir, kek_file, service)

    async def close(self) -> None:
        """Stop every gateway and identity provider started."""
        for service, idp in self._started:
            await service.close()
            await idp.stop()


@pytest.fixture
async def rig_factory(
    tmp_path: Path, aiohttp_server: Any, aiohttp_client: Any
) -> AsyncIterator[RigFactory]:
    """Start compliance gateways with a chosen policy engine."""
    factory = RigFactory(tmp_path, aiohttp_server, aiohttp_client)
    yield factory
    await factory.close()


@pytest.fixture
async def compliance_rig(rig_factory: RigFactory) -> Rig:
    """A gateway in front of the recording assistant, with auth, policy, keys and audit."""
    return await rig_factory.start()
