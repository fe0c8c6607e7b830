"""A guard against regressions of the shipped model on the NERGrit dev set (read only to measure;
skipped when the file is absent): a few findings of slack below the shipped figures. The issue's
bar itself is asserted in test_evaluate.py."""

from __future__ import annotations

import pytest

from pii.person.evaluate import DEFAULT_PATH, evaluate_bio


@pytest.mark.skipif(not DEFAULT_PATH.exists(), reason="NERGrit dev set not present")
def test_on_the_nergrit_dev_set_the_shipped_model_does_not_fall_back() -> None:
    result = evaluate_bio(DEFAULT_PATH)
    assert result["precision"] >= 0.90  # 0.911 when shipped
    assert result["recall"] >= 0.51  # 0.530 when shipped
