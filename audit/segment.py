"""Segment files: a header frame, then one frame per encrypted, chained record.

Byte layouts (docs/audit.md is the specification; integers are unsigned big-endian):

    header body := "GBAUDSEG" || version u8 (=1) || segment u64 || created_ms u64
                   || prev_segment_head [32] || keys_digest [32]
    record body := 0x01 || seq u64 || nonce [12] || ciphertext || tag [16] || chain [32]

`chain` of record `seq` is SHA-256(chain of the record before || the record body without its
chain); the record before the first one is the header: its chain value is SHA-256(header body).
The record's plaintext is its JSON, sealed with AES-256-GCM under the segment's data key with the
associated data "gerbang-audit-record/1" || segment u64 || seq u64. The data key is sealed to each
auditor's X25519 public key in the segment's keys file, whose SHA-256 is `keys_digest`.
"""

from __future__ import annotations

import base64
import json
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from keys.algorithms import NONCE_BYTES, TAG_BYTES, sha256

HEADER_MAGIC = b"GBAUDSEG"
FORMAT_VERSION = 1
RECORD_TYPE = 0x01
HASH_BYTES = 32
ZERO_HASH = bytes(HASH_BYTES)

_HEADER = struct.Struct(">8sBQQ32s32s")
_RECORD_PREFIX = struct.Struct(">BQ")
RECORD_MIN = _RECORD_PREFIX.size + NONCE_BYTES + TAG_BYTES + HASH_BYTES
RECORD_AAD_PREFIX = b"gerbang-audit-record/1"
DATA_KEY_INFO_PREFIX = b"gerbang-audit-data-key/1"
KEYS_FORMAT = "gerbang-audit-keys/1"

HEADS_FILE = "heads.log"
LOCK_FILE = ".lock"
_SEGMENT_NAME = re.compile(r"^seg-(\d{8})\.log$")


class FormatError(ValueError):
    """Bytes that do not have the documented layout."""


def segment_path(directory: Path, segment: int) -> Path:
    """Where segment `segment` lives: `seg-00000001.log`."""
    return directory / f"seg-{segment:08d}.log"


def keys_path(directory: Path, segment: int) -> Path:
    """Where segment `segment`'s sealed data keys live: `seg-00000001.keys`."""
    return directory / f"seg-{segment:08d}.keys"


def segment_ids(directory: Path) -> list[int]:
    """The ids of the segment files present in `directory`, ascending."""
    ids = []
    for path in directory.iterdir():
        match = _SEGMENT_NAME.match(path.name)
        if match:
            ids.append(int(match.group(1)))
    return sorted(ids)


@dataclass(frozen=True, slots=True)
class SegmentHeader:
    """The first frame of a segment file."""

    segment: int
    created_ms: int
    prev_segment_head: bytes
    keys_digest: bytes

    def encode(self) -> bytes:
        """The header body."""
        return _HEADER.pack(
            HEADER_MAGIC,
            FORMAT_VERSION,
            self.segment,
            self.created_ms,
            self.prev_segment_head,
            self.keys_digest,
        )

    @classmethod
    def decode(cls, body: bytes) -> SegmentHeader:
        """Parse a header body; FormatError if it is not one."""
        if len(body) != _HEADER.size:
            raise FormatError(f"segment header is {len(body)} bytes, expected {_HEADER.size}")
        magic, version, segment, created_ms, prev, digest = _HEADER.unpack(body)
        if magic != HEADER_MAGIC:
            raise FormatError("segment header magic is not GBAUDSEG")
        if version != FORMAT_VERSION:
            raise FormatError(f"segment format version {version} is not {FORMAT_VERSION}")
        return cls(segment, created_ms, prev, digest)

    def chain_start(self) -> bytes:
        """The chain value before the segment's first record: SHA-256 of the header body."""
        return sha256(self.encode())


@dataclass(frozen=True, slots=True)
class RecordEntry:
    """One record frame: sequence number, sealed record (nonce || ciphertext || tag), chain."""

    seq: int
    sealed: bytes
    chain: bytes

    @property
    def chained_bytes(self) -> bytes:
        """The part of the body the chain hashes: everything but the chain value."""
        return _RECORD_PREFIX.pack(RECORD_TYPE, self.seq) + self.sealed

    def encode(self) -> bytes:
        """The record body."""
        return self.chained_bytes + self.chain

    @classmethod
    def decode(cls, body: bytes) -> RecordEntry:
        """Parse a record body; FormatError if it is not one."""
        if len(body) < RECORD_MIN:
            raise FormatError(f"record is {len(body)} bytes, shorter than {RECORD_MIN}")
        kind, seq = _RECORD_PREFIX.unpack_from(body)
        if kind != RECORD_TYPE:
            raise FormatError(f"record type {kind} is not {RECORD_TYPE}")
        return cls(seq, body[_RECORD_PREFIX.size : -HASH_BYTES], body[-HASH_BYTES:])


def next_chain(previous: bytes, chained_bytes: bytes) -> bytes:
    """chain_i = SHA-256(chain_{i-1} || record body without its chain)."""
    return sha256(previous + chained_bytes)


def record_aad(segment: int, seq: int) -> bytes:
    """The associated data a record's AES-256-GCM encryption is bound to."""
    return RECORD_AAD_PREFIX + struct.pack(">QQ", segment, seq)


def data_key_info(segment: int) -> bytes:
    """The HPKE `info` a segment's data key is sealed with."""
    return DATA_KEY_INFO_PREFIX + struct.pack(">Q", segment)


def recipient_id(public_key: bytes) -> str:
    """How a keys file names an auditor: hex SHA-256 of the raw X25519 public key."""
    return sha256(public_key).hex()


def encode_keys_file(segment: int, sealed: dict[str, bytes]) -> bytes:
    """The keys file: JSON naming each recipient and its sealed data key (base64)."""
    document = {
        "format": KEYS_FORMAT,
        "segment": segment,
        "recipients": [
            {"key": key, "sealed": base64.b64encode(value).decode("ascii")}
            for key, value in sorted(sealed.items())
        ],
    }
    return (json.dumps(document, separators=(",", ":")) + "\n").encode("ascii")


def decode_keys_file(data: bytes, segment: int) -> dict[str, bytes]:
    """Recipient id -> sealed data key; FormatError naming what is wrong."""
    try:
        document = json.loads(data)
        if document.get("format") != KEYS_FORMAT:
            raise FormatError(f"keys file format is not {KEYS_FORMAT}")
        if document.get("segment") != segment:
            raise FormatError(f"keys file is for segment {document.get('segment')}")
        return {
            str(item["key"]): base64.b64decode(item["sealed"], validate=True)
            for item in document["recipients"]
        }
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        if isinstance(exc, FormatError):
            raise
        raise FormatError(f"keys file is not valid: {type(exc).__name__}") from None
