"""An issuer's signing keys, fetched from its JWKS (directly or through OIDC discovery) and cached.

- Fetched on first use, then again when the cache is older than `jwks_cache_ttl`.
- A token naming an unknown `kid` causes one refetch (the issuer may have rotated its keys);
  callers arriving while a fetch is under way wait for that same fetch.
- Fetch attempts start at most once per `jwks_min_refresh_interval`, whatever triggers them, so
  a flood of tokens with random `kid`s (or an outage) cannot hammer the issuer.
- A failed fetch keeps the keys already cached (rotation survives a short outage); with no keys
  at all, or an unknown `kid` that could not be rechecked, callers get `KeysUnavailable`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import JWKRegistry, Key, KeySet

from gateway.auth.config import secure_url
from gateway.auth.http import FetchFailed, IdpClient

LOG = logging.getLogger("gerbang.auth")


class KeysUnavailable(Exception):
    """The issuer's keys cannot be fetched now, so the token cannot be checked."""


class UnknownKey(Exception):
    """The issuer's current key set has no key for this token."""


class RemoteKeySet:
    """The cached key set of one issuer."""

    def __init__(
        self,
        http: IdpClient,
        *,
        issuer: str,
        jwks_uri: str | None,
        discovery_url: str | None,
        cache_ttl: float,
        min_refresh_interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if (jwks_uri is None) == (discovery_url is None):
            raise ValueError("give exactly one of jwks_uri and discovery_url")
        self._http = http
        self._issuer = issuer
        self._configured_uri = jwks_uri
        self._discovered_uri: str | None = None
        self._discovery_url = discovery_url
        self._ttl = cache_ttl
        self._min_interval = min_refresh_interval
        self._clock = clock
        self._keys: KeySet | None = None
        self._fetched_at = -math.inf
        self._attempted_at = -math.inf
        self._last_ok = False
        self.generation = 0  # counts the key sets fetched: a new one re-checks cached tokens
        self._inflight: asyncio.Task[None] | None = None

    @property
    def fresh(self) -> bool:
        """Whether a key set is held and younger than the cache TTL (no fetch is due)."""
        return self._keys is not None and self._clock() - self._fetched_at < self._ttl

    async def key_for(self, kid: str | None, alg: str) -> Key:
        """The key that should have signed a token with this `kid` and `alg`.

        Raises UnknownKey when the (possibly refetched) key set has none, KeysUnavailable when
        no key set is available or the refetch needed to recheck an unknown `kid` failed.
        """
        if not self.fresh:
            await self.refresh()
        key = self._find(kid, alg)
        if key is not None:
            return key
        if kid is not None:
            await self.refresh()
            key = self._find(kid, alg)
            if key is not None:
                return key
        if self._keys is None or (kid is not None and not self._last_ok):
            raise KeysUnavailable
        raise UnknownKey

    async def refresh(self) -> None:
        """Fetch the key set unless an attempt started less than the minimum interval ago.

        Concurrent callers share the fetch under way; it never raises, and it runs to its end
        even if every caller waiting for it is cancelled.
        """
        if self._inflight is None or self._inflight.done():
            if self._clock() - self._attempted_at < self._min_interval:
                return
            self._attempted_at = self._clock()
            self._inflight = asyncio.create_task(self._fetch(), name=f"jwks {self._issuer}")
        await asyncio.shield(self._inflight)

    def _find(self, kid: str | None, alg: str) -> Key | None:
        if self._keys is None:
            return None
        try:
            return self._keys.get_by_kid(kid, {"alg": alg, "use": "sig"})
        except InvalidKeyIdError:
            return None

    async def _fetch(self) -> None:
        try:
            uri = self._configured_uri or self._discovered_uri or await self._discover()
            keys = _import_keys(await self._http.get_json(uri))
        except FetchFailed as exc:
            self._last_ok = False
            self._discovered_uri = None  # discover again next time: the jwks_uri may have moved
            LOG.warning(
                "issuer keys could not be fetched",
                extra={
                    "issuer": self._issuer,
                    "reason": exc.reason,
                    "cached": self._keys is not None,
                },
            )
            return
        except Exception:
            # Never let a surprise escape into every waiting caller; keep what is cached.
            self._last_ok = False
            LOG.exception("issuer keys fetch failed unexpectedly", extra={"issuer": self._issuer})
            return
        self._keys, self._fetched_at, self._last_ok = keys, self._clock(), True
        self.generation += 1
        LOG.info("issuer keys fetched", extra={"issuer": self._issuer, "keys": len(keys.keys)})

    async def _discover(self) -> str:
        assert self._discovery_url is not None
        document = await self._http.get_json(self._discovery_url)
        if document.get("issuer") != self._issuer:
            # OpenID Connect Discovery 1.0, section 4.3: the document must name this issuer.
            raise FetchFailed("discovery document names another issuer")
        uri = document.get("jwks_uri")
        if not isinstance(uri, str):
            raise FetchFailed("discovery document has no jwks_uri")
        try:
            secure_url(uri)
        except ValueError:
            raise FetchFailed("discovery jwks_uri is not https (or loopback http)") from None
        self._discovered_uri = uri
        return uri

    def cancel(self) -> None:
        """Stop a fetch under way (at shutdown)."""
        if self._inflight is not None:
            self._inflight.cancel()


def _import_keys(document: dict[str, Any]) -> KeySet:
    """The public signature keys of a JWKS; symmetric, encryption and broken keys are skipped."""
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise FetchFailed("key set has no keys array")
    keys: list[Key] = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("kty") == "oct" or entry.get("use") == "enc":
            continue
        try:
            keys.append(JWKRegistry.import_key(entry))
        except (JoseError, ValueError, TypeError, KeyError):
            LOG.warning("issuer key skipped: not a usable JWK", extra={"kid": entry.get("kid")})
    if not keys:
        raise FetchFailed("key set has no usable signature keys")
    return KeySet(keys)
