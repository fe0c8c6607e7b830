"""Opaque access tokens checked at an RFC 7662 introspection endpoint.

The gateway authenticates itself with `client_secret_basic` (RFC 6749 section 2.3.1: client id and
secret form-urlencoded, then HTTP Basic). Active answers are cached under the SHA-256 of the token
(never the token), for at most `max_cache_seconds` and never past the token's `exp`; the cache
holds at most `max_cache_entries`, dropping the least recently used. Inactive answers are not
cached. An unreachable or failing endpoint refuses with 503 (the token may well be valid).
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

from gateway.auth.claims import principal_from_claims
from gateway.auth.config import IntrospectionConfig
from gateway.auth.http import FetchFailed, IdpClient
from gateway.auth.principal import Principal
from gateway.auth.refusal import invalid_token
from gateway.auth.token_cache import AcceptedTokens, token_digest
from gateway.errors import AuthenticationUnavailable

LOG = logging.getLogger("gerbang.auth")


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


class IntrospectionClient:
    """Asks the authorization server whether an opaque token is active, and caches the answer."""

    def __init__(
        self,
        config: IntrospectionConfig,
        http: IdpClient,
        client_secret: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._http = http
        credentials = f"{quote_plus(config.client_id)}:{quote_plus(client_secret)}"
        self._authorization = "Basic " + base64.b64encode(credentials.encode()).decode("ascii")
        self._clock = clock
        self._cache = AcceptedTokens(
            config.max_cache_entries, config.max_cache_seconds, clock=clock
        )

    async def introspect(self, token: str) -> Principal:
        """The principal of an active token; raises Unauthenticated or AuthenticationUnavailable."""
        digest = token_digest(token)
        cached = self._cache.get(digest)
        if cached is not None:
            return cached
        try:
            answer = await self._http.post_form_json(
                self._config.endpoint,
                {"token": token, "token_type_hint": "access_token"},
                self._authorization,
            )
        except FetchFailed as exc:
            LOG.warning("token introspection failed", extra={"reason": exc.reason})
            raise AuthenticationUnavailable(
                "the token introspection service cannot be reached now; try again later"
            ) from None
        principal = self._principal(answer, self._clock())
        self._cache.remember(digest, principal, _number(answer.get("exp")))
        return principal

    def _principal(self, answer: dict[str, Any], now: float) -> Principal:
        config = self._config
        if answer.get("active") is not True:
            raise invalid_token("the token is not active")
        exp, nbf = _number(answer.get("exp")), _number(answer.get("nbf"))
        if "exp" in answer and exp is None:
            raise invalid_token("the token's expiry (exp) is invalid")
        if exp is not None and exp <= now - config.leeway:
            raise invalid_token("the token has expired")
        if nbf is not None and nbf > now + config.leeway:
            raise invalid_token("the token is not yet valid")
        iss = answer.get("iss")
        if config.issuer is not None and iss is not None and iss != config.issuer:
            raise invalid_token("the token's issuer is not trusted")
        if config.audiences:
            aud = answer.get("aud")
            audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
            if not any(a in config.audiences for a in audiences):
                raise invalid_token("the token is not meant for this service (audience)")
        subject = answer.get("sub") or answer.get("client_id")
        if not isinstance(subject, str) or not subject:
            raise invalid_token("the token lacks required claims (sub)")
        issuer = config.issuer or (iss if isinstance(iss, str) and iss else config.endpoint)
        return principal_from_claims(
            {**answer, "sub": subject},
            issuer=issuer,
            mapping=config,
            authenticated_by="introspection",
        )
