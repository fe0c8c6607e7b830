"""The public-key document auditors keep: signing key ids and their Ed25519 public keys.

`gerbang keys export-public` writes it; a verifier reads it back with `read_public_keys`. It holds
no secret. Format (JSON):

    {"format": "gerbang-public-keys", "format_version": 1, "keyring_id": "...",
     "exported": "2026-01-01T00:00:00Z", "algorithm": "Ed25519",
     "keys": [{"key_id": "signing-1", "created": "...", "current": false,
               "public_key": "<base64 of the raw 32-byte key>",
               "public_key_pem": "-----BEGIN PUBLIC KEY-----..."}]}
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

from keys.algorithms import ALGORITHMS, KEY_BYTES, CryptoError, public_key_from_pem, public_key_pem
from keys.errors import KeyringError

FORMAT: Final = "gerbang-public-keys"
FORMAT_VERSION: Final = 1


def public_keys_document(*, keyring_id: str, keys: Sequence[tuple[str, str, bool, bytes]]) -> str:
    """The JSON document for `keys` given as (key_id, created, current, raw public key)."""
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "keyring_id": keyring_id,
        "exported": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "algorithm": ALGORITHMS["signature"],
        "keys": [
            {
                "key_id": key_id,
                "created": created,
                "current": current,
                "public_key": base64.b64encode(public).decode("ascii"),
                "public_key_pem": public_key_pem(public, "ed25519"),
            }
            for key_id, created, current, public in keys
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def read_public_keys(text: str | bytes, source: str = "<public keys>") -> dict[str, bytes]:
    """Raw Ed25519 public keys by key id from an exported document, or from one PEM public key.

    A lone PEM key (for example from another tool) is returned under the key id "pem".
    KeyringError names `source` when the text is neither.
    """
    data = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
    if data.lstrip().startswith("-----BEGIN"):
        try:
            return {"pem": public_key_from_pem(data, "ed25519")}
        except CryptoError as exc:
            raise KeyringError(f"{source}: {exc}") from None
    try:
        document = json.loads(data)
    except json.JSONDecodeError:
        raise KeyringError(f"{source}: neither a public-key document (JSON) nor PEM") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise KeyringError(f'{source}: not a Gerbang public-key document (no "format": "{FORMAT}")')
    keys = document.get("keys")
    if not isinstance(keys, list):
        raise KeyringError(f"{source}: keys: missing or not a list")
    result: dict[str, bytes] = {}
    for index, entry in enumerate(keys):
        key_id = entry.get("key_id") if isinstance(entry, dict) else None
        encoded = entry.get("public_key") if isinstance(entry, dict) else None
        if not isinstance(key_id, str) or not isinstance(encoded, str):
            raise KeyringError(f"{source}: keys[{index}]: needs key_id and public_key strings")
        try:
            public = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            public = b""
        if len(public) != KEY_BYTES:
            raise KeyringError(f"{source}: keys[{index}].public_key: not a base64 Ed25519 key")
        result[key_id] = public
    return result
