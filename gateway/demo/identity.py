"""The demo's identity provider: an OIDC discovery document, a key set, and tokens for two roles.

Only for `gerbang demo`: it runs on loopback, makes a fresh RSA key at every start, and issues
long-lived access tokens for two synthetic callers so the demo can be called with curl.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from aiohttp import web
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

AUDIENCE = "gerbang"
TOKEN_LIFETIME_S = 8 * 3600


@dataclass(frozen=True, slots=True)
class DemoCaller:
    """A synthetic caller of the demo."""

    subject: str
    roles: tuple[str, ...]
    description: str


CITIZEN = DemoCaller("warga-demo", ("warga",), "a citizen, who gets their own data back")
OFFICER = DemoCaller(
    "petugas-demo", ("petugas_lain",), "an officer of another service, who may not see it"
)


class DemoIdentity:
    """Serves discovery and JWKS for one issuer and signs its tokens."""

    def __init__(self) -> None:
        self._key = RSAKey.generate_key(2048, parameters={"kid": uuid.uuid4().hex, "use": "sig"})
        self.issuer = ""
        self._runner: web.AppRunner | None = None

    async def start(self, host: str = "127.0.0.1") -> str:
        """Listen on a free loopback port; returns the issuer URL."""
        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", self._discovery)
        app.router.add_get("/jwks", self._jwks)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.issuer = f"http://{host}:{port}"
        return self.issuer

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    def token(self, caller: DemoCaller) -> str:
        """A signed access token for `caller`."""
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": caller.subject,
            "aud": AUDIENCE,
            "iat": now,
            "nbf": now,
            "exp": now + TOKEN_LIFETIME_S,
            "client_id": "gerbang-demo",
            "scope": "openid",
            "roles": list(caller.roles),
            "agency": "dukcapil",
        }
        header = {"alg": "RS256", "kid": self._key.kid, "typ": "at+jwt"}
        return jwt.encode(header, claims, self._key, algorithms=["RS256"])

    async def _discovery(self, _: web.Request) -> web.Response:
        return web.json_response({"issuer": self.issuer, "jwks_uri": f"{self.issuer}/jwks"})

    async def _jwks(self, _: web.Request) -> web.Response:
        return web.json_response(KeySet([self._key]).as_dict(private=False))
