"""Accepted tokens are remembered by digest: the next request skips the check, within bounds.

The JWT tests use real tokens from the loopback identity provider; whether a signature was
checked is seen by counting calls to joserfc's `jwt.decode`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from joserfc import jwt as joserfc_jwt

from gateway.auth import Authenticator
from gateway.auth.token_cache import AcceptedTokens, token_digest
from gateway.errors import Unauthenticated
from tests.gateway.auth.conftest import bearer, issuer_entry
from tests.gateway.auth.idp import Realm, rsa_key
from tests.gateway.principals import citizen


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_when_an_entry_is_remembered_then_it_lasts_until_the_earlier_of_max_age_and_exp() -> None:
    clock = Clock()
    cache = AcceptedTokens(10, 60.0, clock=clock)
    cache.remember("a", citizen(), expires_at=clock.now + 5)
    cache.remember("b", citizen(), expires_at=None)
    clock.now += 4.9
    assert cache.get("a") is not None
    clock.now += 0.2
    assert cache.get("a") is None
    assert cache.get("b") is not None
    clock.now += 60
    assert cache.get("b") is None
    assert len(cache) == 0


def test_when_a_token_has_expired_or_caching_is_off_then_nothing_is_remembered() -> None:
    clock = Clock()
    cache = AcceptedTokens(10, 60.0, clock=clock)
    cache.remember("a", citizen(), expires_at=clock.now - 1)
    assert len(cache) == 0
    for off in (AcceptedTokens(0, 60.0, clock=clock), AcceptedTokens(10, 0.0, clock=clock)):
        off.remember("a", citizen(), expires_at=None)
        assert off.get("a") is None


def test_when_the_cache_is_full_then_the_least_recently_used_entry_goes() -> None:
    cache = AcceptedTokens(2, 60.0, clock=Clock())
    cache.remember("a", citizen("a"), None)
    cache.remember("b", citizen("b"), None)
    assert cache.get("a") is not None  # "b" is now the least recently used
    cache.remember("c", citizen("c"), None)
    assert [key for key in cache] == ["a", "c"]


def test_a_token_digest_is_its_sha256_and_never_contains_the_token() -> None:
    token = "eyJhbGciOi.payload-part.signature-part"
    digest = token_digest(token)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert "payload-part" not in digest


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts signature checks (joserfc's jwt.decode calls)."""
    calls: list[str] = []
    real_decode = joserfc_jwt.decode

    def counting_decode(*args: Any, **kwargs: Any) -> Any:
        calls.append("decode")
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(joserfc_jwt, "decode", counting_decode)  # what gateway.auth.jwt calls
    return calls


async def test_when_a_token_comes_again_then_its_signature_is_not_checked_again(
    realm: Realm, authenticator: Authenticator, decodes: list[str]
) -> None:
    token = realm.token()
    first = await authenticator.authenticate(bearer(token))
    again = await authenticator.authenticate(bearer(token))
    assert again == first
    assert len(decodes) == 1
    await authenticator.authenticate(bearer(realm.token()))  # another token: checked
    assert len(decodes) == 2


async def test_when_a_refused_token_comes_again_then_it_is_refused_again(
    realm: Realm, authenticator: Authenticator, decodes: list[str]
) -> None:
    header, payload, signature = realm.token().split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            await authenticator.authenticate(bearer(forged))
    assert len(decodes) == 2


async def test_when_a_cached_tokens_exp_passes_then_it_is_checked_again(
    realm: Realm, authenticator: Authenticator, decodes: list[str]
) -> None:
    token = realm.token(exp=time.time() + 1.0)
    await authenticator.authenticate(bearer(token))
    await asyncio.sleep(1.1)
    with contextlib.suppress(Unauthenticated):  # refused or within the issuer's leeway
        await authenticator.authenticate(bearer(token))
    assert len(decodes) == 2


async def test_when_caching_is_off_then_every_request_is_checked(
    realm: Realm, make_authenticator: Callable[[dict[str, Any]], Authenticator], decodes: list[str]
) -> None:
    authenticator = make_authenticator({"jwt_cache_seconds": 0.0, "issuers": [issuer_entry(realm)]})
    token = realm.token()
    for _ in range(3):
        await authenticator.authenticate(bearer(token))
    assert len(decodes) == 3


async def test_when_the_key_set_is_fetched_again_then_a_cached_token_is_checked_again(
    realm: Realm, authenticator: Authenticator, decodes: list[str]
) -> None:
    old_token = realm.token()
    await authenticator.authenticate(bearer(old_token))
    realm.rotate(rsa_key(7))  # the issuer withdraws the old key
    await asyncio.sleep(0.2)  # past the test issuers' minimum refetch interval
    await authenticator.authenticate(bearer(realm.token()))  # a new kid: the key set is refetched
    with pytest.raises(Unauthenticated, match="signing key is not known"):
        await authenticator.authenticate(bearer(old_token))


async def test_when_the_key_set_grows_stale_then_a_cached_token_is_checked_again(
    realm: Realm, make_authenticator: Callable[[dict[str, Any]], Authenticator], decodes: list[str]
) -> None:
    authenticator = make_authenticator(
        {"issuers": [issuer_entry(realm, jwks_cache_ttl=0.3, jwks_min_refresh_interval=0.1)]}
    )
    token = realm.token()
    await authenticator.authenticate(bearer(token))
    await authenticator.authenticate(bearer(token))
    assert len(decodes) == 1
    await asyncio.sleep(0.35)  # past the key set's TTL: the next request refetches and re-checks
    await authenticator.authenticate(bearer(token))
    assert len(decodes) == 2
