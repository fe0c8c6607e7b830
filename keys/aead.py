"""Authenticated encryption with associated data (AES-256-GCM) for values the caller may decrypt.

The cipher itself is chosen in `keys.algorithms`; this module keeps the name other packages use
(`pii` receives an `AeadSealer` as its `Sealer`).
"""

from __future__ import annotations

from keys.algorithms import NONCE_BYTES, AeadError, AeadSealer

__all__ = ["NONCE_BYTES", "AeadError", "AeadSealer"]
