"""How credentials are found in the headers, and what a refusal looks like on the wire."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from gateway.auth import Authenticator
from gateway.errors import Unauthenticated
from gateway.problem import problem_response
from tests.gateway.auth.conftest import bearer
from tests.gateway.auth.idp import Realm


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Negotiate abc"},
        {"Cookie": "session=abc"},
    ],
)
async def test_when_credentials_are_missing_or_unsupported_then_bare_challenge_without_error(
    headers: dict[str, str], authenticator: Authenticator
) -> None:
    with pytest.raises(Unauthenticated) as refused:
        await authenticator.authenticate(headers)
    error = refused.value
    assert (error.status, error.code, error.error) == (401, "unauthenticated", None)
    assert error.www_authenticate == 'Bearer realm="gerbang"'  # RFC 6750 3.1: no error code
    response = problem_response(error, "req-7")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="gerbang"'
    assert response.content_type == "application/problem+json"
    assert response.body is not None
    body = json.loads(bytes(response.body))
    assert (body["code"], body["status"], body["request_id"]) == ("unauthenticated", 401, "req-7")


@pytest.mark.parametrize(
    "value",
    ["Bearer", "Bearer ", "Bearer two words", "Bearer tok\u00e9n", "Bearer a,b"],
)
async def test_when_bearer_token_is_malformed_then_invalid_request(
    value: str, authenticator: Authenticator
) -> None:
    with pytest.raises(Unauthenticated) as refused:
        await authenticator.authenticate({"Authorization": value})
    assert refused.value.error == "invalid_request"
    assert refused.value.www_authenticate.startswith(
        'Bearer realm="gerbang", error="invalid_request", error_description="'
    )


async def test_when_two_authorization_headers_arrive_then_invalid_request(
    realm: Realm, authenticator: Authenticator
) -> None:
    token = realm.token()
    headers = CIMultiDictProxy(
        CIMultiDict([("Authorization", f"Bearer {token}"), ("authorization", f"Bearer {token}")])
    )
    with pytest.raises(Unauthenticated) as refused:
        await authenticator.authenticate(headers)
    assert refused.value.error == "invalid_request"


@pytest.mark.parametrize(
    "make_headers",
    [
        lambda t: CIMultiDictProxy(CIMultiDict({"AUTHORIZATION": f"Bearer {t}"})),
        lambda t: {"authorization": f"bearer {t}"},
        lambda t: {"Authorization": f"  Bearer   {t}  "},
    ],
)
async def test_when_header_and_scheme_differ_in_case_or_spacing_then_still_accepted(
    make_headers: Callable[[str], Mapping[str, str]], realm: Realm, authenticator: Authenticator
) -> None:
    principal = await authenticator.authenticate(make_headers(realm.token()))
    assert principal.authenticated_by == "jwt"


async def test_when_principal_is_built_then_policy_input_has_the_documented_shape(
    realm: Realm, authenticator: Authenticator
) -> None:
    principal = await authenticator.authenticate(bearer(realm.token()))
    assert principal.policy_input() == {
        "issuer": realm.issuer,
        "subject": principal.subject,
        "client_id": "portal-warga",
        "roles": ["pemohon", "warga"],
        "groups": ["/jakarta"],
        "scopes": ["layanan.baca", "openid"],
        "agency": "dukcapil",
        "authenticated_by": "jwt",
    }
    json.dumps(principal.policy_input())  # JSON-ready as it is


def test_when_description_holds_quote_or_backslash_then_challenge_stays_well_formed() -> None:
    error = Unauthenticated('bad "quote" \\ and\nnewline', error="invalid_token")
    assert error.www_authenticate == (
        'Bearer realm="gerbang", error="invalid_token", error_description="bad quote  andnewline"'
    )


async def test_when_closed_twice_then_no_error(authenticator: Authenticator) -> None:
    await authenticator.close()
    await authenticator.close()
