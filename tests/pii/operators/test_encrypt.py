"""`encrypt`: values sealed under the caller's AEAD key, bound to their type."""

from __future__ import annotations

import os

import pytest

from keys.aead import AeadError, AeadSealer
from pii.operators.encrypt import SEALED_RE, EncryptOperator, unseal_all

ENCRYPT = EncryptOperator()
VALUE = "0812-3456-7890"


def test_a_sealed_value_opens_under_its_key_and_shows_nothing_before() -> None:
    sealer = AeadSealer(os.urandom(32))
    sealed = ENCRYPT.operate(VALUE, {"entity_type": "PHONE_NUMBER", "sealer": sealer})
    assert SEALED_RE.fullmatch(sealed)
    assert VALUE not in sealed
    assert unseal_all(f"HP: {sealed}.", sealer) == f"HP: {VALUE}."


def test_a_sealed_value_does_not_open_under_another_key_or_as_another_type() -> None:
    sealer = AeadSealer(os.urandom(32))
    sealed = ENCRYPT.operate(VALUE, {"entity_type": "PHONE_NUMBER", "sealer": sealer})
    with pytest.raises(AeadError):
        unseal_all(sealed, AeadSealer(os.urandom(32)))
    with pytest.raises(AeadError):
        unseal_all(sealed.replace("PHONE_NUMBER", "ID_NIK"), sealer)


def test_the_same_value_seals_differently_each_time() -> None:
    sealer = AeadSealer(os.urandom(32))
    params = {"entity_type": "PHONE_NUMBER", "sealer": sealer}
    assert ENCRYPT.operate(VALUE, params) != ENCRYPT.operate(VALUE, params)


def test_encrypt_refuses_to_run_without_a_sealer() -> None:
    with pytest.raises(ValueError, match="encrypt:"):
        ENCRYPT.validate({})
