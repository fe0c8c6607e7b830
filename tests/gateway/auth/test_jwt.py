"""JWT access tokens: the attack table, leeway both ways, several trusted issuers.

Every token is real: signed with real keys served by a real JWKS endpoint on loopback.
Every refusal must be 401 with `error="invalid_token"` and must not echo the token or any of
its claim values, neither in the challenge, the problem body, nor the logs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from joserfc import jwt
from joserfc.jws import JWSRegistry
from joserfc.registry import HeaderParameter

from gateway.auth import Authenticator
from gateway.errors import Unauthenticated
from gateway.problem import problem_response
from tests.gateway.auth.conftest import bearer, issuer_entry, logged
from tests.gateway.auth.idp import MARKER_EMAIL, SUBJECT, IdentityProvider, Realm, ec_key, rsa_key


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(realm: Realm) -> str:
    header = b64(json.dumps({"alg": "none", "kid": realm.signing_key.kid}).encode())
    return f"{header}.{b64(json.dumps(realm.claims()).encode())}."


def public_key_as_hmac_secret(realm: Realm) -> str:
    """The classic confusion attack: HS256 signed with the issuer's public key as the secret."""
    pem = realm.signing_key.get_op_key("verify").public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": realm.signing_key.kid}).encode())
    signing_input = f"{header}.{b64(json.dumps(realm.claims()).encode())}"
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def tampered_payload(realm: Realm) -> str:
    header, _, signature = realm.token().split(".")
    forged = b64(json.dumps(realm.claims(roles=["admin"])).encode())
    return f"{header}.{forged}.{signature}"


def tampered_signature(realm: Realm) -> str:
    header, payload, signature = realm.token().split(".")
    middle = len(signature) // 2
    flipped = "A" if signature[middle] != "A" else "B"
    return f"{header}.{payload}.{signature[:middle]}{flipped}{signature[middle + 1 :]}"


def unknown_key(realm: Realm) -> str:
    return realm.token(key=rsa_key(1))  # kid "rsa-1": never published by this realm


def unknown_critical_header(realm: Realm) -> str:
    """A token whose `crit` names an extension the gateway does not understand (RFC 7515 4.1.11)."""
    registry = JWSRegistry(header_registry={"x-gerbang": HeaderParameter("test", "bool")})
    header = {
        "alg": "RS256",
        "kid": realm.signing_key.kid,
        "crit": ["x-gerbang"],
        "x-gerbang": True,
    }
    return jwt.encode(header, realm.claims(), realm.signing_key, registry=registry)


def declared_es256(realm: Realm) -> str:
    return realm.token(key=ec_key(realm.signing_key.kid or "x"), header={"alg": "ES256"})


# name -> (token factory, words the error description must contain)
ATTACKS: dict[str, tuple[Callable[[Realm], str], str]] = {
    "alg none": (unsigned, "algorithm is not allowed"),
    "RS256 public key as HS256 secret": (public_key_as_hmac_secret, "algorithm is not allowed"),
    "algorithm outside the allow-list": (declared_es256, "algorithm is not allowed"),
    "expired": (lambda r: r.token(exp=int(time.time()) - 3600), "has expired"),
    "not yet valid": (lambda r: r.token(nbf=int(time.time()) + 3600), "not yet valid"),
    "issued in the future": (lambda r: r.token(iat=int(time.time()) + 3600), "in the future"),
    "wrong issuer": (
        lambda r: r.token(iss="https://sso.penipu.example/realms/layanan"),
        "issuer is not trusted",
    ),
    "wrong audience": (lambda r: r.token(aud="layanan-lain"), "audience"),
    "wrong audience in a list": (lambda r: r.token(aud=["a", "b"]), "audience"),
    "tampered payload": (tampered_payload, "signature is invalid"),
    "tampered signature": (tampered_signature, "signature is invalid"),
    "unknown kid": (unknown_key, "signing key is not known"),
    "missing exp": (lambda r: r.token(exp=None), "lacks required claims (exp)"),
    "missing sub": (lambda r: r.token(sub=None), "lacks required claims (sub)"),
    "missing iss": (lambda r: r.token(iss=None), "lacks required claims (iss)"),
    "missing aud": (lambda r: r.token(aud=None), "lacks required claims (aud)"),
    "empty sub": (lambda r: r.token(sub=""), "subject (sub) is invalid"),
    "exp not a number": (lambda r: r.token(exp="tomorrow"), "expiry (exp) is invalid"),
    "unknown critical header": (unknown_critical_header, "cannot be verified"),
    "oversized": (lambda r: r.token(padding="x" * 9000), "too large"),
    "not JSON inside": (lambda r: "e30.bm90LWpzb24.c2ln", "malformed"),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
async def test_when_token_is_forged_or_invalid_then_401_invalid_token_without_echo(
    attack: str, realm: Realm, authenticator: Authenticator, caplog: pytest.LogCaptureFixture
) -> None:
    make, words = ATTACKS[attack]
    token = make(realm)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(Unauthenticated) as refused:
        await authenticator.authenticate(bearer(token))
    error = refused.value
    assert (error.status, error.code, error.error) == (401, "unauthenticated", "invalid_token")
    assert words in error.detail
    assert error.www_authenticate.startswith('Bearer realm="gerbang", error="invalid_token", ')
    assert f'error_description="{error.detail}"' in error.www_authenticate
    response = problem_response(error, "req-1")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == error.www_authenticate
    assert response.body is not None
    exposed = [bytes(response.body).decode(), error.www_authenticate, str(error), logged(caplog)]
    for text in exposed:
        for secret in (token, token.split(".")[1], SUBJECT, MARKER_EMAIL):
            assert secret not in text, "a token or claim value was exposed"


async def test_when_token_is_oversized_then_refused_before_any_parsing_or_fetch(
    realm: Realm, authenticator: Authenticator, idp: IdentityProvider
) -> None:
    with pytest.raises(Unauthenticated, match="too large"):
        await authenticator.authenticate(bearer("a" * 9000))
    with pytest.raises(Unauthenticated, match="too large"):
        await authenticator.authenticate(bearer(realm.token(padding="x" * 9000)))
    assert idp.jwks_fetches[realm.name] == 0
    assert idp.discovery_fetches[realm.name] == 0


async def test_when_issuer_is_untrusted_or_alg_refused_then_no_key_is_fetched(
    realm: Realm, authenticator: Authenticator, idp: IdentityProvider
) -> None:
    for token in (
        realm.token(iss="https://sso.penipu.example"),
        unsigned(realm),
        public_key_as_hmac_secret(realm),
    ):
        with pytest.raises(Unauthenticated):
            await authenticator.authenticate(bearer(token))
    assert idp.jwks_fetches[realm.name] == 0


async def test_when_token_is_valid_then_principal_carries_the_verified_claims(
    realm: Realm, authenticator: Authenticator
) -> None:
    principal = await authenticator.authenticate(bearer(realm.token()))
    assert principal.issuer == realm.issuer
    assert principal.subject == SUBJECT
    assert principal.client_id == "portal-warga"
    assert principal.roles == ("pemohon", "warga")
    assert principal.groups == ("/jakarta",)
    assert principal.scopes == ("layanan.baca", "openid")
    assert principal.agency == "dukcapil"
    assert principal.authenticated_by == "jwt"
    assert principal.expires_at is not None
    assert principal.expires_at > time.time()


LEEWAY_CASES = [
    ({"exp": -30}, True),
    ({"exp": -90}, False),
    ({"nbf": +30}, True),
    ({"nbf": +90}, False),
    ({"iat": +30}, True),
    ({"iat": +90}, False),
]


@pytest.mark.parametrize(("shift", "accepted"), LEEWAY_CASES)
async def test_when_times_are_within_leeway_then_accepted_and_beyond_then_refused(
    shift: dict[str, int], accepted: bool, realm: Realm, authenticator: Authenticator
) -> None:
    # The default leeway is 60 s: 30 s off either way is clock skew, 90 s is not.
    now = int(time.time())
    times: dict[str, Any] = {name: now + delta for name, delta in shift.items()}
    token = realm.token(**times)
    if accepted:
        assert (await authenticator.authenticate(bearer(token))).subject == SUBJECT
    else:
        with pytest.raises(Unauthenticated):
            await authenticator.authenticate(bearer(token))


async def test_when_leeway_is_zero_then_a_just_expired_token_is_refused(
    realm: Realm, make_authenticator: Callable[[dict[str, Any]], Authenticator]
) -> None:
    strict = make_authenticator({"issuers": [issuer_entry(realm, leeway=0)]})
    with pytest.raises(Unauthenticated, match="expired"):
        await strict.authenticate(bearer(realm.token(exp=int(time.time()) - 2)))


async def test_when_several_issuers_are_trusted_then_each_is_verified_with_its_own_rules(
    realm: Realm,
    second_realm: Realm,
    idp: IdentityProvider,
    make_authenticator: Callable[[dict[str, Any]], Authenticator],
) -> None:
    authenticator = make_authenticator(
        {
            "issuers": [
                issuer_entry(realm),
                issuer_entry(
                    second_realm,
                    discovery=False,
                    jwks_uri=f"{second_realm.issuer}/jwks",
                    audiences=["gerbang-bpjs"],
                    roles_claim="realm_access.roles",
                    agency="bpjs",
                ),
            ]
        }
    )
    first = await authenticator.authenticate(bearer(realm.token()))
    second = await authenticator.authenticate(
        bearer(
            second_realm.token(
                aud="gerbang-bpjs", roles=None, realm_access={"roles": ["verifikator"]}
            )
        )
    )
    assert (first.issuer, first.roles, first.agency) == (
        realm.issuer,
        ("pemohon", "warga"),
        "dukcapil",
    )
    # A fixed agency wins over the token's own `agency` claim.
    assert (second.issuer, second.roles, second.agency) == (
        second_realm.issuer,
        ("verifikator",),
        "bpjs",
    )
    assert idp.discovery_fetches[second_realm.name] == 0  # jwks_uri given: no discovery

    # One issuer's audience does not open the other; nor does one issuer's key sign for another.
    with pytest.raises(Unauthenticated, match="audience"):
        await authenticator.authenticate(bearer(second_realm.token(aud="gerbang")))
    with pytest.raises(Unauthenticated, match="algorithm is not allowed"):
        await authenticator.authenticate(bearer(realm.token(iss=second_realm.issuer)))
    cross = second_realm.token(key=ec_key("bpjs-1"), aud="gerbang-bpjs")  # same kid, other key
    with pytest.raises(Unauthenticated, match="signature is invalid"):
        await authenticator.authenticate(bearer(cross))
