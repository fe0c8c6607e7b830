"""The issuer's key set: rotation, outages, bounded refetching, one shared fetch.

Fetches are counted at the identity provider itself. An outage is real: the server stops and
connections are refused, or it answers 503.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pytest

from gateway.auth import Authenticator
from gateway.auth.http import FetchFailed
from gateway.auth.jwks import _import_keys
from gateway.errors import AuthenticationUnavailable, Unauthenticated
from gateway.problem import problem_response
from tests.gateway.auth.conftest import FAST_REFRESH, bearer, issuer_entry, logged
from tests.gateway.auth.idp import IdentityProvider, Realm, ec_key, rsa_key

PAST_INTERVAL = FAST_REFRESH + 0.05


async def test_when_issuer_rotates_then_old_keys_serve_until_refetch_and_new_kid_triggers_it(
    realm: Realm, authenticator: Authenticator, idp: IdentityProvider
) -> None:
    old_token = realm.token()
    await authenticator.authenticate(bearer(old_token))
    assert (idp.discovery_fetches[realm.name], idp.jwks_fetches[realm.name]) == (1, 1)

    realm.rotate(rsa_key(1))  # the issuer now publishes only the new key
    await authenticator.authenticate(bearer(old_token))  # cached keys still answer
    assert idp.jwks_fetches[realm.name] == 1

    await asyncio.sleep(PAST_INTERVAL)
    principal = await authenticator.authenticate(bearer(realm.token()))  # unknown kid: refetch
    assert principal.authenticated_by == "jwt"
    assert idp.jwks_fetches[realm.name] == 2

    with pytest.raises(Unauthenticated, match="signing key is not known"):
        await authenticator.authenticate(bearer(old_token))  # withdrawn by the issuer


async def test_when_flooded_with_unknown_kids_then_the_issuer_is_not_hammered(
    realm: Realm,
    make_authenticator: Callable[[dict[str, Any]], Authenticator],
    idp: IdentityProvider,
) -> None:
    authenticator = make_authenticator(
        {"issuers": [issuer_entry(realm, jwks_min_refresh_interval=60)]}
    )
    await authenticator.authenticate(bearer(realm.token()))
    forged = [
        realm.token(key=ec_key(f"random-{i}"), header={"alg": "ES256"}) for i in range(40)
    ] + [realm.token(header={"kid": f"random-rsa-{i}"}) for i in range(40)]
    results = await asyncio.gather(
        *(authenticator.authenticate(bearer(t)) for t in forged), return_exceptions=True
    )
    assert all(isinstance(r, Unauthenticated) for r in results)
    assert idp.jwks_fetches[realm.name] == 1
    assert idp.discovery_fetches[realm.name] == 1


async def test_when_many_callers_meet_an_unknown_kid_then_they_share_one_fetch(
    realm: Realm, authenticator: Authenticator, idp: IdentityProvider
) -> None:
    await authenticator.authenticate(bearer(realm.token()))
    realm.rotate(rsa_key(1), keep_old=True)
    idp.jwks_delay = 0.1  # every caller arrives while the fetch is under way
    await asyncio.sleep(PAST_INTERVAL)
    tokens = [realm.token() for _ in range(25)]
    principals = await asyncio.gather(*(authenticator.authenticate(bearer(t)) for t in tokens))
    assert len(principals) == 25
    assert idp.jwks_fetches[realm.name] == 2


async def test_when_many_callers_arrive_before_any_key_is_known_then_one_fetch_serves_all(
    realm: Realm, authenticator: Authenticator, idp: IdentityProvider
) -> None:
    idp.jwks_delay = 0.1
    tokens = [realm.token() for _ in range(25)]
    await asyncio.gather(*(authenticator.authenticate(bearer(t)) for t in tokens))
    assert (idp.discovery_fetches[realm.name], idp.jwks_fetches[realm.name]) == (1, 1)


async def test_when_jwks_endpoint_is_down_at_start_then_503_and_recovers_when_it_is_back(
    make_authenticator: Callable[[dict[str, Any]], Authenticator], caplog: pytest.LogCaptureFixture
) -> None:
    idp = IdentityProvider()  # not started: connections to its port are refused
    realm = idp.realm("layanan", "RS256", rsa_key(0))
    authenticator = make_authenticator({"issuers": [issuer_entry(realm)]})
    token = realm.token()
    caplog.set_level(logging.INFO)
    for _ in range(3):
        with pytest.raises(AuthenticationUnavailable) as unavailable:
            await authenticator.authenticate(bearer(token))
    assert unavailable.value.status == 503
    response = problem_response(unavailable.value, "req-1")
    assert response.status == 503
    assert "WWW-Authenticate" not in response.headers
    assert "issuer keys could not be fetched" in logged(caplog)
    assert token not in logged(caplog)

    await idp.start()
    try:
        await asyncio.sleep(PAST_INTERVAL)
        assert (await authenticator.authenticate(bearer(token))).authenticated_by == "jwt"
    finally:
        await idp.stop()


async def test_when_jwks_endpoint_fails_then_attempts_are_bounded_by_the_refresh_interval(
    realm: Realm,
    make_authenticator: Callable[[dict[str, Any]], Authenticator],
    idp: IdentityProvider,
) -> None:
    authenticator = make_authenticator(
        {"issuers": [issuer_entry(realm, jwks_min_refresh_interval=60)]}
    )
    idp.failing = True  # answers 503
    token = realm.token()
    for _ in range(20):
        with pytest.raises(AuthenticationUnavailable):
            await authenticator.authenticate(bearer(token))
    assert idp.discovery_fetches[realm.name] == 1


async def test_when_jwks_endpoint_goes_down_during_rotation_then_old_keys_hold_and_new_wait(
    realm: Realm, authenticator: Authenticator, idp: IdentityProvider
) -> None:
    old_token = realm.token()
    await authenticator.authenticate(bearer(old_token))
    await idp.stop()
    realm.rotate(rsa_key(1))
    new_token = realm.token()
    await asyncio.sleep(PAST_INTERVAL)

    # The new kid cannot be checked while the issuer is down: 503, not a verdict on the token.
    with pytest.raises(AuthenticationUnavailable):
        await authenticator.authenticate(bearer(new_token))
    assert (await authenticator.authenticate(bearer(old_token))).subject  # cached keys hold

    await idp.start()
    await asyncio.sleep(PAST_INTERVAL)
    assert (await authenticator.authenticate(bearer(new_token))).authenticated_by == "jwt"
    with pytest.raises(Unauthenticated, match="signing key is not known"):
        await authenticator.authenticate(bearer(old_token))


async def test_when_cache_expires_while_issuer_is_down_then_cached_keys_are_kept(
    realm: Realm,
    make_authenticator: Callable[[dict[str, Any]], Authenticator],
    idp: IdentityProvider,
    caplog: pytest.LogCaptureFixture,
) -> None:
    authenticator = make_authenticator(
        {"issuers": [issuer_entry(realm, jwks_cache_ttl=0.3, jwks_min_refresh_interval=0.1)]}
    )
    token = realm.token()
    await authenticator.authenticate(bearer(token))
    await idp.stop()
    await asyncio.sleep(0.35)
    caplog.set_level(logging.WARNING)
    assert (await authenticator.authenticate(bearer(token))).subject
    assert "issuer keys could not be fetched" in logged(caplog)


async def test_when_cache_ttl_passes_then_keys_are_fetched_again(
    realm: Realm,
    make_authenticator: Callable[[dict[str, Any]], Authenticator],
    idp: IdentityProvider,
) -> None:
    authenticator = make_authenticator(
        {"issuers": [issuer_entry(realm, jwks_cache_ttl=0.2, jwks_min_refresh_interval=0.1)]}
    )
    await authenticator.authenticate(bearer(realm.token()))
    await asyncio.sleep(0.25)
    await authenticator.authenticate(bearer(realm.token()))
    assert idp.jwks_fetches[realm.name] == 2


async def test_when_discovery_names_another_issuer_then_its_keys_are_not_trusted(
    realm: Realm,
    make_authenticator: Callable[[dict[str, Any]], Authenticator],
    idp: IdentityProvider,
) -> None:
    # OIDC Discovery 4.3: the document's `issuer` must be exactly the configured one.
    impostor = realm.issuer + "/"
    authenticator = make_authenticator({"issuers": [issuer_entry(realm, issuer=impostor)]})
    with pytest.raises(AuthenticationUnavailable):
        await authenticator.authenticate(bearer(realm.token(iss=impostor)))
    assert idp.jwks_fetches[realm.name] == 0


async def test_when_warmed_up_then_first_request_needs_no_fetch(
    realm: Realm, authenticator: Authenticator, idp: IdentityProvider
) -> None:
    await authenticator.warm_up()
    assert idp.jwks_fetches[realm.name] == 1
    await authenticator.authenticate(bearer(realm.token()))
    assert idp.jwks_fetches[realm.name] == 1


def test_when_key_set_holds_symmetric_encryption_or_broken_keys_then_only_signature_keys_load() -> (
    None
):
    good = rsa_key(0).as_dict(private=False)
    document = {
        "keys": [
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            {**ec_key("enc").as_dict(private=False), "use": "enc"},
            {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
            {"kty": "PQC", "kid": "future"},
            "not a key",
            good,
        ]
    }
    assert [k.kid for k in _import_keys(document)] == ["rsa-0"]
    with pytest.raises(FetchFailed):
        _import_keys({"keys": [{"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}]})
    with pytest.raises(FetchFailed):
        _import_keys({"no": "keys"})
