"""The policy input document (version 1), built from what the gateway knows about one exchange.

docs/policy-input.md describes every field with an example. The document never carries a
personal-data value, a token or a header: principal claims chosen by name, the route's name and
tags, the request line without its query string, the purpose, the client address, the time, and
a summary of the personal data found (types, counts, UU PDP categories).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypeAlias, runtime_checkable

INPUT_VERSION = 1

PRINCIPAL_FIELDS = (
    "issuer",
    "subject",
    "client_id",
    "roles",
    "groups",
    "scopes",
    "agency",
    "authenticated_by",
)
"""The claims of a principal that policies see; anything else the mapping holds is dropped."""

TagValue: TypeAlias = str | int | float | bool


class PolicyInputError(ValueError):
    """A value handed to `build_input` has the wrong type (a bug in the caller)."""


@runtime_checkable
class PrincipalLike(Protocol):
    """Anything that renders itself as the `principal` object (gateway.auth.Principal does)."""

    def policy_input(self) -> Mapping[str, object]:
        """The principal's claims for the policy input."""
        ...


@dataclass(frozen=True, slots=True)
class PiiCount:
    """How many values of one entity type were found, and the type's UU PDP category."""

    count: int
    category: str


def pii_summary(types: Mapping[str, PiiCount | tuple[int, str]]) -> dict[str, object]:
    """The `pii.request` object: total count, sorted categories, and per-type count/category."""
    summary: dict[str, dict[str, object]] = {}
    total = 0
    categories: set[str] = set()
    for entity_type, item in sorted(types.items()):
        count, category = (item.count, item.category) if isinstance(item, PiiCount) else item
        if not isinstance(entity_type, str) or not entity_type:
            raise PolicyInputError("pii: entity types must be non-empty strings")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise PolicyInputError(f"pii.{entity_type}: count must be a non-negative integer")
        if not isinstance(category, str) or not category:
            raise PolicyInputError(f"pii.{entity_type}: category must be a non-empty string")
        summary[entity_type] = {"count": count, "category": category}
        total += count
        categories.add(category)
    return {"total": total, "categories": sorted(categories), "types": summary}


def build_input(
    *,
    principal: PrincipalLike | Mapping[str, object] | None,
    route_name: str,
    route_tags: Mapping[str, TagValue],
    method: str,
    path: str,
    purpose: str | None,
    client_address: str | None,
    pii_request: Mapping[str, PiiCount | tuple[int, str]] | None,
    time: datetime | None = None,
) -> dict[str, object]:
    """The input document of one exchange.

    `principal` is None on a public route. `pii_request` is None when the request body was not
    scanned (scanning off, or an unscannable body passed through); an empty mapping means
    scanned and nothing found. `time` defaults to now; it is rendered in UTC to the second.
    """
    return {
        "version": INPUT_VERSION,
        "principal": None if principal is None else principal_input(principal),
        "route": {"name": _string(route_name, "route.name"), "tags": _tags(route_tags)},
        "request": {
            "method": _string(method, "request.method").upper(),
            "path": _string(path, "request.path").split("?", 1)[0],
            "purpose": _optional_string(purpose, "request.purpose"),
            "client_address": _optional_string(client_address, "request.client_address"),
            "time": format_time(time or datetime.now(UTC)),
        },
        "pii": {"request": None if pii_request is None else pii_summary(pii_request)},
    }


def principal_input(principal: PrincipalLike | Mapping[str, object]) -> dict[str, object]:
    """The `principal` object: the claims in PRINCIPAL_FIELDS, type-checked, lists sorted."""
    claims = principal.policy_input() if isinstance(principal, PrincipalLike) else principal
    if not isinstance(claims, Mapping):
        raise PolicyInputError("principal: must be a mapping or have policy_input()")
    return {
        "issuer": _string(claims.get("issuer"), "principal.issuer"),
        "subject": _string(claims.get("subject"), "principal.subject"),
        "client_id": _optional_string(claims.get("client_id"), "principal.client_id"),
        "roles": _strings(claims.get("roles", ()), "principal.roles"),
        "groups": _strings(claims.get("groups", ()), "principal.groups"),
        "scopes": _strings(claims.get("scopes", ()), "principal.scopes"),
        "agency": _optional_string(claims.get("agency"), "principal.agency"),
        "authenticated_by": _string(claims.get("authenticated_by"), "principal.authenticated_by"),
    }


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC to the second: 2026-11-28T03:00:00Z (naive datetimes are refused)."""
    if moment.tzinfo is None:
        raise PolicyInputError("request.time: needs a timezone-aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _string(value: object, key: str) -> str:
    if not isinstance(value, str):
        raise PolicyInputError(f"{key}: must be a string")
    return value


def _optional_string(value: object, key: str) -> str | None:
    return None if value is None else _string(value, key)


def _strings(value: object, key: str) -> list[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | frozenset | set):
        raise PolicyInputError(f"{key}: must be a list of strings")
    return sorted({_string(item, key) for item in value})


def _tags(tags: Mapping[str, TagValue]) -> dict[str, TagValue]:
    if not isinstance(tags, Mapping):
        raise PolicyInputError("route.tags: must be a mapping")
    out: dict[str, TagValue] = {}
    for name, value in tags.items():
        if not isinstance(name, str) or not isinstance(value, str | int | float | bool):
            raise PolicyInputError("route.tags: names are strings, values strings/numbers/booleans")
        out[name] = value
    return out
