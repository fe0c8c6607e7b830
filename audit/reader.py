"""Decrypt the records of an audit directory with an auditor's private key.

Reading does not prove integrity (that is `audit.verify`); it authenticates each record with
AES-256-GCM, so a changed record cannot be read as another one, and reports what it cannot read
(shredded or missing keys, a key it is not sealed to, damaged records) as problems.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from audit.framing import scan_frames
from audit.record import AuditRecord
from audit.segment import (
    FormatError,
    RecordEntry,
    SegmentHeader,
    data_key_info,
    decode_keys_file,
    keys_path,
    recipient_id,
    record_aad,
    segment_ids,
    segment_path,
)
from audit.verify import stream_directories
from keys.algorithms import AeadError, AeadSealer, CryptoError, open_with_private_key


@dataclass(frozen=True, slots=True)
class ReadRecord:
    """A decrypted record and where it was: stream directory, segment and sequence number."""

    stream: Path
    segment: int
    seq: int
    record: AuditRecord


@dataclass
class LogReader:
    """Reads records with one auditor key pair; `problems` lists what could not be read."""

    private_key: bytes
    public_key: bytes
    problems: list[str] = field(default_factory=list)
    wrong_key_segments: int = 0
    segments_read: int = 0

    def records(self, directory: Path) -> Iterator[ReadRecord]:
        """Every readable record under `directory` (a stream or a directory of streams).

        Several streams (one per gateway process) are merged in time order; each stream is
        already in the order its records were written.
        """
        streams = [self._stream(stream) for stream in stream_directories(directory)]
        yield from heapq.merge(*streams, key=lambda read: read.record.timestamp)

    def _stream(self, stream: Path) -> Iterator[ReadRecord]:
        for segment in segment_ids(stream):
            yield from self._segment(stream, segment)

    def _segment(self, stream: Path, segment: int) -> Iterator[ReadRecord]:
        name = segment_path(stream, segment).name
        sealer = self._data_key(stream, segment, name)
        if sealer is None:
            return
        self.segments_read += 1
        scan = scan_frames(segment_path(stream, segment).read_bytes())
        try:
            header = SegmentHeader.decode(scan.frames[0].body) if scan.frames else None
        except FormatError:
            header = None
        if header is None or header.segment != segment:
            self.problems.append(f"{stream / name}: no valid header; segment skipped")
            return
        for frame in scan.frames[1:]:
            try:
                entry = RecordEntry.decode(frame.body)
                plaintext = sealer.open(entry.sealed, record_aad(segment, entry.seq))
                record = AuditRecord.from_json(plaintext)
            except (FormatError, AeadError):
                self.problems.append(f"{stream / name} at byte {frame.offset}: cannot decrypt")
                continue
            except ValidationError:
                self.problems.append(f"{stream / name} record {entry.seq}: not a valid record")
                continue
            yield ReadRecord(stream, segment, entry.seq, record)

    def _data_key(self, stream: Path, segment: int, name: str) -> AeadSealer | None:
        path = keys_path(stream, segment)
        try:
            recipients = decode_keys_file(path.read_bytes(), segment)
        except FileNotFoundError:
            self.problems.append(f"{stream / name}: keys file missing (shredded?); skipped")
            return None
        except FormatError as exc:
            self.problems.append(f"{path}: {exc}; segment skipped")
            return None
        sealed = recipients.get(recipient_id(self.public_key))
        if sealed is None:
            self.wrong_key_segments += 1
            self.problems.append(f"{stream / name}: not sealed to this auditor key (wrong key)")
            return None
        try:
            data_key = open_with_private_key(sealed, self.private_key, data_key_info(segment))
        except CryptoError:
            self.problems.append(f"{path}: the data key does not open with this auditor key")
            return None
        return AeadSealer(data_key)
