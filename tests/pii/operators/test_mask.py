"""`mask`: partial masking that keeps separators and never shows more than half a value."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pii.operators.mask import MaskOperator

MASK = MaskOperator()


@pytest.mark.parametrize(
    ("value", "params", "masked"),
    [
        ("0812-3456-7890", {}, "****-****-7890"),
        ("0812-3456-7890", {"keep": 2, "char": "#"}, "####-####-##90"),
        ("0812-3456-7890", {"keep": 4, "from_end": False}, "0812-****-****"),
        ("3273012501900003", {"keep": 0}, "****************"),
        ("AB 12", {}, "** 12"),  # four alphanumerics: at most two shown
    ],
)
def test_mask_hides_all_but_the_kept_characters_and_keeps_separators(
    value: str, params: dict[str, object], masked: str
) -> None:
    assert MASK.operate(value, params) == masked


@given(st.text(max_size=40), st.integers(0, 50))
def test_mask_never_shows_more_than_half_of_a_values_characters(value: str, keep: int) -> None:
    masked = MASK.operate(value, {"keep": keep})
    alphanumerics = [i for i, ch in enumerate(value) if ch.isalnum()]
    shown = [i for i in alphanumerics if masked[i] == value[i]]
    assert len(masked) == len(value)
    assert len(shown) <= len(alphanumerics) // 2


@pytest.mark.parametrize("params", [{"keep": -1}, {"keep": "4"}, {"keep": True}, {"char": "**"}])
def test_mask_refuses_a_bad_keep_or_char(params: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="mask:"):
        MASK.validate(params)
