"""`policies.input`: the input document of docs/policy-input.md, and nothing more."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from gateway.auth.principal import Principal
from policies.input import PiiCount, PolicyInputError, build_input, pii_summary, principal_input

REPO = Path(__file__).resolve().parents[2]
PRINCIPAL = Principal(
    issuer="https://sso.example.go.id/realms/layanan",
    subject="user-0001",
    client_id="portal",
    roles=("warga",),
    groups=(),
    scopes=("openid",),
    agency="dukcapil",
    authenticated_by="jwt",
    expires_at=1_900_000_000.0,
)


def _input(**changes: object) -> dict[str, object]:
    arguments: dict[str, object] = {
        "principal": PRINCIPAL,
        "route_name": "lara-chat",
        "route_tags": {"service": "lara", "external": False},
        "method": "post",
        "path": "/v1/chat/completions?nik=3171234567890001",
        "purpose": "layanan_informasi",
        "client_address": "127.0.0.1",
        "pii_request": {"ID_NIK": (2, "umum"), "HEALTH": PiiCount(1, "spesifik")},
        "time": datetime(2026, 11, 28, 10, 0, 0, 500, tzinfo=timezone(timedelta(hours=7))),
    }
    arguments.update(changes)
    return build_input(**arguments)  # type: ignore[arg-type]


def test_input_document_has_the_documented_shape() -> None:
    assert _input() == {
        "version": 1,
        "principal": {
            "issuer": "https://sso.example.go.id/realms/layanan",
            "subject": "user-0001",
            "client_id": "portal",
            "roles": ["warga"],
            "groups": [],
            "scopes": ["openid"],
            "agency": "dukcapil",
            "authenticated_by": "jwt",
        },
        "route": {"name": "lara-chat", "tags": {"service": "lara", "external": False}},
        "request": {
            "method": "POST",
            "path": "/v1/chat/completions",
            "purpose": "layanan_informasi",
            "client_address": "127.0.0.1",
            "time": "2026-11-28T03:00:00Z",
        },
        "pii": {
            "request": {
                "total": 3,
                "categories": ["spesifik", "umum"],
                "types": {
                    "HEALTH": {"count": 1, "category": "spesifik"},
                    "ID_NIK": {"count": 2, "category": "umum"},
                },
            }
        },
    }


def test_query_string_never_reaches_the_policy() -> None:
    assert "3171234567890001" not in json.dumps(_input())


def test_public_route_and_unscanned_body_are_null() -> None:
    document = _input(principal=None, pii_request=None)
    assert document["principal"] is None
    assert document["pii"] == {"request": None}
    assert _input(pii_request={})["pii"] == {"request": {"total": 0, "categories": [], "types": {}}}


def test_principal_mapping_keeps_only_the_documented_claims_sorted() -> None:
    claims = {**PRINCIPAL.policy_input(), "roles": ["b", "a", "b"], "token": "secret-value",
              "expires_at": 1.0, "email": "warga@example.id"}  # fmt: skip
    principal = principal_input(claims)
    assert list(principal) == [
        "issuer", "subject", "client_id", "roles", "groups", "scopes", "agency", "authenticated_by",
    ]  # fmt: skip
    assert principal["roles"] == ["a", "b"]
    assert "secret-value" not in json.dumps(principal)


def test_time_defaults_to_now_in_utc() -> None:
    document = _input(time=None)
    request = document["request"]
    assert isinstance(request, dict)
    stamp = datetime.strptime(str(request["time"]), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 5


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"time": datetime(2026, 1, 1)}, "request.time"),
        ({"route_name": None}, "route.name"),
        ({"purpose": 5}, "request.purpose"),
        ({"route_tags": {"service": ["lara"]}}, "route.tags"),
        ({"principal": {"issuer": "i", "subject": 5}}, "principal.subject"),
        ({"principal": {**PRINCIPAL.policy_input(), "roles": "warga"}}, "principal.roles"),
        ({"pii_request": {"ID_NIK": (-1, "umum")}}, "pii.ID_NIK"),
        ({"pii_request": {"ID_NIK": (1, "")}}, "pii.ID_NIK"),
    ],
)
def test_when_a_value_has_the_wrong_type_then_the_key_is_named(
    changes: dict[str, object], key: str
) -> None:
    with pytest.raises(PolicyInputError, match=key.replace(".", r"\.")):
        _input(**changes)


def test_pii_summary_counts_and_sorts() -> None:
    summary = pii_summary({"PHONE_NUMBER": (3, "umum"), "ID_BPJS": (1, "spesifik")})
    assert summary["total"] == 4
    assert summary["categories"] == ["spesifik", "umum"]
    assert list(summary["types"]) == ["ID_BPJS", "PHONE_NUMBER"]  # type: ignore[call-overload]


def test_example_in_docs_is_what_build_input_makes() -> None:
    text = (REPO / "docs" / "policy-input.md").read_text(encoding="utf-8")
    example = text.split("```json\n", 1)[1].split("```", 1)[0]
    assert json.loads(example) == _input()
