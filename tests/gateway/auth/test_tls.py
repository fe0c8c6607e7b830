"""An issuer served over HTTPS by a private CA: trusted only through `auth.ca_file`."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import trustme

from gateway.auth import Authenticator
from gateway.errors import AuthenticationUnavailable
from tests.gateway.auth.conftest import bearer, issuer_entry
from tests.gateway.auth.idp import IdentityProvider, Realm, ec_key


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
async def https_idp(ca: trustme.CA) -> AsyncIterator[IdentityProvider]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server = IdentityProvider(tls=context)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def https_realm(https_idp: IdentityProvider) -> Realm:
    return https_idp.realm("aman", "ES256", ec_key("aman-1"))


async def test_when_ca_file_names_the_private_ca_then_https_keys_are_fetched(
    https_realm: Realm,
    ca: trustme.CA,
    tmp_path: Path,
    make_authenticator: Callable[[dict[str, Any]], Authenticator],
) -> None:
    ca_file = tmp_path / "idp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    authenticator = make_authenticator(
        {"ca_file": str(ca_file), "issuers": [issuer_entry(https_realm)]}
    )
    principal = await authenticator.authenticate(bearer(https_realm.token()))
    assert principal.issuer.startswith("https://127.0.0.1:")


async def test_when_the_issuer_certificate_is_not_trusted_then_503(
    https_realm: Realm,
    https_idp: IdentityProvider,
    make_authenticator: Callable[[dict[str, Any]], Authenticator],
) -> None:
    authenticator = make_authenticator({"issuers": [issuer_entry(https_realm)]})
    with pytest.raises(AuthenticationUnavailable):
        await authenticator.authenticate(bearer(https_realm.token()))
    assert https_idp.discovery_fetches[https_realm.name] == 0  # refused at the TLS handshake
