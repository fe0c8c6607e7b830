"""Choose how a request's credentials are checked, and turn them into a Principal.

- `Authorization: Bearer <token>`: a compact JWS (three base64url parts) goes to the JWT
  verifier when issuers are configured; any other token to introspection when configured;
  otherwise it is refused.
- `Authorization: ApiKey <key>` or `X-API-Key: <key>`: an API key (only when keys are configured;
  otherwise the X-API-Key header is ignored and the scheme counts as unsupported).
- Nothing usable: 401 with `WWW-Authenticate: Bearer realm="gerbang"` and no error code
  (RFC 6750 section 3.1). More than one credential: `invalid_request`.

Invalid credentials are 401 `invalid_token`; an identity provider that cannot be reached is 503
(`authentication_unavailable`): the token may be valid, and a client told 401 would discard it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from gateway.auth.api_keys import ApiKeyVerifier
from gateway.auth.config import AuthConfig
from gateway.auth.http import IdpClient
from gateway.auth.introspection import IntrospectionClient
from gateway.auth.jwt import JwtVerifier
from gateway.auth.principal import Principal
from gateway.auth.refusal import invalid_request, invalid_token, missing_credentials
from gateway.errors import AuthenticationUnavailable, Unauthenticated

LOG = logging.getLogger("gerbang.auth")

_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")  # RFC 6750 section 2.1
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_API_KEY = re.compile(r"[\x21-\x7e]+")


def _header_values(headers: Mapping[str, str], name: str) -> list[str]:
    """All values of a header, case-insensitively, from a multidict or a plain mapping."""
    getall = getattr(headers, "getall", None)
    if callable(getall):
        return list(getall(name, []))
    lowered = name.lower()
    return [value for key, value in headers.items() if key.lower() == lowered]


class Authenticator:
    """Verifies the credentials of a request; owns one HTTP session for identity providers."""

    def __init__(self, config: AuthConfig, *, introspection_secret: str | None = None) -> None:
        self._max_bytes = config.max_token_bytes
        self._http = IdpClient(timeout=config.fetch_timeout, ca_file=config.ca_file)
        self._jwt = JwtVerifier(
            config.issuers,
            self._http,
            cache_seconds=config.jwt_cache_seconds,
            cache_entries=config.jwt_cache_entries,
        )
        self._introspection: IntrospectionClient | None = None
        if config.introspection is not None:
            if introspection_secret is None:
                raise ValueError("introspection is configured: its client secret is needed")
            self._introspection = IntrospectionClient(
                config.introspection, self._http, introspection_secret
            )
        self._api_keys = ApiKeyVerifier(config.api_keys)

    @classmethod
    def from_config(cls, config: AuthConfig) -> Authenticator:
        """Build from `[auth]`; reads the introspection secret now (ConfigError if unset)."""
        secret = None
        if config.introspection is not None:
            secret = config.introspection.client_secret.reveal()
        return cls(config, introspection_secret=secret)

    async def authenticate(self, headers: Mapping[str, str]) -> Principal:
        """The verified caller; raises Unauthenticated (401) or AuthenticationUnavailable (503)."""
        try:
            return await self._authenticate(headers)
        except Unauthenticated as exc:
            LOG.info("authentication refused", extra={"reason": exc.detail, "error": exc.error})
            raise
        except AuthenticationUnavailable as exc:
            LOG.info("authentication unavailable", extra={"reason": exc.detail})
            raise

    async def _authenticate(self, headers: Mapping[str, str]) -> Principal:
        authorization = _header_values(headers, "Authorization")
        api_key = _header_values(headers, "X-API-Key") if self._api_keys else []
        if len(authorization) + len(api_key) > 1:
            raise invalid_request("send exactly one credential (Authorization or X-API-Key)")
        if api_key:
            return self._api_key(api_key[0].strip())
        if not authorization:
            raise missing_credentials()
        scheme, _, credentials = authorization[0].strip().partition(" ")
        credentials = credentials.strip()
        if scheme.lower() == "bearer":
            return await self._bearer(credentials)
        if scheme.lower() == "apikey" and self._api_keys:
            return self._api_key(credentials)
        raise missing_credentials()

    def _too_large(self, credentials: str) -> bool:
        return len(credentials.encode("utf-8", "surrogateescape")) > self._max_bytes

    async def _bearer(self, token: str) -> Principal:
        # The size is checked before anything parses the token.
        if self._too_large(token):
            raise invalid_token("the token is too large")
        if not token:
            raise invalid_request("the bearer token is missing")
        if not _B64TOKEN.fullmatch(token):
            raise invalid_request("the bearer token is malformed")
        if self._jwt and _COMPACT_JWS.fullmatch(token):
            return await self._jwt.verify(token)
        if self._introspection is not None:
            return await self._introspection.introspect(token)
        raise invalid_token("the token is not a JWT from a trusted issuer")

    def _api_key(self, key: str) -> Principal:
        if self._too_large(key):
            raise invalid_token("the API key is too large")
        if not key or not _API_KEY.fullmatch(key):
            raise invalid_request("the API key is missing or malformed")
        return self._api_keys.verify(key)

    async def warm_up(self) -> None:
        """Fetch every issuer's keys now, so the first requests need not wait (never raises)."""
        await self._jwt.warm_up()

    async def close(self) -> None:
        """Stop key fetches under way and close the HTTP session."""
        self._jwt.cancel()
        await self._http.close()
