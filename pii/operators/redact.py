"""`redact`: the value is replaced by its type in brackets, e.g. `[ID_NIK]`. Irreversible."""

from __future__ import annotations

from typing import Any

from presidio_anonymizer.operators import Operator, OperatorType


class RedactOperator(Operator):
    """Replaces the value with `[TYPE]`, so the AI service still knows what stood there."""

    def operate(self, text: str, params: dict[str, Any] | None = None) -> str:
        """`[ENTITY_TYPE]`."""
        return f"[{(params or {})['entity_type']}]"

    def validate(self, params: dict[str, Any] | None = None) -> None:
        """Nothing to check."""

    def operator_name(self) -> str:
        """`redact`."""
        return "redact"

    def operator_type(self) -> OperatorType:
        """An anonymizer."""
        return OperatorType.Anonymize
