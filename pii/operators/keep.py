"""`keep`: the value passes unchanged (still reported, counted and audited)."""

from __future__ import annotations

from typing import Any

from presidio_anonymizer.operators import Operator, OperatorType


class KeepOperator(Operator):
    """Leaves the value as it is."""

    def operate(self, text: str, params: dict[str, Any] | None = None) -> str:
        """The value itself."""
        return text

    def validate(self, params: dict[str, Any] | None = None) -> None:
        """Nothing to check."""

    def operator_name(self) -> str:
        """`keep`."""
        return "keep"

    def operator_type(self) -> OperatorType:
        """An anonymizer."""
        return OperatorType.Anonymize
