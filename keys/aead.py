"""Authenticated encryption with associated data (AES-256-GCM) for values the caller may decrypt.

keys/ is the only package that touches `cryptography.hazmat`; others receive a `Sealer`.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class AeadError(ValueError):
    """A sealed value was tampered with, or sealed under another key or context."""


class AeadSealer:
    """Seals and opens short values with AES-256-GCM; a fresh random nonce per value."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("an AES-256-GCM key is 32 bytes")
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, associated_data: bytes) -> bytes:
        """nonce || ciphertext || tag, bound to `associated_data`."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, associated_data)

    def open(self, sealed: bytes, associated_data: bytes) -> bytes:
        """The plaintext; AeadError if the value or its associated data was changed."""
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated_data)
        except (InvalidTag, ValueError) as exc:
            raise AeadError("cannot open sealed value") from exc
