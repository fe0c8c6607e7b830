"""`keep`: the value passes as it is."""

from __future__ import annotations

from pii.operators.keep import KeepOperator


def test_keep_leaves_the_value_as_it_is() -> None:
    assert KeepOperator().operate("Budi Santoso", {"entity_type": "PERSON"}) == "Budi Santoso"
