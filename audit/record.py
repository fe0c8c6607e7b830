"""The audit record: one per exchange (allowed, refused or failed), schema version 1.

A record carries types, counts, codes and keyed pseudonyms, never raw personal data, tokens or
keys. The fields are constrained to shapes that cannot hold free text where free text is not
needed (entity types, operators, codes), so a caller cannot put a value there by mistake.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1

_CODE = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
_TYPE = r"^[A-Z][A-Z0-9_]{0,63}$"
_PSEUDONYM = r"^[a-z0-9]{1,8}:[0-9a-f]{16,128}$"
_REQUEST_ID = r"^[\x21-\x7e]{1,128}$"

Code = Annotated[str, Field(pattern=_CODE)]
Status = Annotated[int, Field(ge=0, le=999)]
Count = Annotated[int, Field(ge=0)]


class _Frozen(BaseModel):
    # hide_input_in_errors: a validation error must never echo a value that may be personal data.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, hide_input_in_errors=True)


class Decision(_Frozen):
    """What policy decided: allowed or not, the status it chose, why, and which policy bundle."""

    allow: bool
    status: Status | None = None
    reason: Annotated[str, Field(max_length=200)] | None = None
    policy_revision: Annotated[str, Field(max_length=128)] | None = None


class PiiCount(_Frozen):
    """How many values of one entity type were found on one side, and what was done to them."""

    side: Literal["request", "response"]
    type: Annotated[str, Field(pattern=_TYPE)]
    count: Count
    category: Literal["umum", "spesifik"]
    operator: Code | None = None


class Upstream(_Frozen):
    """The upstream's answer: its status (None if it never answered) and the outcome."""

    status: Status | None = None
    outcome: Code


class AuditRecord(_Frozen):
    """One exchange, as the access log keeps it (see docs/audit.md for every field)."""

    schema_version: Literal[1] = 1
    event: Literal["exchange", "audit_recovery"] = "exchange"
    time: str
    request_id: Annotated[str, Field(pattern=_REQUEST_ID)]
    principal: Annotated[str, Field(pattern=_PSEUDONYM)] | None = None
    client_address: str | None = None
    route: Code | None = None
    method: Annotated[str, Field(pattern=r"^[A-Z]{0,16}$")] = ""
    path_template: Annotated[str, Field(max_length=2048)] = ""
    purpose: Code | None = None
    decision: Decision | None = None
    pii: tuple[PiiCount, ...] = ()
    status: Status = 0
    latency_ms: Annotated[float, Field(ge=0)] = 0.0
    bytes_in: Count = 0
    bytes_out: Count = 0
    upstream: Upstream | None = None
    error_code: Code | None = None
    note: Annotated[str, Field(max_length=500)] | None = None

    @field_validator("time")
    @classmethod
    def _rfc3339_utc(cls, value: str) -> str:
        if not value.endswith("Z"):
            raise ValueError("must be RFC 3339 UTC ending in 'Z'")
        try:
            datetime.fromisoformat(value[:-1] + "+00:00")
        except ValueError:
            raise ValueError("must be an RFC 3339 UTC time such as 2024-05-01T12:00:00Z") from None
        return value

    @field_validator("client_address")
    @classmethod
    def _ip_address(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                raise ValueError("must be an IP address or network") from None
        return value

    @property
    def timestamp(self) -> datetime:
        """`time` as an aware datetime."""
        return parse_time(self.time)

    def to_json(self) -> bytes:
        """Compact UTF-8 JSON: the plaintext that is encrypted into a segment."""
        return self.model_dump_json().encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes | str) -> AuditRecord:
        """Parse and validate a record (pydantic.ValidationError if it does not fit)."""
        return cls.model_validate_json(data)


def now_rfc3339() -> str:
    """The current time as RFC 3339 UTC with microseconds, e.g. 2024-05-01T12:00:00.123456Z."""
    return format_time(datetime.now(UTC))


def format_time(moment: datetime) -> str:
    """An aware datetime as RFC 3339 UTC ending in 'Z'."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: str) -> datetime:
    """RFC 3339 ('Z' or offset) or a bare date (midnight UTC) as an aware datetime."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def client_address(address: str | None, *, truncate: bool) -> str | None:
    """The client address to record: as given, or its /24 (IPv4) or /48 (IPv6) network."""
    if address is None:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if not truncate:
        return str(ip)
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


_DIGITS = re.compile(r"\d{5,}")


def path_template(target: str) -> str:
    """A request target without values: query values dropped, identifier-like segments replaced.

    `/v1/citizens/3171234567890001/docs?nik=...&page=2` becomes
    `/v1/citizens/{id}/docs?nik=&page=`: a path segment holding five or more digits in a row or
    an '@' becomes `{id}`; query keys stay (sorted, once), their values go.
    """
    parts = urlsplit(target)
    segments = [
        "{id}" if _DIGITS.search(segment) or "@" in segment else segment
        for segment in parts.path.split("/")
    ]
    path = "/".join(segments) or "/"
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    safe_keys = [
        key if re.fullmatch(r"[A-Za-z0-9_.\-\[\]]{1,64}", key) else "{key}" for key in keys
    ]
    return path + ("?" + "&".join(f"{key}=" for key in safe_keys) if safe_keys else "")


def principal_input(issuer: str, subject: str) -> str:
    """The exact string whose keyed hash is a principal's pseudonym: issuer, NUL, subject.

    An issuer is a URL and never holds a NUL, so no issuer/subject pair can collide with another.
    The gateway records `Keyring.pseudonym(principal_input(iss, sub))`; an operator answering a
    data subject's access request computes the same value (`gerbang audit pseudonym`).
    """
    if "\x00" in issuer:
        raise ValueError("an issuer never contains NUL")
    return f"{issuer}\x00{subject}"
