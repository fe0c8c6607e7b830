"""Verify JWT access tokens from the configured issuers with joserfc.

The unverified `iss` only selects one of the configured issuers (never a key source of its own);
that issuer's algorithm allow-list, keys, audiences and leeway then decide. `exp`, `sub`, `iss`
and `aud` are required; `nbf` and `iat` are checked when present.

An accepted token's principal is remembered under the token's SHA-256 for `jwt_cache_seconds`
(never past `exp`), so a caller's next requests skip the signature check (about a quarter of a
millisecond of CPU for RS256). The entry holds only while the issuer's key set is the one the
token was checked with: once the key set is fetched again, the token is verified again, so a
key the issuer withdrew stops being honoured as soon as the gateway sees it gone.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any, cast

from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jws import JWSRegistry

from gateway.auth.claims import principal_from_claims
from gateway.auth.config import IssuerConfig
from gateway.auth.http import IdpClient
from gateway.auth.jwks import KeysUnavailable, RemoteKeySet, UnknownKey
from gateway.auth.principal import Principal
from gateway.auth.refusal import invalid_token
from gateway.auth.token_cache import AcceptedTokens, token_digest
from gateway.errors import AuthenticationUnavailable

_CLAIM_PROBLEMS = {
    "iss": "the token's issuer is not trusted",
    "aud": "the token is not meant for this service (audience)",
    "nbf": "the token is not yet valid",
    "iat": "the token was issued in the future",
    "exp": "the token's expiry (exp) is invalid",
    "sub": "the token's subject (sub) is invalid",
    "jti": "the token's identifier (jti) is invalid",
}
_REQUIRED = ("iss", "sub", "aud", "exp")


class _Issuer:
    def __init__(self, config: IssuerConfig, http: IdpClient) -> None:
        self.config = config
        self.keys = RemoteKeySet(
            http,
            issuer=config.issuer,
            jwks_uri=config.jwks_uri,
            discovery_url=config.discovery_url if config.discovery else None,
            cache_ttl=config.jwks_cache_ttl,
            min_refresh_interval=config.jwks_min_refresh_interval,
        )
        # Unknown header parameters are ignored (RFC 7515 section 4); `crit` is still enforced.
        self.registry = JWSRegistry(algorithms=list(config.algorithms), strict_check_header=False)


class JwtVerifier:
    """Verifies compact JWS access tokens against the trusted issuers."""

    def __init__(
        self,
        issuers: Sequence[IssuerConfig],
        http: IdpClient,
        *,
        cache_seconds: float = 60.0,
        cache_entries: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._issuers = {config.issuer: _Issuer(config, http) for config in issuers}
        self._accepted = AcceptedTokens(cache_entries, cache_seconds, clock=clock)

    def __bool__(self) -> bool:
        return bool(self._issuers)

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; raises Unauthenticated or AuthenticationUnavailable."""
        digest = token_digest(token)
        found = self._accepted.lookup(digest)
        if found is not None:
            principal, checked_with = found
            keys, generation = cast(tuple[RemoteKeySet, int], checked_with)
            if keys.generation == generation and keys.fresh:
                return principal
            self._accepted.forget(digest)  # new or stale key set: check the token again
        principal, keys = await self._verify(token)
        self._accepted.remember(digest, principal, principal.expires_at, (keys, keys.generation))
        return principal

    async def _verify(self, token: str) -> tuple[Principal, RemoteKeySet]:
        header, unverified = _peek(token)
        iss = unverified.get("iss")
        if iss is None:
            raise invalid_token("the token lacks required claims (iss)")
        issuer = self._issuers.get(iss) if isinstance(iss, str) else None
        if issuer is None:
            raise invalid_token("the token's issuer is not trusted")
        config = issuer.config
        alg, kid = header.get("alg"), header.get("kid")
        if not isinstance(alg, str) or alg not in config.algorithms:
            raise invalid_token("the token's signing algorithm is not allowed")
        if kid is not None and not isinstance(kid, str):
            raise invalid_token("the token is malformed")
        try:
            key = await issuer.keys.key_for(kid, alg)
        except UnknownKey:
            raise invalid_token("the token's signing key is not known") from None
        except KeysUnavailable:
            raise AuthenticationUnavailable(
                "the identity provider's signing keys cannot be fetched now; try again later"
            ) from None
        try:
            claims = jwt.decode(token, key, registry=issuer.registry).claims
        except BadSignatureError:
            raise invalid_token("the token's signature is invalid") from None
        except JoseError:
            # Unknown critical header, key unfit for the algorithm, undecodable parts...
            raise invalid_token("the token cannot be verified") from None
        _check_claims(claims, config)
        principal = principal_from_claims(
            claims, issuer=config.issuer, mapping=config, authenticated_by="jwt"
        )
        return principal, issuer.keys

    async def warm_up(self) -> None:
        """Fetch every issuer's keys now (failures are logged; tokens retry later)."""
        for issuer in self._issuers.values():
            await issuer.keys.refresh()

    def cancel(self) -> None:
        """Stop key fetches under way."""
        for issuer in self._issuers.values():
            issuer.keys.cancel()


def _peek(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and the claims, NOT verified: only to choose the issuer and its key."""
    try:
        obj = jws.extract_compact(token.encode("ascii"))
        claims = json.loads(obj.payload)
    except (JoseError, ValueError, UnicodeError):
        raise invalid_token("the token is malformed") from None
    if not isinstance(claims, dict):
        raise invalid_token("the token is malformed")
    return dict(obj.headers()), claims


def _check_claims(claims: dict[str, Any], config: IssuerConfig) -> None:
    registry = jwt.JWTClaimsRegistry(
        leeway=config.leeway,
        iss={"essential": True, "value": config.issuer},
        aud={"essential": True, "values": list(config.audiences)},
        exp={"essential": True},
        sub={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise invalid_token("the token has expired") from None
    except MissingClaimError as exc:
        names = ", ".join(n for n in _REQUIRED if n in exc.claim.split(","))
        raise invalid_token(f"the token lacks required claims ({names})") from None
    except InvalidClaimError as exc:
        raise invalid_token(
            _CLAIM_PROBLEMS.get(exc.claim, "the token has an invalid claim")
        ) from None
