"""Key-encryption keys (KEK): where the key that seals the keyring at rest comes from.

Providers:
- a file holding the KEK as base64 text of 32 bytes (`kek_from_file`; the file must be 0600);
- an environment variable holding the same base64 text (`kek_from_env`);
- optional: an external KMS behind `KeyEncryptionKey`, such as Vault transit (`keys.vault`).

Every provider wraps and unwraps short values (key material) bound to associated data; the local
providers use AES-256-GCM (`keys.algorithms.AeadSealer`).

External KMS (optional): `keys.vault.VaultTransitKek` keeps the KEK inside Vault or OpenBao as an
`aes256-gcm96` transit key and implements `KeyEncryptionKey` over the transit HTTP API (tested
against a real OpenBao dev server). Any other KMS fits the same Protocol.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from keys.algorithms import KEY_BYTES, AeadSealer, CryptoError, random_key
from keys.errors import KekError, KeysError
from keys.files import read_secret_file, write_secret_file

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class KeyEncryptionKey(Protocol):
    """Wraps and unwraps key material; implemented by the file/env KEK and by any external KMS."""

    @property
    def source(self) -> str:
        """Where the KEK comes from, for messages ("file /etc/gerbang/kek"); never material."""
        ...

    def wrap(self, material: bytes, associated_data: bytes) -> bytes:
        """Encrypt `material`, bound to `associated_data`."""
        ...

    def unwrap(self, wrapped: bytes, associated_data: bytes) -> bytes:
        """Decrypt a wrapped value; raise CryptoError if the KEK or associated data differ."""
        ...


class LocalKek:
    """A 32-byte KEK held in memory (read from a file or the environment), AES-256-GCM."""

    def __init__(self, key: bytes, source: str) -> None:
        if len(key) != KEY_BYTES:
            raise KekError(f"{source}: a key-encryption key is {KEY_BYTES} bytes")
        self._sealer = AeadSealer(key)
        self._source = source

    @property
    def source(self) -> str:
        """Where the KEK was read from."""
        return self._source

    def wrap(self, material: bytes, associated_data: bytes) -> bytes:
        """nonce || AES-256-GCM ciphertext || tag."""
        return self._sealer.seal(material, associated_data)

    def unwrap(self, wrapped: bytes, associated_data: bytes) -> bytes:
        """The material; CryptoError (AeadError) if the KEK or associated data differ."""
        return self._sealer.open(wrapped, associated_data)

    def __repr__(self) -> str:
        return f"LocalKek({self._source})"


def encode_kek(key: bytes) -> str:
    """The text form of a KEK (base64 of 32 bytes), as kept in a KEK file or variable."""
    return base64.b64encode(key).decode("ascii")


def decode_kek(text: str | bytes, source: str) -> bytes:
    """The 32-byte KEK in base64 text; KekError naming `source` (never the text) otherwise."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KekError(f"{source}: not base64 text of a {KEY_BYTES}-byte key") from None
    if len(key) != KEY_BYTES:
        raise KekError(f"{source}: holds {len(key)} bytes, a key-encryption key is {KEY_BYTES}")
    return key


def kek_from_file(path: Path) -> LocalKek:
    """Read a KEK file (0600 enforced: KeyFilePermissions otherwise)."""
    source = f"key-encryption key file {path}"
    try:
        data = read_secret_file(path)
    except KeysError as exc:
        if type(exc) is KeysError:  # missing or unreadable: a KEK problem; permissions stay
            raise KekError(str(exc)) from None
        raise
    return LocalKek(decode_kek(data, source), source)


def kek_from_env(name: str, environ: Mapping[str, str] | None = None) -> LocalKek:
    """Read a KEK from environment variable `name` (base64 of 32 bytes)."""
    if not _ENV_NAME.match(name):
        raise KekError(f"{name!r} is not an environment variable name")
    value = (os.environ if environ is None else environ).get(name)
    source = f"environment variable {name}"
    if value is None or not value.strip():
        raise KekError(f"{source} is not set (expected base64 of a {KEY_BYTES}-byte key)")
    return LocalKek(decode_kek(value, source), source)


def load_kek(*, file: Path | None = None, env: str | None = None) -> LocalKek:
    """The KEK from exactly one of `file` or `env`, as the config names it."""
    if (file is None) == (env is None):
        raise KekError('give exactly one key-encryption key source: { file = "..." } or '
                       '{ env = "NAME" }')  # fmt: skip
    return kek_from_file(file) if file is not None else kek_from_env(env or "")


def create_kek_file(path: Path) -> LocalKek:
    """Write a new random KEK to `path` (mode 0600; refuses to overwrite) and return it."""
    key = random_key()
    write_secret_file(path, (encode_kek(key) + "\n").encode("ascii"))
    return LocalKek(key, f"key-encryption key file {path}")


__all__ = [
    "CryptoError",
    "KeyEncryptionKey",
    "LocalKek",
    "create_kek_file",
    "decode_kek",
    "encode_kek",
    "kek_from_env",
    "kek_from_file",
    "load_kek",
]
