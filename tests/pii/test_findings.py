"""A finding is a plain value: equal by fields, copied and pickled whole (compiled or not)."""

from __future__ import annotations

import copy
import pickle

from pii.engine import PiiEngine

NIK_TEXT = "NIK saya 3171015508900004"  # synthetic


def test_when_a_finding_is_pickled_or_copied_then_it_comes_back_equal(engine: PiiEngine) -> None:
    [finding] = engine.analyze(NIK_TEXT)
    assert pickle.loads(pickle.dumps(finding)) == finding
    assert copy.copy(finding) == finding
    assert copy.deepcopy(finding) == finding
    assert finding.value_in(NIK_TEXT) == NIK_TEXT[finding.start : finding.end]
