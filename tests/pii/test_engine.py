"""The engine: findings, languages, entity filters, threads, offline, time budget, shortcuts."""

from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from presidio_analyzer import Pattern

from pii.engine import PiiEngine, PiiEngineError
from pii.entities import ENTITY_CATEGORIES, ENTITY_TYPES, Category
from pii.findings import Finding
from pii.recognizers import default_recognizers
from pii.recognizers.base import DetectionTimeout, GerbangRecognizer, TextScan

NIK = "3273012505900001"  # synthetic: Bandung area code, 25-05-1990, serial 0001
CORPUS = Path(__file__).resolve().parents[1] / "data" / "pii_corpus.jsonl"


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


class _Backtracking(GerbangRecognizer):
    """A pattern that backtracks exponentially on a run of `a`s not followed by the end."""

    ENTITY = "ID_NIK"
    PATTERNS = (Pattern("backtracking", r"(?:a|aa)+$", 0.9),)


def test_when_a_pattern_runs_out_of_time_then_analyze_raises_rather_than_find_nothing() -> None:
    budget = 0.05
    engine = PiiEngine(recognizers=[_Backtracking()], regex_timeout=budget)
    text = "a" * 40 + "!"
    started = time.process_time()
    with pytest.raises(DetectionTimeout, match="_Backtracking"):
        engine.analyze(text)
    assert time.process_time() - started < 20 * budget  # stopped near the budget, not minutes
    assert engine.analyze("aaa") == [
        Finding("ID_NIK", 0, 3, 0.9, "_Backtracking", Category.UMUM)
    ]  # a text within budget is still analysed


def test_when_the_default_engine_gets_a_tiny_budget_then_a_long_text_is_refused() -> None:
    engine = PiiEngine(regex_timeout=1e-9)
    text = f"NIK {NIK}, HP 0812-3456-7890, alamat Jl. Merdeka No. 10 RT 03/RW 04. " * 2000
    with pytest.raises(DetectionTimeout):
        engine.analyze(text)


def test_when_the_budget_is_not_positive_then_a_clear_error() -> None:
    with pytest.raises(PiiEngineError, match="regex_timeout"):
        PiiEngine(regex_timeout=0)


_VARIANTS = (
    lambda t: t,
    str.lower,
    str.upper,
    lambda t: t.replace(" ", "\n"),
    lambda t: t.replace("-", " ").replace(".", ""),
)


def test_the_shortcuts_find_exactly_what_running_everything_everywhere_finds(
    engine: PiiEngine,
) -> None:
    """Skipping recognizers and scanning only parts of a text must never change a finding."""
    reference = PiiEngine(shortcuts=False)
    corpus = [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    texts = [_VARIANTS[i % len(_VARIANTS)](text) for i, text in enumerate(corpus)]
    texts += [a + "\n" + b for a, b in zip(corpus[::7], corpus[3::7], strict=False)]
    differing = [
        i for i, text in enumerate(texts) if engine.analyze(text) != reference.analyze(text)
    ]
    assert differing == []  # indices only: the texts hold (synthetic) personal data


# Letters that `str.lower` does not turn into the ASCII letter case-insensitive patterns take
# them for: the long s, the dotless i, the Kelvin sign, the capital dotted I.
_FOLDED = (
    lambda t: t.replace("s", "\u017f"),
    lambda t: t.replace("i", "\u0131"),
    lambda t: t.replace("k", "\u212a").replace("S", "\u017f"),
    lambda t: t.replace("I", "\u0130").upper(),  # the capital dotted I lowercases to two
)


def test_a_recognizers_triggers_hold_wherever_it_finds_something_even_in_folded_letters() -> None:
    """Triggers and gates are necessary conditions: a text they skip holds nothing to find."""
    corpus = [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    texts = [fold(text) for text in corpus for fold in _FOLDED]
    skipped = []
    for recognizer in default_recognizers():
        if not isinstance(recognizer, GerbangRecognizer):
            continue
        for i, text in enumerate(texts):
            scan = TextScan(text, shortcuts=False)
            counted = [  # what the engine keeps: with a context word where one is required
                r
                for r in recognizer.find(scan)
                if not recognizer.CONTEXT_REQUIRED
                or recognizer.context_distance_in(scan, r.start, r.end) is not None
            ]
            if counted and not (
                recognizer.declared_triggers(scan) and recognizer.prefilter(TextScan(text))
            ):
                skipped.append((recognizer.name, i))
    assert skipped == []  # names and indices only: the texts hold (synthetic) personal data


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("Saya menderita diabete\u017f sejak 2019", "diabete\u017f", id="long-s"),
        pytest.param("Tanggal lah\u0131r: 12-05-1990", "12-05-1990", id="dotless-i"),
    ],
)
def test_when_a_word_is_written_with_folded_letters_then_the_engine_still_finds(
    engine: PiiEngine, text: str, value: str
) -> None:
    assert [f.value_in(text) for f in engine.analyze(text)] == [value]


_TOKENS = (
    "NIK", "KK", "no.", "rek", "BCA", "a.n.", "NPWP", "BPJS", "SIM", "paspor", "+62", "0812",
    "(021)", "3273", "0125", "0590", "0001", "1234", "5678", "4111", "Rp", "saya", "lahir",
    "12-05-1990", "Jl.", "No.", "RT", "03/04", "Agama", "ISLAM", "diabetes", "E11.9",
    "Diagnosa", "budi@contoh.co.id", "192.168.1.1", "kartu", "kredit", "Status", "Kawin", "JK",
    "WNI", "ditahan", "dia", "\u0130", "\u0131", "\u017f", "é", "🙏", " ", " ", "-", ".", "\n",
    ":", "(", ")",
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join))
def test_the_shortcuts_change_no_finding_on_token_soup(engine: PiiEngine, text: str) -> None:
    assert engine.analyze(text) == _REFERENCE.analyze(text)


_REFERENCE = PiiEngine(shortcuts=False)


def test_a_scan_made_without_the_engines_keyword_gate_still_gets_every_recognizer(
    engine: PiiEngine,
) -> None:
    text = "kirim ke budi.santoso@contoh.co.id ya"  # the e-mail recognizer needs its "@" word
    assert engine._analyze(TextScan(text), None) == engine.analyze(text)
    assert engine.analyze(text) != []
