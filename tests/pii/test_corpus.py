"""The labelled PII corpus (tests/data/pii_corpus.jsonl) is well formed and up to date.

These tests check the data, not a detector: offsets, types, coverage, and that the committed file
is exactly what tests/data/make_pii_corpus.py generates. `python -m bench pii` measures detectors
against it.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from stdnum import luhn
from stdnum.id import nik as stdnum_nik
from stdnum.id import npwp as stdnum_npwp

from pii.entities import ENTITY_TYPES

DATA = Path(__file__).resolve().parent.parent / "data"
CORPUS = DATA / "pii_corpus.jsonl"
GENERATOR = DATA / "make_pii_corpus.py"
STYLES = {"formal", "whatsapp", "typo", "form", "officer_note", "ai_answer", "negative", "mixed_en"}
EXAMPLE_DOMAINS = ("@example.org", "@example.com", "@example.id")


def _load() -> list[dict[str, Any]]:
    with CORPUS.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


MESSAGES = _load()


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_pii_corpus", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def _values(entity_type: str) -> list[str]:
    return [
        m["text"][e["start"] : e["end"]]
        for m in MESSAGES
        for e in m["entities"]
        if e["type"] == entity_type
    ]


def test_every_line_has_the_fields_of_the_format() -> None:
    for m in MESSAGES:
        assert set(m) == {"id", "style", "language", "text", "entities"}, m.get("id")
        assert m["style"] in STYLES, m["id"]
        assert m["language"] in {"id", "en"}, m["id"]
        assert isinstance(m["text"], str), m["id"]
        assert m["text"], m["id"]
        for e in m["entities"]:
            assert set(e) == {"type", "start", "end"}, m["id"]


def test_ids_are_unique() -> None:
    ids = [m["id"] for m in MESSAGES]
    assert len(ids) == len(set(ids))


def test_no_message_repeats_word_for_word() -> None:
    texts = [m["text"] for m in MESSAGES]
    assert len(texts) == len(set(texts))


def test_spans_lie_inside_the_text_and_do_not_overlap() -> None:
    for m in MESSAGES:
        spans = sorted((e["start"], e["end"]) for e in m["entities"])
        for start, end in spans:
            assert 0 <= start < end <= len(m["text"]), m["id"]
            value = m["text"][start:end]
            assert value == value.strip(), (m["id"], value)
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start, m["id"]


def test_types_are_known_and_every_type_occurs_several_times() -> None:
    counts = Counter(e["type"] for m in MESSAGES for e in m["entities"])
    assert set(counts) <= set(ENTITY_TYPES)
    rare = {t: counts[t] for t in ENTITY_TYPES if counts[t] < 5}
    assert not rare, f"types with fewer than 5 spans: {rare}"


def test_size_and_negatives() -> None:
    assert len(MESSAGES) >= 300
    negatives = [m for m in MESSAGES if m["style"] == "negative"]
    assert len(negatives) >= 100
    assert all(not m["entities"] for m in negatives)
    assert all(m["entities"] for m in MESSAGES if m["style"] != "negative")
    assert {m["style"] for m in MESSAGES} == STYLES
    assert {m["language"] for m in MESSAGES} == {"id", "en"}


@pytest.mark.parametrize("entity_type", ["ID_NIK", "ID_KK"])
def test_nik_and_kk_numbers_are_structurally_valid(entity_type: str) -> None:
    for value in _values(entity_type):
        assert stdnum_nik.is_valid(value), value


def test_npwp_numbers_pass_the_check_digit() -> None:
    for value in _values("ID_NPWP"):
        digits = re.sub(r"\D", "", value)
        assert stdnum_npwp.is_valid(digits[-15:]), value


def test_cards_pass_luhn_and_are_not_niks() -> None:
    for value in _values("CREDIT_CARD"):
        digits = re.sub(r"\D", "", value)
        assert luhn.is_valid(digits), value
        assert not stdnum_nik.is_valid(digits), value


def test_emails_use_reserved_example_domains() -> None:
    for value in _values("EMAIL_ADDRESS"):
        assert value.endswith(EXAMPLE_DOMAINS), value


def test_no_sixteen_digit_number_in_a_negative_is_a_valid_nik_or_card() -> None:
    number = re.compile(r"(?<!\d)\d{4}[ .\-]?\d{4}[ .\-]?\d{4}[ .\-]?\d{4}(?!\d)")
    for m in MESSAGES:
        if m["style"] != "negative":
            continue
        for match in number.finditer(m["text"]):
            digits = re.sub(r"\D", "", match.group())
            assert not stdnum_nik.is_valid(digits), (m["id"], digits)
            assert not luhn.is_valid(digits), (m["id"], digits)


def test_the_committed_corpus_is_what_the_generator_makes() -> None:
    generator = _generator()
    expected = generator.serialize(generator.build_corpus())
    assert CORPUS.read_text(encoding="utf-8") == expected, (
        "tests/data/pii_corpus.jsonl is stale: run .venv/bin/python tests/data/make_pii_corpus.py"
    )
