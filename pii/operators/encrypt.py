"""`encrypt`: the value sealed with an AEAD under the caller's key: `<ENC:ID_NIK:...>`.

The entity type is bound as associated data, so a sealed NIK cannot be passed off as another
type. The cipher comes from the caller (`keys.aead.AeadSealer` in Gerbang): pii holds no keys.
"""

from __future__ import annotations

import base64
import re
from typing import Any, Protocol

from presidio_anonymizer.operators import Operator, OperatorType

SEALED_RE = re.compile(r"<ENC:([A-Z][A-Z_]*):([A-Za-z0-9_-]+)>")


class Sealer(Protocol):
    """An AEAD: seal and open bytes bound to associated data."""

    def seal(self, plaintext: bytes, associated_data: bytes) -> bytes:
        """Encrypt and authenticate."""
        ...

    def open(self, sealed: bytes, associated_data: bytes) -> bytes:
        """Decrypt and verify; raise on tampering."""
        ...


def unseal_all(text: str, sealer: Sealer) -> str:
    """Replace every `<ENC:TYPE:...>` token that opens under `sealer` with its value."""

    def one(match: re.Match[str]) -> str:
        sealed = base64.urlsafe_b64decode(match.group(2) + "=" * (-len(match.group(2)) % 4))
        return sealer.open(sealed, match.group(1).encode()).decode()

    return SEALED_RE.sub(one, text)


class EncryptOperator(Operator):
    """Replaces the value with its sealed form."""

    def operate(self, text: str, params: dict[str, Any] | None = None) -> str:
        """`<ENC:TYPE:base64url(nonce || ciphertext || tag)>`."""
        params = params or {}
        entity_type: str = params["entity_type"]
        sealed = params["sealer"].seal(text.encode(), entity_type.encode())
        return f"<ENC:{entity_type}:{base64.urlsafe_b64encode(sealed).decode().rstrip('=')}>"

    def validate(self, params: dict[str, Any] | None = None) -> None:
        """A sealer must be given."""
        sealer = (params or {}).get("sealer")
        if not (hasattr(sealer, "seal") and hasattr(sealer, "open")):
            raise ValueError("encrypt: a sealer (AEAD) is required")

    def operator_name(self) -> str:
        """`encrypt`."""
        return "encrypt"

    def operator_type(self) -> OperatorType:
        """An anonymizer."""
        return OperatorType.Anonymize
