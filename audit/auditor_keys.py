"""Auditor key pairs (X25519): the gateway seals segment data keys to the public half.

`gerbang audit keygen --out FILE` writes the private key to FILE (PKCS#8 PEM, mode 0600) and the
public key to FILE.pub (SubjectPublicKeyInfo PEM). Both are standard PEM, readable with OpenSSL.
The gateway is only ever given FILE.pub.
"""

from __future__ import annotations

from pathlib import Path

from keys.algorithms import (
    CryptoError,
    generate_x25519,
    private_key_from_pem,
    private_key_pem,
    public_key_from_pem,
    public_key_pem,
    x25519_public,
)
from keys.errors import KeysError
from keys.files import read_secret_file, write_secret_file


class AuditorKeyError(ValueError):
    """An auditor key file is missing, unreadable, too open, or not an X25519 key."""


def public_path(private_path: Path) -> Path:
    """Where keygen writes the public half of `private_path`: FILE.pub."""
    return private_path.with_name(private_path.name + ".pub")


def generate(out: Path) -> Path:
    """Write a new key pair to `out` (0600) and `out`.pub; returns the public file's path."""
    public_file = public_path(out)
    if public_file.exists():
        raise AuditorKeyError(f"{public_file}: already exists; refusing to overwrite it")
    private, public = generate_x25519()
    try:
        write_secret_file(out, private_key_pem(private, "x25519").encode("ascii"))
    except KeysError as exc:
        raise AuditorKeyError(str(exc)) from None
    try:
        with open(public_file, "x", encoding="ascii") as handle:
            handle.write(public_key_pem(public, "x25519"))
    except OSError as exc:
        raise AuditorKeyError(f"{public_file}: cannot write: {exc.strerror}") from None
    return public_file


def load_public(path: Path) -> bytes:
    """The raw X25519 public key in a PEM file."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise AuditorKeyError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return public_key_from_pem(text, "x25519")
    except CryptoError:
        raise AuditorKeyError(
            f"{path}: not an auditor public key (X25519 PEM from `gerbang audit keygen`)"
        ) from None


def load_private(path: Path) -> tuple[bytes, bytes]:
    """(private, public) raw X25519 keys from an auditor's private key file (must be 0600)."""
    try:
        text = read_secret_file(path)
    except KeysError as exc:
        raise AuditorKeyError(str(exc)) from None
    try:
        private = private_key_from_pem(text, "x25519")
    except CryptoError:
        raise AuditorKeyError(
            f"{path}: not an auditor private key (X25519 PEM from `gerbang audit keygen`)"
        ) from None
    return private, x25519_public(private)
