"""Turn verified claims (from a JWT or an introspection answer) into a Principal."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gateway.auth.config import ClaimMapping
from gateway.auth.principal import AuthMethod, Principal


def claim_at(claims: Mapping[str, Any], path: str) -> object:
    """The claim named `path`, or the value at a dotted path such as `realm_access.roles`.

    A top-level claim whose name contains dots (`https://example.id/roles`) wins over the path.
    """
    if path in claims:
        return claims[path]
    node: object = claims
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def string_set(value: object) -> tuple[str, ...]:
    """Sorted unique strings from a list of strings or one space-separated string.

    Anything that is not a string is ignored: an odd claim shape never grants more.
    """
    items: Iterable[object]
    if isinstance(value, str):
        items = value.split()
    elif isinstance(value, list | tuple):
        items = value
    else:
        return ()
    return tuple(sorted({item for item in items if isinstance(item, str) and item}))


def _optional_string(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def principal_from_claims(
    claims: Mapping[str, Any],
    *,
    issuer: str,
    mapping: ClaimMapping,
    authenticated_by: AuthMethod,
) -> Principal:
    """Build the principal; `sub` must already be known to be a non-empty string."""
    scopes = claims.get("scope")
    if scopes is None:
        scopes = claims.get("scp")
    agency = mapping.agency
    if agency is None and mapping.agency_claim is not None:
        agency = _optional_string(claim_at(claims, mapping.agency_claim))
    exp = claims.get("exp")
    return Principal(
        issuer=issuer,
        subject=str(claims["sub"]),
        client_id=_optional_string(claims.get("client_id")) or _optional_string(claims.get("azp")),
        roles=string_set(claim_at(claims, mapping.roles_claim)),
        groups=string_set(claim_at(claims, mapping.groups_claim)),
        scopes=string_set(scopes),
        agency=agency,
        authenticated_by=authenticated_by,
        expires_at=float(exp)
        if isinstance(exp, int | float) and not isinstance(exp, bool)
        else None,
    )
