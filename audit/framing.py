"""Length-prefixed, checksummed frames: how segment and head files are cut into pieces.

    frame := length (u32, big-endian) || body (length bytes) || crc (u32, big-endian)
    crc   := CRC-32 (zlib/IEEE) over length || body

The CRC is not a security measure (the hash chain and signatures are); it tells a torn write or a
flipped bit from a well-formed frame, so a reader can find a partial last frame after a crash.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from enum import StrEnum

LENGTH = struct.Struct(">I")
OVERHEAD = 8
MAX_BODY = 1 << 20
"""The largest body a frame may have (1 MiB); a larger length field means damage."""


def encode_frame(body: bytes) -> bytes:
    """One frame holding `body`."""
    if len(body) > MAX_BODY:
        raise ValueError(f"frame body of {len(body)} bytes exceeds {MAX_BODY}")
    head = LENGTH.pack(len(body))
    return head + body + LENGTH.pack(zlib.crc32(body, zlib.crc32(head)))


class TailState(StrEnum):
    """What follows the last good frame of a file."""

    CLEAN = "clean"
    """Nothing: the file ends exactly after a good frame."""
    PARTIAL = "partial"
    """The file ends inside a frame: a torn last write (or a truncated file)."""
    CORRUPT = "corrupt"
    """A complete frame whose checksum or length is wrong, with or without bytes after it."""


@dataclass(frozen=True, slots=True)
class Frame:
    """A good frame: its offset in the file and its body."""

    offset: int
    body: bytes

    @property
    def end(self) -> int:
        """The offset just after this frame."""
        return self.offset + OVERHEAD + len(self.body)


@dataclass(frozen=True, slots=True)
class Scan:
    """The good frames of a file, in order, and what stopped the scan."""

    frames: tuple[Frame, ...]
    tail: TailState
    tail_offset: int
    """Where the first bad byte is (the file size when the tail is clean)."""
    tail_is_last: bool
    """For a corrupt tail: whether the bad frame is the file's last one (a torn last write)."""
    length_damaged: bool = False
    """The bad frame would be good with another length field: its length was changed."""


def scan_frames(data: bytes) -> Scan:
    """Cut `data` into frames, stopping at the first one that is incomplete or damaged."""
    frames: list[Frame] = []
    offset, size = 0, len(data)
    while offset < size:
        if size - offset < OVERHEAD:
            return Scan(tuple(frames), TailState.PARTIAL, offset, True)
        (length,) = LENGTH.unpack_from(data, offset)
        end = offset + OVERHEAD + length
        if length > MAX_BODY or end > size:
            tail = TailState.CORRUPT if length > MAX_BODY else TailState.PARTIAL
            if _good_with_other_length(data, offset):
                return Scan(tuple(frames), TailState.CORRUPT, offset, True, length_damaged=True)
            return Scan(tuple(frames), tail, offset, True)
        body = data[offset + 4 : end - 4]
        (crc,) = LENGTH.unpack_from(data, end - 4)
        if crc != zlib.crc32(body, zlib.crc32(data[offset : offset + 4])):
            return Scan(tuple(frames), TailState.CORRUPT, offset, end == size)
        frames.append(Frame(offset, body))
        offset = end
    return Scan(tuple(frames), TailState.CLEAN, size, False)


def _good_with_other_length(data: bytes, offset: int) -> bool:
    """Whether the bytes from `offset` to the end form a good frame once the length is fixed."""
    span = len(data) - offset - OVERHEAD
    if span < 0 or span > MAX_BODY:
        return False
    head = LENGTH.pack(span)
    body = data[offset + 4 : len(data) - 4]
    (crc,) = LENGTH.unpack_from(data, len(data) - 4)
    return bool(crc == zlib.crc32(body, zlib.crc32(head)))
