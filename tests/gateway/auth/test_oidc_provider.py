"""End to end against a real OpenID Connect provider (oidc-provider on Node.js, on loopback).

A confidential client gets access tokens with the client-credentials grant through Authlib's OAuth
2.0 client (its requests-based `OAuth2Session`); the gateway's Authenticator finds the provider's
keys through OIDC discovery and turns the tokens into principals, or refuses them.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator

import pytest
from authlib.integrations.requests_client import OAuth2Session

from gateway.auth import Authenticator, Principal, auth_config_from_mapping
from gateway.errors import Unauthenticated
from tests.gateway.auth.oidc_provider_fixture import OidcProvider, oidc_provider

__all__ = ["oidc_provider"]  # the session fixture, used by the tests below

SECRET_ENV = "GERBANG_E2E_INTROSPECTION_SECRET"


def fetch_token(provider: OidcProvider, *, resource: str, scope: str) -> str:
    """An access token from the provider's token endpoint (client_credentials grant)."""
    with OAuth2Session(
        provider.client_id,
        provider.client_secret,
        scope=scope,
        token_endpoint_auth_method="client_secret_basic",
    ) as session:
        session.trust_env = False  # loopback: never through a proxy from the environment
        token = session.fetch_token(
            provider.token_endpoint, grant_type="client_credentials", resource=resource
        )
    access_token = token["access_token"]
    assert isinstance(access_token, str)
    return access_token


async def get_token(provider: OidcProvider, resource: str | None = None) -> str:
    """`fetch_token` off the event loop, for every scope the client has."""
    return await asyncio.to_thread(
        fetch_token,
        provider,
        resource=resource or provider.audience,
        scope=" ".join(provider.scopes),
    )


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@pytest.fixture
async def oidc_authenticator(
    oidc_provider: OidcProvider, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Authenticator]:
    """Trusts the provider's JWTs (keys through discovery) and introspects its opaque tokens."""
    monkeypatch.setenv(SECRET_ENV, oidc_provider.introspector_secret)
    claims = {"roles_claim": "realm_access.roles", "agency_claim": "agency"}
    config = auth_config_from_mapping(
        {
            "issuers": [
                {
                    "issuer": oidc_provider.issuer,
                    "discovery": True,
                    "audiences": [oidc_provider.audience],
                    "algorithms": ["RS256"],
                    **claims,
                }
            ],
            "introspection": {
                "endpoint": oidc_provider.introspection_endpoint,
                "client_id": oidc_provider.introspector_id,
                "client_secret": {"env": SECRET_ENV},
                "issuer": oidc_provider.issuer,
                "audiences": [oidc_provider.opaque_audience],
                **claims,
            },
        }
    )
    authenticator = Authenticator.from_config(config)
    yield authenticator
    await authenticator.close()


async def refusal(authenticator: Authenticator, token: str) -> Unauthenticated:
    """The Unauthenticated error a bearer token gets; it must never echo the token."""
    with pytest.raises(Unauthenticated) as caught:
        await authenticator.authenticate({"Authorization": f"Bearer {token}"})
    exc = caught.value
    assert exc.status == 401
    assert token not in str(exc.detail)
    assert token not in exc.www_authenticate
    return exc


async def test_client_credentials_jwt_becomes_a_principal(
    oidc_provider: OidcProvider, oidc_authenticator: Authenticator
) -> None:
    token = await get_token(oidc_provider)
    header = json.loads(_b64decode(token.split(".")[0]))
    assert (header["alg"], header["typ"]) == ("RS256", "at+jwt")  # a real signed JWT

    principal = await oidc_authenticator.authenticate({"Authorization": f"Bearer {token}"})

    assert isinstance(principal, Principal)
    assert principal.issuer == oidc_provider.issuer
    assert principal.subject == oidc_provider.client_id  # client-credentials: sub is the client
    assert principal.client_id == oidc_provider.client_id
    assert principal.scopes == tuple(sorted(oidc_provider.scopes))
    assert principal.roles == tuple(sorted(oidc_provider.roles))
    assert principal.groups == ()
    assert principal.agency == oidc_provider.agency
    assert principal.authenticated_by == "jwt"
    assert principal.expires_at is not None
    assert abs(principal.expires_at - (time.time() + oidc_provider.token_ttl)) < 30
    assert principal.policy_input()["roles"] == sorted(oidc_provider.roles)


async def test_token_for_another_audience_is_refused(
    oidc_provider: OidcProvider, oidc_authenticator: Authenticator
) -> None:
    token = await get_token(oidc_provider, oidc_provider.other_audience)
    # Same issuer, same keys, valid signature: only the audience is wrong.
    payload = json.loads(_b64decode(token.split(".")[1]))
    assert payload["aud"] == oidc_provider.other_audience

    exc = await refusal(oidc_authenticator, token)

    assert exc.error == "invalid_token"
    assert "audience" in str(exc.detail)
    assert 'error="invalid_token"' in exc.www_authenticate
    assert oidc_provider.other_audience not in exc.www_authenticate


async def test_tampered_payload_is_refused(
    oidc_provider: OidcProvider, oidc_authenticator: Authenticator
) -> None:
    header, payload, signature = (await get_token(oidc_provider)).split(".")
    claims = json.loads(_b64decode(payload))
    claims["realm_access"]["roles"].append("admin")  # the privilege escalation one would try
    forged = ".".join((header, _b64encode(json.dumps(claims).encode()), signature))

    exc = await refusal(oidc_authenticator, forged)

    assert exc.error == "invalid_token"
    assert "signature" in str(exc.detail)
    assert "admin" not in exc.www_authenticate


async def test_tampered_signature_is_refused(
    oidc_provider: OidcProvider, oidc_authenticator: Authenticator
) -> None:
    header, payload, signature = (await get_token(oidc_provider)).split(".")
    middle = len(signature) // 2  # not the last character: its low bits are padding
    flipped = "A" if signature[middle] != "A" else "B"
    forged = ".".join((header, payload, signature[:middle] + flipped + signature[middle + 1 :]))

    exc = await refusal(oidc_authenticator, forged)

    assert exc.error == "invalid_token"
    assert "signature" in str(exc.detail)


async def test_opaque_token_is_introspected(
    oidc_provider: OidcProvider, oidc_authenticator: Authenticator
) -> None:
    token = await get_token(oidc_provider, oidc_provider.opaque_audience)
    assert token.count(".") == 0  # opaque: only the provider can say what it means

    principal = await oidc_authenticator.authenticate({"Authorization": f"Bearer {token}"})

    assert principal.authenticated_by == "introspection"
    assert principal.issuer == oidc_provider.issuer
    assert principal.subject == oidc_provider.client_id
    assert principal.client_id == oidc_provider.client_id
    assert principal.scopes == tuple(sorted(oidc_provider.scopes))
    assert principal.roles == tuple(sorted(oidc_provider.roles))
    assert principal.agency == oidc_provider.agency


async def test_opaque_token_unknown_to_the_provider_is_refused(
    oidc_authenticator: Authenticator,
) -> None:
    made_up = _b64encode(b"\x07" * 32)  # looks like one of its opaque tokens, was never issued

    exc = await refusal(oidc_authenticator, made_up)

    assert exc.error == "invalid_token"
