"""One table of input documents and the decisions the default bundle must give for them.

Used twice: tests/policies/test_default_policies.py checks each expected decision with the
embedded engine, and tests/policies/test_parity.py checks that the OPA server and the embedded
engine give identical decisions for every input. Inputs are built with policies.input (as the
gateway builds them) or written out where the point is a malformed document. All synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from policies.input import build_input

TIME = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)

NIK = {"ID_NIK": (2, "umum")}
HEALTH = {"HEALTH": (1, "spesifik")}
BPJS_AS_UMUM = {"ID_BPJS": (1, "umum")}
NEW_TYPE = {"NEW_TYPE": (1, "unknown-category")}
CARD_AND_HEALTH = {"CREDIT_CARD": (1, "spesifik"), "HEALTH": (2, "spesifik"), "ID_NIK": (1, "umum")}

ALLOWED = "allowed"
DEFAULT_MASKING = {"*": "placeholder", "HEALTH": "redact", "CRIMINAL_RECORD": "redact",
                   "CREDIT_CARD": "redact"}  # fmt: skip


def principal(*roles: str, agency: str | None = "dukcapil") -> dict[str, object]:
    """A principal as gateway.auth.Principal.policy_input() renders it."""
    return {
        "issuer": "https://sso.example.go.id/realms/layanan",
        "subject": "user-0001",
        "client_id": "portal-layanan",
        "roles": list(roles),
        "groups": [],
        "scopes": ["openid"],
        "agency": agency,
        "authenticated_by": "jwt",
    }


def exchange(
    roles: tuple[str, ...] | None,
    service: object,
    purpose: str | None,
    pii: dict[str, tuple[int, str]] | None = None,
    *,
    tags: dict[str, Any] | None = None,
    agency: str | None = "dukcapil",
    scanned: bool = True,
) -> dict[str, object]:
    """An input document; roles None means a public route (no principal)."""
    route_tags = {"service": service, **(tags or {})} if service is not None else dict(tags or {})
    return build_input(
        principal=None if roles is None else principal(*roles, agency=agency),
        route_name="route-under-test",
        route_tags=route_tags,
        method="POST",
        path="/v1/chat/completions?debug=1",
        purpose=purpose,
        client_address="127.0.0.1",
        pii_request=(pii or {}) if scanned else None,
        time=TIME,
    )


@dataclass(frozen=True)
class Case:
    """An input and what the decision must say (masking: only the keys listed are checked)."""

    name: str
    input: dict[str, object]
    allow: bool
    reason: str
    restore: bool = False
    scan_response: bool = True
    masking: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> int:
        return 200 if self.allow else 403


def _raw(document: dict[str, object], **changes: object) -> dict[str, object]:
    out = dict(document)
    out.update(changes)
    return out


CITIZEN = exchange(("warga",), "lara", "layanan_informasi")
LLM = ("petugas_layanan",), "llm-eksternal", "ringkasan_dokumen"

CASES: tuple[Case, ...] = (
    Case("citizen asks lara", CITIZEN, True, ALLOWED, restore=True, masking=DEFAULT_MASKING),
    Case("citizen complains with NIK", exchange(("warga",), "lara", "pengaduan", NIK), True,
         ALLOWED, restore=True),
    Case("health data to an internal service", exchange(("warga",), "lara", "layanan_informasi",
         HEALTH), True, ALLOWED, restore=True, masking={"HEALTH": "redact"}),
    Case("citizen on the OCR service", exchange(("warga",), "ocr-dokumen", "digitalisasi_dokumen"),
         False, "roles [warga] may not use service ocr-dokumen"),
    Case("anonymous caller on lara", exchange(None, "lara", "layanan_informasi"), True, ALLOWED,
         restore=True),
    Case("anonymous caller on OCR", exchange(None, "ocr-dokumen", "digitalisasi_dokumen"), False,
         "service ocr-dokumen does not serve unauthenticated callers"),
    Case("officer on OCR", exchange(("petugas_layanan",), "ocr-dokumen", "digitalisasi_dokumen",
         NIK), True, ALLOWED, restore=False,
         masking={"DATE_OF_BIRTH": "redact", "*": "placeholder"}),
    Case("officer summarises NIK externally", exchange(*LLM, NIK), True, ALLOWED, restore=True,
         masking={"ADDRESS": "redact", "PERSON": "placeholder"}),
    Case("health data to an external service", exchange(*LLM, HEALTH), False,
         "specific personal data (HEALTH) may not be sent to external service llm-eksternal"),
    Case("listed specific type whatever its category", exchange(*LLM, BPJS_AS_UMUM), False,
         "specific personal data (ID_BPJS) may not be sent to external service llm-eksternal"),
    Case("unknown category counts as specific", exchange(*LLM, NEW_TYPE), False,
         "specific personal data (NEW_TYPE) may not be sent to external service llm-eksternal"),
    Case("several specific types named in order", exchange(*LLM, CARD_AND_HEALTH), False,
         "specific personal data (CREDIT_CARD, HEALTH) may not be sent to external service "
         "llm-eksternal"),
    Case("unscanned body to an external service", exchange(*LLM, scanned=False), False,
         "the request body was not scanned for personal data and service llm-eksternal is "
         "external"),
    Case("unscanned body to an internal service", exchange(("warga",), "lara",
         "layanan_informasi", scanned=False), True, ALLOWED, restore=True),
    Case("analyst on the external LLM", exchange(("analis",), "llm-eksternal",
         "analisis_kebijakan", NIK), True, ALLOWED, restore=False, masking={"ADDRESS": "redact"}),
    Case("analyst on lara", exchange(("analis",), "lara", "layanan_informasi"), False,
         "roles [analis] may not use service lara"),
    Case("any of several roles grants", exchange(("analis", "warga"), "lara", "layanan_informasi"),
         True, ALLOWED, restore=True),
    Case("dukcapil officer verifies", exchange(("petugas_dukcapil",), "verifikasi-dokumen",
         "verifikasi_identitas", NIK), True, ALLOWED, restore=True, scan_response=False),
    Case("officer of another agency verifies", exchange(("petugas_dukcapil",),
         "verifikasi-dokumen", "verifikasi_identitas", agency="bpn"), False,
         "agency bpn may not use service verifikasi-dokumen", scan_response=False),
    Case("verifier without agency", exchange(("verifikator",), "verifikasi-dokumen",
         "verifikasi_identitas", agency=None), False,
         "agency null may not use service verifikasi-dokumen", scan_response=False),
    Case("batch verifier", exchange(("verifikator",), "verifikasi-dokumen", "verifikasi_identitas"),
         True, ALLOWED, restore=False, scan_response=False),
    Case("no purpose", exchange(("warga",), "lara", None), False,
         "no purpose declared: send an X-Purpose header or set the route's purpose"),
    Case("undeclared purpose", exchange(("warga",), "lara", "pemasaran"), False,
         "purpose pemasaran is not declared for service lara"),
    Case("purpose of another service", exchange(("petugas_layanan",), "lara",
         "digitalisasi_dokumen"), False, "purpose digitalisasi_dokumen is not declared for "
         "service lara"),
    Case("undeclared service", exchange(("warga",), "pajak", "layanan_informasi"), False,
         "service pajak is not declared in the policy data"),
    Case("numeric service tag", exchange(("warga",), 42, "layanan_informasi"), False,
         "service 42 is not declared in the policy data"),
    Case("route without a service tag", exchange(("warga",), None, "layanan_informasi"), False,
         "route route-under-test has no service tag"),
    Case("input version 2", _raw(CITIZEN, version=2), False, "policy input version must be 1"),
    Case("empty input", {}, False, "policy input version must be 1"),
    Case("principal key missing", {k: v for k, v in CITIZEN.items() if k != "principal"}, False,
         "roles [] may not use service lara"),
    Case("no roles", exchange((), "lara", "layanan_informasi"), False,
         "roles [] may not use service lara"),
    Case("unknown role", exchange(("admin",), "lara", "layanan_informasi"), False,
         "roles [admin] may not use service lara"),
    Case("purpose that is not a string", _raw(CITIZEN, request={"purpose": 7}), False,
         "no purpose declared: send an X-Purpose header or set the route's purpose"),
    Case("route about children, external", exchange(*LLM, NIK, tags={"data_subjects":
         "children"}), False,
         "specific personal data (ID_NIK) may not be sent to external service llm-eksternal"),
    Case("route about children, internal", exchange(("warga",), "lara", "layanan_informasi", NIK,
         tags={"data_subjects": "children"}), True, ALLOWED, restore=True),
    Case("service located abroad", exchange(("warga",), "lara", "layanan_informasi", HEALTH,
         tags={"location": "sg"}), False,
         "specific personal data (HEALTH) may not be sent to external service lara"),
    Case("service located in Indonesia", exchange(("warga",), "lara", "layanan_informasi", HEALTH,
         tags={"location": "id"}), True, ALLOWED, restore=True),
    Case("route tagged external", exchange(("warga",), "lara", "layanan_informasi", NIK,
         tags={"external": True}), True, ALLOWED, restore=True,
         masking={"DATE_OF_BIRTH": "redact", "RELIGION": "redact"}),
    Case("route tagged external with health data", exchange(("warga",), "lara",
         "layanan_informasi", HEALTH, tags={"external": True, "tier": 2.5}), False,
         "specific personal data (HEALTH) may not be sent to external service lara"),
)  # fmt: skip
