"""`hash`: keyed pseudonyms that link spellings of one value but reveal nothing without the key."""

from __future__ import annotations

import pytest

from pii.operators.hash import DIGEST_HEX_CHARS, HashOperator, keyed_pseudonym

KEY = b"k" * 32
OTHER_KEY = b"o" * 32
HASH = HashOperator()


def test_one_value_in_any_spelling_gets_one_pseudonym_under_one_key() -> None:
    spaced = HASH.operate("3273 0125 0190 0003", {"entity_type": "ID_NIK", "key": KEY})
    plain = HASH.operate("3273012501900003", {"entity_type": "ID_NIK", "key": KEY})
    assert spaced == plain
    assert spaced.startswith("<ID_NIK:")
    assert len(spaced) == len("<ID_NIK:>") + DIGEST_HEX_CHARS


def test_the_pseudonym_depends_on_the_key_the_value_and_the_type() -> None:
    value = "3273012501900003"
    base = keyed_pseudonym(KEY, "ID_NIK", value)
    assert keyed_pseudonym(OTHER_KEY, "ID_NIK", value) != base
    assert keyed_pseudonym(KEY, "ID_NIK", "3273012501900004") != base
    assert keyed_pseudonym(KEY, "ID_KK", value) != base
    assert value not in HASH.operate(value, {"entity_type": "ID_NIK", "key": KEY})


@pytest.mark.parametrize("key", [None, b"short", "a text key of enough length"])
def test_hash_refuses_a_missing_or_weak_key(key: object) -> None:
    with pytest.raises(ValueError, match="hash:"):
        HASH.validate({"key": key})
