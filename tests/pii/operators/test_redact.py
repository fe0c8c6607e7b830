"""`redact`: the value gives way to its type."""

from __future__ import annotations

from pii.operators.redact import RedactOperator


def test_redact_leaves_only_the_type() -> None:
    assert RedactOperator().operate("Budi Santoso", {"entity_type": "PERSON"}) == "[PERSON]"
