"""A finding is a plain value: equal by fields, copied and pickled whole (compiled or not)."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from pii.engine import PiiEngine
from pii.entities import Category
from pii.findings import Finding

NIK_TEXT = "NIK saya 3171015508900004"  # synthetic


def test_when_a_finding_is_pickled_or_copied_then_it_comes_back_equal(engine: PiiEngine) -> None:
    [finding] = engine.analyze(NIK_TEXT)
    assert pickle.loads(pickle.dumps(finding)) == finding
    assert copy.copy(finding) == finding
    assert copy.deepcopy(finding) == finding
    assert finding.value_in(NIK_TEXT) == NIK_TEXT[finding.start : finding.end]


def test_a_finding_cannot_be_changed_and_is_built_by_keyword_or_position() -> None:
    by_keyword = Finding(
        type="ID_NIK", start=9, end=25, score=1.0, recognizer="NikRecognizer",
        category=Category.SPESIFIK,
    )  # fmt: skip
    by_position = Finding("ID_NIK", 9, 25, 1.0, "NikRecognizer", Category.SPESIFIK)
    assert by_keyword == by_position
    assert hash(by_keyword) == hash(by_position)
    with pytest.raises(dataclasses.FrozenInstanceError):
        by_keyword.start = 0  # type: ignore[misc]
    assert dataclasses.replace(by_keyword, end=20).end == 20
