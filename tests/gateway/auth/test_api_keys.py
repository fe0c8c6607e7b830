"""API keys for service accounts: hashed in the config, sent as `ApiKey` or `X-API-Key`."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

import pytest

from gateway.auth import API_KEY_ISSUER, Authenticator
from gateway.errors import Unauthenticated
from tests.gateway.auth.conftest import logged

KEY = "gk_test_5f0c2d9e8b7a4c31a2f0"
OTHER_KEY = "gk_test_0000aaaa1111bbbb2222"


@pytest.fixture
def with_keys(make_authenticator: Callable[[dict[str, Any]], Authenticator]) -> Authenticator:
    return make_authenticator(
        {
            "api_keys": [
                {
                    "name": "batch-verifier",
                    "sha256": hashlib.sha256(KEY.encode()).hexdigest().upper(),
                    "roles": ["verifier", "auditor", "verifier"],
                    "scopes": ["verify"],
                    "agency": "dukcapil",
                },
                {"name": "other", "sha256": hashlib.sha256(OTHER_KEY.encode()).hexdigest()},
            ]
        }
    )


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": f"ApiKey {KEY}"}, {"authorization": f"apikey {KEY}"}, {"X-API-Key": KEY}],
)
async def test_when_key_is_right_then_principal_is_the_service_account(
    headers: dict[str, str], with_keys: Authenticator
) -> None:
    principal = await with_keys.authenticate(headers)
    assert principal.issuer == API_KEY_ISSUER
    assert (principal.subject, principal.client_id) == ("batch-verifier", "batch-verifier")
    assert (principal.roles, principal.scopes, principal.agency) == (
        ("auditor", "verifier"),
        ("verify",),
        "dukcapil",
    )
    assert principal.authenticated_by == "api_key"
    assert principal.expires_at is None


async def test_when_second_key_is_used_then_its_own_account_is_returned(
    with_keys: Authenticator,
) -> None:
    assert (await with_keys.authenticate({"X-API-Key": OTHER_KEY})).subject == "other"


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "ApiKey gk_test_wrong"},
        {"X-API-Key": KEY + "x"},
        {"X-API-Key": KEY[:-1]},
    ],
)
async def test_when_key_is_wrong_then_401_invalid_token_without_echo(
    headers: dict[str, str], with_keys: Authenticator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(Unauthenticated) as refused:
        await with_keys.authenticate(headers)
    assert (refused.value.status, refused.value.error) == (401, "invalid_token")
    presented = next(iter(headers.values())).removeprefix("ApiKey ")
    for text in (logged(caplog), refused.value.www_authenticate, refused.value.detail):
        assert presented not in text


async def test_when_two_credentials_are_sent_then_invalid_request(
    with_keys: Authenticator,
) -> None:
    with pytest.raises(Unauthenticated) as refused:
        await with_keys.authenticate({"Authorization": f"ApiKey {KEY}", "X-API-Key": KEY})
    assert refused.value.error == "invalid_request"


@pytest.mark.parametrize("headers", [{"X-API-Key": ""}, {"Authorization": "ApiKey "}])
async def test_when_key_is_empty_then_invalid_request(
    headers: dict[str, str], with_keys: Authenticator
) -> None:
    with pytest.raises(Unauthenticated) as refused:
        await with_keys.authenticate(headers)
    assert refused.value.error == "invalid_request"


async def test_when_no_keys_are_configured_then_api_keys_count_as_no_credentials(
    make_authenticator: Callable[[dict[str, Any]], Authenticator],
) -> None:
    authenticator = make_authenticator({})
    for headers in ({"X-API-Key": KEY}, {"Authorization": f"ApiKey {KEY}"}):
        with pytest.raises(Unauthenticated) as refused:
            await authenticator.authenticate(headers)
        assert refused.value.error is None
        assert refused.value.www_authenticate == 'Bearer realm="gerbang"'
