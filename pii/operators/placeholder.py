"""`placeholder`: typed, numbered tokens (`<ID_NIK_1>`) that `restore` turns back into values."""

from __future__ import annotations

from typing import Any

from presidio_anonymizer.operators import Operator, OperatorType

from pii.vault import PlaceholderVault


class PlaceholderOperator(Operator):
    """Replaces the value with its token from the scope's vault."""

    def operate(self, text: str, params: dict[str, Any] | None = None) -> str:
        """The value's placeholder."""
        params = params or {}
        vault: PlaceholderVault = params["vault"]
        return vault.token_for(params["entity_type"], text)

    def validate(self, params: dict[str, Any] | None = None) -> None:
        """A vault must be given."""
        if not isinstance((params or {}).get("vault"), PlaceholderVault):
            raise ValueError("placeholder: a PlaceholderVault is required")

    def operator_name(self) -> str:
        """`placeholder`."""
        return "placeholder"

    def operator_type(self) -> OperatorType:
        """An anonymizer."""
        return OperatorType.Anonymize
