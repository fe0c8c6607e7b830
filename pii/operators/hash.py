"""`hash`: a keyed HMAC-SHA256 pseudonym, e.g. `<ID_NIK:3f2a9c0d1e2b4a5f>`.

Keyed because a plain hash of a NIK is reversible by trying every plausible NIK. The same value
(in any spelling: `3273 0125 ...` or `3273012...`) gives the same pseudonym under the same key,
so records stay linkable without revealing the value.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from presidio_anonymizer.operators import Operator, OperatorType

from pii.vault import canonical

DIGEST_HEX_CHARS = 16


def keyed_pseudonym(key: bytes, entity_type: str, value: str) -> str:
    """The first 64 bits of HMAC-SHA256(key, type || canonical value), in hex."""
    message = f"{entity_type}\x00{canonical(entity_type, value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:DIGEST_HEX_CHARS]


class HashOperator(Operator):
    """Replaces the value with its keyed pseudonym."""

    def operate(self, text: str, params: dict[str, Any] | None = None) -> str:
        """`<TYPE:pseudonym>`."""
        params = params or {}
        entity_type = params["entity_type"]
        return f"<{entity_type}:{keyed_pseudonym(params['key'], entity_type, text)}>"

    def validate(self, params: dict[str, Any] | None = None) -> None:
        """A key of at least 16 bytes is required."""
        key = (params or {}).get("key")
        if not isinstance(key, bytes) or len(key) < 16:
            raise ValueError("hash: a key of at least 16 bytes is required")

    def operator_name(self) -> str:
        """`hash`."""
        return "hash"

    def operator_type(self) -> OperatorType:
        """An anonymizer."""
        return OperatorType.Anonymize
