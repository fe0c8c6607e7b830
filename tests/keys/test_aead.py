"""keys.aead keeps the name other packages import; the cipher is the one keys.algorithms chose."""

from __future__ import annotations

from keys import aead, algorithms


def test_when_importing_keys_aead_then_it_is_the_algorithms_sealer() -> None:
    assert aead.AeadSealer is algorithms.AeadSealer
    assert aead.AeadError is algorithms.AeadError
    key = algorithms.random_key()
    assert algorithms.AeadSealer(key).open(aead.AeadSealer(key).seal(b"v", b"ad"), b"ad") == b"v"
