"""The same inputs give identical decisions from a real OPA server and the embedded engine."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from policies.embedded import EmbeddedEngine
from policies.opa_server import OpaServerEngine
from tests.policies.table import CASES, CITIZEN, exchange

ODD_INPUTS: dict[str, dict[str, object]] = {
    "unknown extra fields": {**CITIZEN, "extra": {"nested": [1, 2.5, None]}},
    "roles is a string": {**CITIZEN, "principal": {"roles": "warga", "agency": "dukcapil"}},
    "roles hold numbers": {**CITIZEN, "principal": {"roles": [1, "warga"], "agency": "dukcapil"}},
    "principal is a list": {**CITIZEN, "principal": ["warga"]},
    "route is null": {**CITIZEN, "route": None},
    "tags is a list": {**CITIZEN, "route": {"name": "x", "tags": ["service", "lara"]}},
    "pii types is a list": {**CITIZEN, "pii": {"request": {"types": ["HEALTH"]}}},
    "pii request is a string": {**CITIZEN, "pii": {"request": "none"}},
    "version is a string": {**CITIZEN, "version": "1"},
    "version is a float": {**CITIZEN, "version": 1.0},
    "unicode route name": exchange(("warga",), "lara", "layanan_informasi") | {
        "route": {"name": "rute-\u00e9\u4e2d\U0001f600", "tags": {}}},
    "huge count": exchange(("petugas_layanan",), "llm-eksternal", "ringkasan_dokumen",
                           {"ID_NIK": (2**53, "umum")}),
    "quote in purpose": exchange(("warga",), "lara", 'a"b\\c'),
    "bracketed role": exchange(("[warga]",), "lara", "layanan_informasi"),
    "quote and backslash in a role": exchange(('wa"r\\ga',), "lara", "layanan_informasi"),
    "newline in the service tag": exchange(("warga",), "la\nra", "layanan_informasi"),
    "quote in the agency": exchange(("petugas_dukcapil",), "verifikasi-dokumen",
                                    "verifikasi_identitas", agency='dukcapil"'),
    "object as the service tag": {**CITIZEN, "route": {"name": "x", "tags": {"service": {"a": 1}}}},
}  # fmt: skip

INPUTS = [(c.name, c.input) for c in CASES] + list(ODD_INPUTS.items())


@pytest.fixture
async def opa(opa_url: str) -> AsyncIterator[OpaServerEngine]:
    engine = OpaServerEngine(opa_url, timeout=5.0)
    yield engine
    await engine.close()


@pytest.mark.parametrize(("name", "document"), INPUTS, ids=[name for name, _ in INPUTS])
async def test_when_same_input_then_opa_and_embedded_decide_the_same(
    opa: OpaServerEngine, shared_embedded: EmbeddedEngine, name: str, document: dict[str, object]
) -> None:
    from_opa = await opa.decide(document)
    from_embedded = await shared_embedded.decide(document)
    assert from_embedded.to_json() == from_opa.to_json()


def test_parity_table_has_at_least_thirty_inputs() -> None:
    assert len(INPUTS) >= 30
