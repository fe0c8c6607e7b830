"""The engine: findings, languages, entity filters, overlaps, thread safety, offline."""

from __future__ import annotations

import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from pii.engine import PiiEngine, PiiEngineError
from pii.entities import ENTITY_CATEGORIES, ENTITY_TYPES, Category

NIK = "3273012505900001"  # synthetic: Bandung area code, 25-05-1990, serial 0001


def test_when_text_has_a_nik_then_the_finding_has_offsets_score_recognizer_and_category(
    engine: PiiEngine,
) -> None:
    text = f"Selamat pagi, NIK saya {NIK} ya pak"
    (finding,) = engine.analyze(text)
    assert (finding.type, finding.value_in(text)) == ("ID_NIK", NIK)
    assert text[finding.start : finding.end] == NIK
    assert 0.5 <= finding.score <= 1.0
    assert finding.recognizer == "NikRecognizer"
    assert finding.category is Category.UMUM


@pytest.mark.parametrize("language", ["id", "en"])
def test_when_language_is_id_or_en_then_mixed_text_is_analyzed_the_same(
    engine: PiiEngine, language: str
) -> None:
    text = f"Hi, my NIK is {NIK}, tolong dicek ya"
    assert [f.type for f in engine.analyze(text, language)] == ["ID_NIK"]


def test_when_language_is_unknown_then_a_clear_error(engine: PiiEngine) -> None:
    with pytest.raises(PiiEngineError, match="language"):
        engine.analyze("x", "fr")


def test_when_entities_are_limited_then_only_those_types_are_reported(engine: PiiEngine) -> None:
    text = f"NIK {NIK}"
    assert engine.analyze(text, entities={"PHONE_NUMBER"}) == []
    assert len(engine.analyze(text, entities={"ID_NIK"})) == 1
    with pytest.raises(PiiEngineError, match="NOT_A_TYPE"):
        engine.analyze(text, entities={"NOT_A_TYPE"})


def test_when_many_threads_share_one_engine_then_each_gets_its_own_right_answer(
    engine: PiiEngine,
) -> None:
    texts = [f"{'x ' * i}NIK {NIK}" for i in range(64)]

    def offsets(text: str) -> tuple[int, int]:
        (finding,) = engine.analyze(text)
        return finding.start, finding.end

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(offsets, texts))
    assert results == [(t.index(NIK), t.index(NIK) + len(NIK)) for t in texts]


def test_every_entity_type_has_a_uu_pdp_category() -> None:
    assert set(ENTITY_TYPES) == set(ENTITY_CATEGORIES)
    specific = {t for t, c in ENTITY_CATEGORIES.items() if c is Category.SPESIFIK}
    assert {"HEALTH", "CRIMINAL_RECORD", "CREDIT_CARD", "ID_BANK_ACCOUNT"} <= specific


def test_when_the_engine_is_built_and_used_then_nothing_reaches_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network access in a test of offline behaviour")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    fresh = PiiEngine()
    fresh.analyze(f"email budi@example.org, NIK {NIK}, http://example.go.id")
    assert attempts == []
    assert threading.active_count() >= 1
