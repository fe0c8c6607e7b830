"""A small identity provider on 127.0.0.1 for the authentication tests.

Each realm is an issuer (`http://127.0.0.1:PORT/realms/NAME`) with an OIDC discovery document, a
JWKS of real keys (joserfc) that can rotate, and counters of every fetch. The server can stop and
start again on the same port (a real outage: connection refused), answer 503, or answer slowly.
It also runs an RFC 7662 introspection endpoint that checks client_secret_basic credentials.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import socket
import ssl
import time
import uuid
from collections import Counter
from typing import Any
from urllib.parse import unquote_plus

from aiohttp import web
from joserfc import jwt
from joserfc.jwk import ECKey, Key, RSAKey

SUBJECT = "warga-7f3a2c"
MARKER_EMAIL = "sinta.marker@example.id"  # a claim value that must never reach a log or a body


@functools.cache
def rsa_key(index: int) -> RSAKey:
    """RSA keys are slow to make: each index is generated once per test session."""
    return RSAKey.generate_key(2048, parameters={"kid": f"rsa-{index}", "use": "sig"})


def ec_key(kid: str) -> ECKey:
    """A fresh P-256 key (cheap)."""
    return ECKey.generate_key("P-256", parameters={"kid": kid, "use": "sig"})


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Realm:
    """One issuer: its published keys and the key it signs with."""

    def __init__(self, name: str, alg: str, key: Key) -> None:
        self.name = name
        self.alg = alg
        self.signing_key = key
        self.published: list[Key] = [key]
        self.issuer = ""  # set when the server knows its port

    def rotate(self, new_key: Key, *, keep_old: bool = False) -> None:
        """Sign with `new_key` from now on; publish it (and drop the old keys unless kept)."""
        self.published = [*self.published, new_key] if keep_old else [new_key]
        self.signing_key = new_key

    def claims(self, **overrides: Any) -> dict[str, Any]:
        """Valid claims for this realm, with overrides (a value of None removes the claim)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": SUBJECT,
            "aud": "gerbang",
            "exp": now + 300,
            "iat": now,
            "nbf": now,
            "jti": uuid.uuid4().hex,
            "client_id": "portal-warga",
            "scope": "openid layanan.baca",
            "roles": ["warga", "pemohon", "warga"],
            "groups": ["/jakarta"],
            "agency": "dukcapil",
            "email": MARKER_EMAIL,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(
        self, key: Key | None = None, header: dict[str, Any] | None = None, **claims: Any
    ) -> str:
        """A signed JWT (compact JWS) for this realm."""
        key = key or self.signing_key
        head = {"alg": self.alg, "kid": key.kid, **(header or {})}
        head = {k: v for k, v in head.items() if v is not None}
        return jwt.encode(head, self.claims(**claims), key, algorithms=[head["alg"]])


class IdentityProvider:
    """The aiohttp app and its state; `start()`/`stop()` may be repeated on one port."""

    def __init__(self, port: int | None = None, tls: ssl.SSLContext | None = None) -> None:
        self.port = port or free_port()
        self.tls = tls
        self.base = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.realms: dict[str, Realm] = {}
        self.jwks_fetches: Counter[str] = Counter()
        self.discovery_fetches: Counter[str] = Counter()
        self.failing = False  # answer 503 to everything
        self.jwks_delay = 0.0
        # Introspection: opaque token -> answer; the gateway's client credentials.
        self.opaque: dict[str, dict[str, Any]] = {}
        self.introspection_calls = 0
        self.client_id = "gerbang:gateway"  # a ':' to prove the credentials are form-encoded
        self.client_secret = "s3cret with spaces&symbols"
        self._runner: web.AppRunner | None = None

    def realm(self, name: str, alg: str, key: Key) -> Realm:
        """Add an issuer."""
        realm = Realm(name, alg, key)
        realm.issuer = f"{self.base}/realms/{name}"
        self.realms[name] = realm
        return realm

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/realms/{name}/.well-known/openid-configuration", self._discovery)
        app.router.add_get("/realms/{name}/jwks", self._jwks)
        app.router.add_post("/introspect", self._introspect)
        return app

    async def start(self) -> None:
        """Listen on 127.0.0.1:port."""
        self._runner = web.AppRunner(self._app(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, ssl_context=self.tls).start()

    async def stop(self) -> None:
        """Stop listening: connections are refused from now on."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _realm(self, request: web.Request) -> Realm:
        if self.failing:
            raise web.HTTPServiceUnavailable()
        realm = self.realms.get(request.match_info["name"])
        if realm is None:
            raise web.HTTPNotFound()
        return realm

    async def _discovery(self, request: web.Request) -> web.Response:
        self.discovery_fetches[request.match_info["name"]] += 1
        realm = self._realm(request)
        return web.json_response(
            {
                "issuer": realm.issuer,
                "jwks_uri": f"{realm.issuer}/jwks",
                "introspection_endpoint": f"{self.base}/introspect",
                "id_token_signing_alg_values_supported": [realm.alg],
            }
        )

    async def _jwks(self, request: web.Request) -> web.Response:
        self.jwks_fetches[request.match_info["name"]] += 1
        realm = self._realm(request)
        if self.jwks_delay:
            await asyncio.sleep(self.jwks_delay)
        return web.json_response({"keys": [k.as_dict(private=False) for k in realm.published]})

    async def _introspect(self, request: web.Request) -> web.Response:
        self.introspection_calls += 1
        if self.failing:
            raise web.HTTPServiceUnavailable()
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        user, _, password = base64.b64decode(encoded or "Og==").decode().partition(":")
        if (
            scheme != "Basic"
            or unquote_plus(user) != self.client_id
            or unquote_plus(password) != self.client_secret
        ):
            return web.json_response({"error": "invalid_client"}, status=401)
        form = await request.post()
        answer = self.opaque.get(str(form.get("token", "")), {"active": False})
        return web.json_response(answer)
