"""`placeholder`: typed, numbered tokens from the scope's vault."""

from __future__ import annotations

import pytest

from pii.operators.placeholder import PlaceholderOperator
from pii.vault import PlaceholderVault

PLACEHOLDER = PlaceholderOperator()


def test_values_get_numbered_tokens_and_a_repeated_value_its_token_again() -> None:
    vault = PlaceholderVault()
    first = PLACEHOLDER.operate("Budi Santoso", {"entity_type": "PERSON", "vault": vault})
    second = PLACEHOLDER.operate("Siti Aminah", {"entity_type": "PERSON", "vault": vault})
    again = PLACEHOLDER.operate("Budi Santoso", {"entity_type": "PERSON", "vault": vault})
    assert (first, second, again) == ("<PERSON_1>", "<PERSON_2>", "<PERSON_1>")
    assert vault.mapping == {"<PERSON_1>": "Budi Santoso", "<PERSON_2>": "Siti Aminah"}


def test_placeholder_refuses_to_run_without_a_vault() -> None:
    with pytest.raises(ValueError, match="placeholder:"):
        PLACEHOLDER.validate({"vault": {}})
