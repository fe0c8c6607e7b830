"""The record schema: fields hold codes, counts and pseudonyms, never free-form values."""

from __future__ import annotations

import pydantic
import pytest

from audit.record import (
    AuditRecord,
    PiiCount,
    client_address,
    parse_time,
    path_template,
    principal_input,
)
from tests.audit.helpers import make_record

SYNTHETIC_NIK = "3204111507890004"


def test_a_record_round_trips_through_json_with_schema_version_1():
    record = make_record(5)
    data = record.to_json()
    assert b'"schema_version":1' in data
    assert AuditRecord.from_json(data) == record


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("principal", "siti@contoh.go.id"),  # a pseudonym ("p1:<hex>"), never an identifier
        ("route", "Route With Spaces"),
        ("error_code", f"nik {SYNTHETIC_NIK}"),
        ("method", "post /x"),
        ("time", "2026-01-01 10:00"),
        ("client_address", "host.contoh.go.id"),
        ("request_id", "has space"),
    ],
)
def test_when_a_field_gets_a_value_of_the_wrong_shape_then_the_record_is_refused(field, value):
    with pytest.raises(pydantic.ValidationError) as caught:
        make_record(0, **{field: value})
    assert value not in str(caught.value)  # errors never echo the value


def test_when_pii_type_or_operator_is_not_a_code_then_refused():
    with pytest.raises(pydantic.ValidationError) as caught:
        PiiCount(side="request", type=SYNTHETIC_NIK, count=1, category="umum")
    assert SYNTHETIC_NIK not in str(caught.value)
    with pytest.raises(pydantic.ValidationError):
        PiiCount(side="request", type="ID_NIK", count=1, category="umum", operator="Kept As Is")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/v1/chat/completions", "/v1/chat/completions"),
        (
            f"/v1/warga/{SYNTHETIC_NIK}/dokumen?nik={SYNTHETIC_NIK}&page=2",
            "/v1/warga/{id}/dokumen?nik=&page=",
        ),
        ("/v1/mail/siti@contoh.go.id", "/v1/mail/{id}"),
        ("/search?q=Siti+Rahayu&q=again&lang=id", "/search?lang=&q="),
        ("/x?Siti%20Rahayu=1", "/x?{key}="),
        ("/", "/"),
    ],
)
def test_path_template_keeps_the_shape_and_drops_values(target, expected):
    assert path_template(target) == expected


def test_client_address_is_kept_or_truncated_to_its_network():
    assert client_address("198.51.100.23", truncate=False) == "198.51.100.23"
    assert client_address("198.51.100.23", truncate=True) == "198.51.100.0/24"
    assert client_address("2001:db8:1234:5678::1", truncate=True) == "2001:db8:1234::/48"
    assert client_address("not-an-ip", truncate=True) is None
    assert client_address(None, truncate=True) is None


def test_principal_input_cannot_collide_between_issuer_and_subject():
    assert principal_input("https://a", "b|c") != principal_input("https://a|b", "c")
    assert principal_input("https://sso.contoh.go.id", "x") == "https://sso.contoh.go.id\x00x"
    with pytest.raises(ValueError, match="NUL"):
        principal_input("https://a\x00b", "c")


def test_parse_time_accepts_rfc3339_and_dates():
    assert parse_time("2026-01-05").isoformat() == "2026-01-05T00:00:00+00:00"
    assert parse_time("2026-01-05T07:00:00+07:00") == parse_time("2026-01-05T00:00:00Z")
