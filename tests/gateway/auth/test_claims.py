"""From verified claims to a Principal: dotted paths, odd shapes, fixed agencies."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.auth.claims import claim_at, principal_from_claims, string_set
from gateway.auth.config import ClaimMapping


@pytest.mark.parametrize(
    ("claims", "path", "expected"),
    [
        ({"roles": ["a"]}, "roles", ["a"]),
        ({"realm_access": {"roles": ["a", "b"]}}, "realm_access.roles", ["a", "b"]),
        ({"https://gerbang.id/roles": ["x"]}, "https://gerbang.id/roles", ["x"]),
        ({"realm_access": ["not", "a", "map"]}, "realm_access.roles", None),
        ({}, "a.b.c", None),
    ],
)
def test_when_claim_path_is_given_then_value_is_found(
    claims: dict[str, Any], path: str, expected: object
) -> None:
    assert claim_at(claims, path) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["b", "a", "b"], ("a", "b")),
        ("openid  profile openid", ("openid", "profile")),
        (["ok", 1, None, {"x": 1}, ""], ("ok",)),
        ({"admin": True}, ()),
        (None, ()),
        (True, ()),
    ],
)
def test_when_claim_has_any_shape_then_only_strings_become_roles(
    value: object, expected: tuple[str, ...]
) -> None:
    assert string_set(value) == expected


def test_when_scope_is_absent_then_scp_list_is_used_and_azp_stands_for_client_id() -> None:
    principal = principal_from_claims(
        {"sub": "s", "scp": ["b", "a"], "azp": "portal", "exp": 1_900_000_000},
        issuer="https://i",
        mapping=ClaimMapping(),
        authenticated_by="jwt",
    )
    assert (principal.scopes, principal.client_id) == (("a", "b"), "portal")
    assert principal.expires_at == 1_900_000_000.0
    assert (principal.roles, principal.groups, principal.agency) == ((), (), None)


def test_when_agency_is_fixed_then_the_token_cannot_claim_another() -> None:
    claims = {"sub": "s", "agency": "kemenkes", "org": {"code": "bpjs"}}
    fixed = ClaimMapping(agency="dukcapil")
    nested = ClaimMapping(agency_claim="org.code")
    none = ClaimMapping(agency_claim=None)
    for mapping, expected in ((fixed, "dukcapil"), (nested, "bpjs"), (none, None)):
        principal = principal_from_claims(
            claims, issuer="https://i", mapping=mapping, authenticated_by="jwt"
        )
        assert principal.agency == expected
