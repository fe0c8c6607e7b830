"""A guard against regressions of the shipped model on the NERGrit dev set (read only to measure;
skipped when the file is absent). The target itself is tracked in test_evaluate.py."""

from __future__ import annotations

import pytest

from pii.person.evaluate import DEFAULT_PATH, evaluate_bio


@pytest.mark.skipif(not DEFAULT_PATH.exists(), reason="NERGrit dev set not present")
def test_on_the_nergrit_dev_set_the_shipped_model_does_not_fall_back() -> None:
    result = evaluate_bio(DEFAULT_PATH)
    assert result["precision"] >= 0.83  # 0.86 when shipped
    assert result["recall"] >= 0.54  # 0.58 when shipped
