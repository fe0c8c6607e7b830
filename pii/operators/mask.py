"""`mask`: partial masking, e.g. `****-****-7890`: separators stay, letters and digits hide."""

from __future__ import annotations

from typing import Any

from presidio_anonymizer.operators import Operator, OperatorType

DEFAULT_KEEP = 4


class MaskOperator(Operator):
    """Hides all but `keep` letters or digits: the last ones, or the first with `from_end=False`."""

    def operate(self, text: str, params: dict[str, Any] | None = None) -> str:
        """The masked value."""
        params = params or {}
        keep = int(params.get("keep", DEFAULT_KEEP))
        char = str(params.get("char", "*"))
        from_end = bool(params.get("from_end", True))
        positions = [i for i, ch in enumerate(text) if ch.isalnum()]
        # Never reveal more than half of a value, however small it is.
        keep = min(keep, len(positions) // 2)
        visible = set(positions[len(positions) - keep :] if from_end else positions[:keep])
        hidden = set(positions) - visible
        return "".join(char if i in hidden else ch for i, ch in enumerate(text))

    def validate(self, params: dict[str, Any] | None = None) -> None:
        """`keep` is a non-negative integer and `char` a single character."""
        params = params or {}
        keep = params.get("keep", DEFAULT_KEEP)
        if not isinstance(keep, int) or isinstance(keep, bool) or keep < 0:
            raise ValueError("mask: keep must be a non-negative integer")
        if len(str(params.get("char", "*"))) != 1:
            raise ValueError("mask: char must be one character")

    def operator_name(self) -> str:
        """`mask`."""
        return "mask"

    def operator_type(self) -> OperatorType:
        """An anonymizer."""
        return OperatorType.Anonymize
