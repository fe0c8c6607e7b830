"""Signed heads: checkpoints and closings of segments, and notes of shredded segments.

`heads.log` is a sequence of frames (audit/framing.py), one head each:

    head body := signed || signature [64]
    signed    := "GBAUDHED" || version u8 (=1) || kind u8 || index u64 || segment u64
                 || records u64 || chain [32] || time_ms u64 || prev [32] || public_key [32]
                 || key_id_length u8 || key_id (UTF-8)

kind: 1 checkpoint (the segment so far), 2 close (the segment's final state), 3 shred (the
segment's data key was destroyed and its files removed; records and chain repeat its close head).
`index` counts heads from 0; `prev` is SHA-256 of the previous head's body (zeros for head 0), so
the heads form one chain across all segments. `signature` is Ed25519 by `public_key` over
`signed`; `key_id` names that key in the keyring ("signing-3").
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Protocol

from audit.segment import FORMAT_VERSION, FormatError
from keys.algorithms import SIGNATURE_BYTES, ed25519_verify, sha256

HEAD_MAGIC = b"GBAUDHED"
_FIXED = struct.Struct(">8sBBQQQ32sQ32s32sB")


class HeadKind(IntEnum):
    """What a head says about its segment."""

    CHECKPOINT = 1
    CLOSE = 2
    SHRED = 3


class Signer(Protocol):
    """What signs heads: keys.algorithms.Ed25519Signer (from Keyring.signer())."""

    public_key: bytes

    def sign(self, data: bytes) -> bytes:
        """The Ed25519 signature over `data`."""
        ...


@dataclass(frozen=True, slots=True)
class Head:
    """One head; `signature` is empty until signed."""

    kind: HeadKind
    index: int
    segment: int
    records: int
    chain: bytes
    time_ms: int
    prev: bytes
    public_key: bytes
    key_id: str
    signature: bytes = b""

    def signed_bytes(self) -> bytes:
        """The bytes the signature covers."""
        key_id = self.key_id.encode("utf-8")
        if len(key_id) > 255:
            raise ValueError("key id longer than 255 bytes")
        return (
            _FIXED.pack(
                HEAD_MAGIC,
                FORMAT_VERSION,
                int(self.kind),
                self.index,
                self.segment,
                self.records,
                self.chain,
                self.time_ms,
                self.prev,
                self.public_key,
                len(key_id),
            )
            + key_id
        )

    def encode(self) -> bytes:
        """The head body: signed bytes and signature."""
        return self.signed_bytes() + self.signature

    def digest(self) -> bytes:
        """SHA-256 of the head body: what the next head's `prev` holds."""
        return sha256(self.encode())

    def signature_valid(self) -> bool:
        """Whether `signature` is a valid Ed25519 signature by `public_key` over the head."""
        return ed25519_verify(self.public_key, self.signed_bytes(), self.signature)

    @classmethod
    def decode(cls, body: bytes) -> Head:
        """Parse a head body; FormatError if it is not one."""
        if len(body) < _FIXED.size + SIGNATURE_BYTES:
            raise FormatError(f"head is {len(body)} bytes, too short")
        fields = _FIXED.unpack_from(body)
        magic, version, kind, index, segment, records, chain, time_ms, prev, public, length = fields
        if magic != HEAD_MAGIC:
            raise FormatError("head magic is not GBAUDHED")
        if version != FORMAT_VERSION:
            raise FormatError(f"head format version {version} is not {FORMAT_VERSION}")
        if kind not in HeadKind._value2member_map_:
            raise FormatError(f"head kind {kind} is unknown")
        if len(body) != _FIXED.size + length + SIGNATURE_BYTES:
            raise FormatError("head length does not match its key id length")
        try:
            key_id = body[_FIXED.size : _FIXED.size + length].decode("utf-8")
        except UnicodeDecodeError:
            raise FormatError("head key id is not UTF-8") from None
        return cls(
            HeadKind(kind),
            index,
            segment,
            records,
            chain,
            time_ms,
            prev,
            public,
            key_id,
            body[-SIGNATURE_BYTES:],
        )


def sign_head(head: Head, signer: Signer) -> Head:
    """`head` with its public key set to the signer's, signed."""
    unsigned = replace(head, public_key=signer.public_key, signature=b"")
    return replace(unsigned, signature=signer.sign(unsigned.signed_bytes()))
