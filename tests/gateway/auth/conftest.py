"""Fixtures for the authentication tests: a real identity provider on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from gateway.auth import Authenticator, auth_config_from_mapping
from gateway.logs import JsonFormatter
from tests.gateway.auth.idp import IdentityProvider, Realm, ec_key, rsa_key

FAST_REFRESH = 0.2  # jwks_min_refresh_interval in the tests; sleep a little longer to pass it


@pytest.fixture
async def idp() -> AsyncIterator[IdentityProvider]:
    """A running identity provider; stopped (again) at the end."""
    server = IdentityProvider()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def realm(idp: IdentityProvider) -> Realm:
    """The main issuer: RS256, keys found through OIDC discovery."""
    return idp.realm("layanan", "RS256", rsa_key(0))


@pytest.fixture
def second_realm(idp: IdentityProvider) -> Realm:
    """A second trusted issuer: ES256, Keycloak-style roles, a fixed agency."""
    return idp.realm("bpjs", "ES256", ec_key("bpjs-1"))


def issuer_entry(realm: Realm, **overrides: Any) -> dict[str, Any]:
    """An `[[auth.issuers]]` table for a realm."""
    entry: dict[str, Any] = {
        "issuer": realm.issuer,
        "discovery": True,
        "audiences": ["gerbang"],
        "algorithms": [realm.alg],
        "jwks_min_refresh_interval": FAST_REFRESH,
    }
    entry.update(overrides)
    return entry


@pytest.fixture
async def make_authenticator() -> AsyncIterator[Callable[[dict[str, Any]], Authenticator]]:
    """Build authenticators from `[auth]` mappings; all are closed at the end."""
    created: list[Authenticator] = []

    def make(auth: dict[str, Any]) -> Authenticator:
        authenticator = Authenticator.from_config(auth_config_from_mapping(auth))
        created.append(authenticator)
        return authenticator

    yield make
    for authenticator in created:
        await authenticator.close()


@pytest.fixture
def authenticator(
    realm: Realm, make_authenticator: Callable[[dict[str, Any]], Authenticator]
) -> Authenticator:
    """An authenticator trusting the main realm."""
    return make_authenticator({"issuers": [issuer_entry(realm)]})


def bearer(token: str) -> dict[str, str]:
    """Request headers carrying a bearer token."""
    return {"Authorization": f"Bearer {token}"}


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured record as the gateway writes it (JSON with all extra fields)."""
    formatter = JsonFormatter()
    return "\n".join(formatter.format(record) for record in caplog.records)
