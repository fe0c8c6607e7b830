"""The one place Gerbang chooses its cryptographic algorithms.

Every other package gets cryptography through these functions (or through `keys.keyring`), so an
approved set can be enforced by editing this file alone:

- AEAD: AES-256-GCM, 96-bit random nonce per value (`AeadSealer`).
- Sealing to a public key: HPKE (RFC 9180) base mode, single shot, with the suite
  DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM. A sealed value is `enc (32 bytes) ||
  ciphertext || tag (16 bytes)`, readable by any RFC 9180 implementation.
- Signatures: Ed25519 (RFC 8032).
- Keyed hashing: HMAC-SHA256 (RFC 2104); hashing: SHA-256.
- Randomness: the operating system's CSPRNG (`secrets`).

Keys cross this module's boundary as raw bytes (32-byte keys, 32-byte public keys) or PEM text.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES: Final = 32
"""Length of every symmetric key, X25519 key and Ed25519 key Gerbang uses."""
NONCE_BYTES: Final = 12
TAG_BYTES: Final = 16
SIGNATURE_BYTES: Final = 64
SEALED_OVERHEAD: Final = KEY_BYTES + TAG_BYTES
"""Bytes a sealed-to-public-key value adds to its plaintext (encapsulated key and tag)."""

ALGORITHMS: Final[dict[str, str]] = {
    "aead": "AES-256-GCM",
    "seal": "HPKE RFC 9180 base mode: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM",
    "signature": "Ed25519",
    "mac": "HMAC-SHA256",
    "hash": "SHA-256",
}
"""Names of the algorithms above, for documents auditors keep (`Keyring.export_public`)."""

_HPKE_SUITE: Final = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
_RAW: Final = serialization.Encoding.Raw


class CryptoError(ValueError):
    """A key has the wrong shape, or a sealed value could not be opened. Never carries material."""


class AeadError(CryptoError):
    """A sealed value was tampered with, or sealed under another key or context."""


def random_key() -> bytes:
    """32 bytes from the operating system's CSPRNG."""
    return secrets.token_bytes(KEY_BYTES)


def sha256(data: bytes) -> bytes:
    """SHA-256 digest (32 bytes)."""
    return hashlib.sha256(data).digest()


def hmac_sha256(key: bytes, data: bytes) -> bytes:
    """HMAC-SHA256 tag (32 bytes)."""
    if not key:
        raise CryptoError("an HMAC key must not be empty")
    return hmac.digest(key, data, "sha256")


def equal(a: bytes, b: bytes) -> bool:
    """Constant-time comparison of two digests or tags."""
    return hmac.compare_digest(a, b)


class AeadSealer:
    """Seals and opens values with AES-256-GCM; a fresh random nonce per value."""

    def __init__(self, key: bytes) -> None:
        _check_length(key, "an AES-256-GCM key")
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, associated_data: bytes) -> bytes:
        """nonce || ciphertext || tag, bound to `associated_data`."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, associated_data)

    def open(self, sealed: bytes, associated_data: bytes) -> bytes:
        """The plaintext; AeadError if the value or its associated data was changed."""
        if len(sealed) < NONCE_BYTES + TAG_BYTES:
            raise AeadError("cannot open sealed value: too short")
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated_data)
        except (InvalidTag, ValueError) as exc:
            raise AeadError("cannot open sealed value") from exc


# -- X25519 + HPKE: sealing to a public key -------------------------------------------------------


def generate_x25519() -> tuple[bytes, bytes]:
    """A new X25519 key pair as (private_raw, public_raw), 32 bytes each."""
    private = X25519PrivateKey.generate()
    return _private_raw(private), private.public_key().public_bytes(
        _RAW, serialization.PublicFormat.Raw
    )


def x25519_public(private_raw: bytes) -> bytes:
    """The raw public key of a raw X25519 private key."""
    key = X25519PrivateKey.from_private_bytes(_check_length(private_raw, "an X25519 private key"))
    return key.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)


def seal_to_public_key(plaintext: bytes, recipient_public: bytes, info: bytes) -> bytes:
    """Encrypt `plaintext` so only the holder of the matching private key can read it.

    `info` binds the value to its context (for example a segment id); opening needs the same info.
    """
    public = X25519PublicKey.from_public_bytes(
        _check_length(recipient_public, "an X25519 public key")
    )
    return _HPKE_SUITE.encrypt(plaintext, public, info)


def open_with_private_key(sealed: bytes, private: bytes, info: bytes) -> bytes:
    """The plaintext of a value sealed to `private`'s public key with the same `info`.

    Raises CryptoError when the key or info differ or the value was changed.
    """
    key = X25519PrivateKey.from_private_bytes(_check_length(private, "an X25519 private key"))
    if len(sealed) < SEALED_OVERHEAD:
        raise CryptoError("cannot open sealed value: too short")
    try:
        return _HPKE_SUITE.decrypt(sealed, key, info)
    except (InvalidTag, ValueError) as exc:
        raise CryptoError("cannot open sealed value: wrong key, wrong context or changed") from exc


# -- Ed25519 signatures ---------------------------------------------------------------------------


def generate_ed25519() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as (private_raw seed, public_raw), 32 bytes each."""
    private = Ed25519PrivateKey.generate()
    return _private_raw(private), private.public_key().public_bytes(
        _RAW, serialization.PublicFormat.Raw
    )


class Ed25519Signer:
    """Signs with one Ed25519 private key (the 32-byte RFC 8032 seed)."""

    def __init__(self, private_raw: bytes) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(
            _check_length(private_raw, "an Ed25519 private key")
        )
        self.public_key: bytes = self._key.public_key().public_bytes(
            _RAW, serialization.PublicFormat.Raw
        )
        """The raw 32-byte public key that verifies this signer's signatures."""

    def sign(self, data: bytes) -> bytes:
        """The 64-byte signature over `data`."""
        return self._key.sign(data)


def ed25519_public(private_raw: bytes) -> bytes:
    """The raw public key of a raw Ed25519 private key."""
    return Ed25519Signer(private_raw).public_key


def ed25519_verify(public_raw: bytes, data: bytes, signature: bytes) -> bool:
    """True when `signature` is a valid Ed25519 signature over `data` by `public_raw`."""
    if len(public_raw) != KEY_BYTES or len(signature) != SIGNATURE_BYTES:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


# -- PEM (SubjectPublicKeyInfo / PKCS#8) for files people exchange ------------------------------


def public_key_pem(public_raw: bytes, kind: str) -> str:
    """A raw "x25519" or "ed25519" public key as SubjectPublicKeyInfo PEM text."""
    _check_length(public_raw, f"an {kind} public key")
    key: X25519PublicKey | Ed25519PublicKey
    if kind == "x25519":
        key = X25519PublicKey.from_public_bytes(public_raw)
    elif kind == "ed25519":
        key = Ed25519PublicKey.from_public_bytes(public_raw)
    else:
        raise CryptoError(f"unknown public key kind {kind!r} (expected x25519 or ed25519)")
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode("ascii")


def public_key_from_pem(pem: bytes | str, kind: str) -> bytes:
    """The raw public key in SubjectPublicKeyInfo PEM text; CryptoError if it is not `kind`."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise CryptoError(f"not a PEM public key (expected {kind})") from exc
    expected = {"x25519": X25519PublicKey, "ed25519": Ed25519PublicKey}.get(kind)
    if expected is None or not isinstance(key, expected):
        raise CryptoError(f"the PEM public key is not an {kind} key")
    return key.public_bytes(_RAW, serialization.PublicFormat.Raw)


def private_key_pem(private_raw: bytes, kind: str) -> str:
    """A raw "x25519" or "ed25519" private key as unencrypted PKCS#8 PEM (store it 0600)."""
    _check_length(private_raw, f"an {kind} private key")
    key: X25519PrivateKey | Ed25519PrivateKey
    if kind == "x25519":
        key = X25519PrivateKey.from_private_bytes(private_raw)
    elif kind == "ed25519":
        key = Ed25519PrivateKey.from_private_bytes(private_raw)
    else:
        raise CryptoError(f"unknown private key kind {kind!r} (expected x25519 or ed25519)")
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem.decode("ascii")


def private_key_from_pem(pem: bytes | str, kind: str) -> bytes:
    """The raw private key in unencrypted PKCS#8 PEM text; CryptoError if it is not `kind`."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise CryptoError(f"not an unencrypted PEM private key (expected {kind})") from exc
    if isinstance(key, X25519PrivateKey) and kind == "x25519":
        return _private_raw(key)
    if isinstance(key, Ed25519PrivateKey) and kind == "ed25519":
        return _private_raw(key)
    raise CryptoError(f"the PEM private key is not an {kind} key")


def _private_raw(key: X25519PrivateKey | Ed25519PrivateKey) -> bytes:
    return key.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())


def _check_length(key: bytes, what: str) -> bytes:
    if not isinstance(key, bytes | bytearray) or len(key) != KEY_BYTES:
        raise CryptoError(f"{what} is {KEY_BYTES} bytes")
    return bytes(key)
