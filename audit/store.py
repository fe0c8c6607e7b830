"""The files of one audit stream, written from one thread: segments, keys files, heads.log.

`SegmentStore` is synchronous and not thread-safe; `audit.writer.AuditWriter` drives it from a
single worker thread. One process writes a stream directory at a time (an exclusive lock on
`DIR/.lock`). Layouts are in audit/segment.py, audit/heads.py and docs/audit.md.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from audit.framing import TailState, encode_frame, scan_frames
from audit.heads import Head, HeadKind, Signer, sign_head
from audit.segment import (
    HEADS_FILE,
    LOCK_FILE,
    ZERO_HASH,
    FormatError,
    RecordEntry,
    SegmentHeader,
    data_key_info,
    encode_keys_file,
    keys_path,
    next_chain,
    recipient_id,
    record_aad,
    segment_ids,
    segment_path,
)
from keys.algorithms import AeadSealer, random_key, seal_to_public_key, sha256

SignerSource = Callable[[], tuple[str, Signer]]
"""Returns the current signing key as (key id, signer); `Keyring.signer` fits. Called whenever a
segment is opened, so a rotated signing key is used from the next segment on."""

log = logging.getLogger("gerbang.audit")


class StoreError(Exception):
    """The stream directory cannot be written safely (locked, damaged, or unreadable)."""


@dataclass(frozen=True, slots=True)
class StoreSettings:
    """Limits of one stream; see gateway.audit_config.AuditConfig for their meaning and defaults."""

    segment_max_bytes: int = 64 * 1024 * 1024
    segment_max_age: float = 3600.0
    checkpoint_interval: float = 60.0
    retention_seconds: float | None = None
    retention_check_interval: float = 3600.0


class SegmentStore:
    """Appends encrypted, chained records to segments and signs heads over them."""

    def __init__(
        self,
        directory: Path,
        auditor_keys: Sequence[bytes],
        signer_source: SignerSource,
        settings: StoreSettings | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not auditor_keys:
            raise ValueError("at least one auditor public key is needed")
        self.directory = directory
        self._auditor_keys = tuple(auditor_keys)
        self._signer_source = signer_source
        self.settings = settings or StoreSettings()
        self._clock = clock
        self._lock_fd: int | None = None
        self._heads_fd: int | None = None
        self._fd: int | None = None
        # Heads state (committed).
        self._heads_size = 0
        self._next_index = 0
        self._last_digest = ZERO_HASH
        self._last_segment_head = ZERO_HASH
        self._close_heads: dict[int, Head] = {}
        self._last_heads: dict[int, Head] = {}
        self._shredded: set[int] = set()
        # Current segment state (committed).
        self.segment = 0
        self._size = 0
        self._seq = 0
        self._chain = ZERO_HASH
        self._created = 0.0
        self._sealer: AeadSealer | None = None
        self._key_id = ""
        self._signer: Signer | None = None
        self._signed_records = 0
        self._last_head_time = 0.0
        self._last_retention = 0.0

    # -- lifecycle ------------------------------------------------------------------------------

    def open(self) -> list[str]:
        """Lock the directory, recover from an unclean stop, start a new segment.

        Returns notes about what recovery did (never containing record contents).
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock()
        try:
            notes = self._recover_heads()
            notes += self._recover_last_segment()
            self._open_segment()
            self.shred_expired()
        except BaseException:
            self.release()
            raise
        return notes

    def close(self) -> None:
        """Close the current segment with a signed head and release the directory."""
        if self._fd is not None:
            self._write_head(HeadKind.CLOSE)
        self.release()

    def release(self) -> None:
        """Close every file descriptor without writing (after a failure, or at close)."""
        for name in ("_fd", "_heads_fd", "_lock_fd"):
            fd = getattr(self, name)
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
                setattr(self, name, None)

    # -- writing --------------------------------------------------------------------------------

    def append(self, payloads: Sequence[bytes]) -> None:
        """Encrypt, chain, write and fsync `payloads` (record JSON) as one batch.

        On an OSError nothing of the batch counts: the in-memory chain is unchanged and the file
        is cut back to its last committed size where possible; the error propagates.
        """
        if self._fd is None or self._sealer is None:
            raise StoreError("the audit store is not open")
        if self._rotation_due(self._clock()):
            self.rotate()
        seq, chain, frames = self._seq, self._chain, []
        for payload in payloads:
            sealed = self._sealer.seal(payload, record_aad(self.segment, seq))
            entry = RecordEntry(seq, sealed, b"")
            chain = next_chain(chain, entry.chained_bytes)
            frames.append(encode_frame(RecordEntry(seq, sealed, chain).encode()))
            seq += 1
        data = b"".join(frames)
        try:
            _write_all(self._fd, data)
            os.fdatasync(self._fd)
        except OSError:
            self._cut_back()
            raise
        self._size += len(data)
        self._seq, self._chain = seq, chain

    def housekeeping(self) -> None:
        """Checkpoint, rotate or shred when due (the writer calls this between batches)."""
        now = self._clock()
        if self._rotation_due(now):
            self.rotate()
        elif self._seq > self._signed_records and (
            now - self._last_head_time >= self.settings.checkpoint_interval
        ):
            self.checkpoint()
        if (
            self.settings.retention_seconds is not None
            and now - self._last_retention >= self.settings.retention_check_interval
        ):
            self.shred_expired()

    def seconds_until_housekeeping(self) -> float:
        """How long the writer may sleep before `housekeeping` has something to do."""
        now = self._clock()
        waits = [self.settings.checkpoint_interval]
        if self._seq > 0:  # an empty segment is never rotated for age
            waits.append(self._created + self.settings.segment_max_age - now)
        if self._seq > self._signed_records:
            waits.append(self._last_head_time + self.settings.checkpoint_interval - now)
        if self.settings.retention_seconds is not None:
            waits.append(self._last_retention + self.settings.retention_check_interval - now)
        return max(0.0, min(waits))

    def checkpoint(self) -> None:
        """Sign a checkpoint head over the current segment's records so far."""
        if self._fd is None:
            raise StoreError("no segment is open (a rotation failed; it is retried)")
        self._write_head(HeadKind.CHECKPOINT)

    def rotate(self) -> None:
        """Close the current segment with a signed head and open the next one."""
        if self._fd is not None:  # (None: the close was written, opening the next one failed)
            self._write_head(HeadKind.CLOSE)
            os.close(self._fd)
            self._fd = None
        self._open_segment()
        if self.settings.retention_seconds is not None:
            self.shred_expired()

    def repair(self) -> None:
        """After a failed write: cut both files back to their committed sizes and fsync them.

        If the failure came between closing a segment and opening the next, open it now.
        """
        if self._heads_fd is None:
            raise StoreError("the audit store is not open")
        if self._fd is None:
            self._open_segment()
            return
        os.ftruncate(self._fd, self._size)
        os.fsync(self._fd)
        os.ftruncate(self._heads_fd, self._heads_size)
        os.fsync(self._heads_fd)

    # -- retention ------------------------------------------------------------------------------

    def shred_expired(self, now: float | None = None) -> list[int]:
        """Crypto-shred closed segments closed more than the retention period ago.

        For each: a signed shred head first (so the segment is never "missing"), then the keys
        file is overwritten with zeros, fsynced and removed, then the segment file is removed.
        Returns the ids shredded now.
        """
        now = self._clock() if now is None else now
        self._last_retention = now
        retention = self.settings.retention_seconds
        shredded = []
        for segment, close in sorted(self._close_heads.items()):
            if retention is None or segment in self._shredded or segment == self.segment:
                continue
            if close.time_ms / 1000 > now - retention:
                continue
            self._append_head(
                HeadKind.SHRED, segment, close.records, close.chain, now, *self._shred_signer()
            )
            self._shredded.add(segment)
            shredded.append(segment)
            log.info("audit segment %d shredded (retention)", segment)
        for segment in sorted(self._shredded):  # also finishes a removal a crash interrupted
            if keys_path(self.directory, segment).exists() or (
                segment_path(self.directory, segment).exists()
            ):
                destroy_segment_files(self.directory, segment)
        return shredded

    # -- internals ------------------------------------------------------------------------------

    def _lock(self) -> None:
        path = self.directory / LOCK_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreError(
                f"{self.directory}: another process is writing this audit directory"
            ) from None
        self._lock_fd = fd

    def _recover_heads(self) -> list[str]:
        path = self.directory / HEADS_FILE
        notes: list[str] = []
        self._heads_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        data = _read_fd(self._heads_fd)
        scan = scan_frames(data)
        if scan.tail is not TailState.CLEAN:
            if scan.tail is TailState.CORRUPT and not scan.tail_is_last:
                raise StoreError(
                    f"{path}: damaged at byte {scan.tail_offset}; run `gerbang audit verify` "
                    "and move the directory aside"
                )
            os.ftruncate(self._heads_fd, scan.tail_offset)
            os.fsync(self._heads_fd)
            notes.append(
                f"{HEADS_FILE}: removed a partial last head "
                f"({len(data) - scan.tail_offset} bytes at byte {scan.tail_offset})"
            )
        for frame in scan.frames:
            try:
                head = Head.decode(frame.body)
            except FormatError as exc:
                raise StoreError(f"{path}: head at byte {frame.offset}: {exc}") from None
            self._remember_head(head, frame.body)
        self._heads_size = scan.tail_offset
        return notes

    def _remember_head(self, head: Head, body: bytes) -> None:
        self._next_index = head.index + 1
        self._last_digest = sha256(body)
        if head.kind is HeadKind.SHRED:
            self._shredded.add(head.segment)
        else:
            self._last_segment_head = self._last_digest
            self._last_heads[head.segment] = head
        if head.kind is HeadKind.CLOSE:
            self._close_heads[head.segment] = head

    def _recover_last_segment(self) -> list[str]:
        """Truncate a partial last record of the last segment and close it, if it was open."""
        present = segment_ids(self.directory)
        self._remove_orphan_keys(present)
        if not present:
            return []
        segment = present[-1]
        self.segment = segment
        if segment in self._close_heads or segment in self._shredded:
            return []
        path = segment_path(self.directory, segment)
        data = path.read_bytes()
        scan = scan_frames(data)
        if not scan.frames:  # a crash while the segment was being created: nothing was in it
            path.unlink()
            keys_path(self.directory, segment).unlink(missing_ok=True)
            _fsync_dir(self.directory)
            self.segment = segment - 1  # the id is reused: nothing was signed for it
            return [f"{path.name}: removed a segment left incomplete at creation"]
        try:
            header = SegmentHeader.decode(scan.frames[0].body)
            if header.segment != segment:
                raise FormatError(f"header names segment {header.segment}")
        except FormatError as exc:
            return [f"{path.name}: damaged header ({exc}); left as found, not closed"]
        notes, seq, chain = [], 0, header.chain_start()
        chains = [chain]
        for frame in scan.frames[1:]:
            try:
                entry = RecordEntry.decode(frame.body)
            except FormatError as exc:
                return [f"{path.name}: damaged record {seq} ({exc}); left as found, not closed"]
            if entry.seq != seq or entry.chain != next_chain(chain, entry.chained_bytes):
                return [f"{path.name}: record {seq} breaks the chain; left as found, not closed"]
            seq, chain = seq + 1, entry.chain
            chains.append(chain)
        signed = self._last_heads.get(segment)
        if signed is not None and (signed.records > seq or signed.chain != chains[signed.records]):
            return [f"{path.name}: records do not match its last signed head; left as found"]
        if scan.tail is not TailState.CLEAN:
            if scan.tail is TailState.CORRUPT and not scan.tail_is_last:
                return [
                    f"{path.name}: damaged at byte {scan.tail_offset} (record {seq}); "
                    "left as found, not closed"
                ]
            with open(path, "r+b") as handle:
                handle.truncate(scan.tail_offset)
                handle.flush()
                os.fsync(handle.fileno())
            notes.append(
                f"{path.name}: removed a partial last record "
                f"({len(data) - scan.tail_offset} bytes at byte {scan.tail_offset}, record {seq})"
            )
        # Close the segment as it stands: every complete record is now covered by a signed head.
        self._seq, self._chain = seq, chain
        self._key_id, self._signer = self._signer_source()
        self._write_head(HeadKind.CLOSE)
        notes.append(f"{path.name}: closed after an unclean stop ({seq} records)")
        return notes

    def _remove_orphan_keys(self, present: list[int]) -> None:
        newest = max([*present, *self._last_heads, *self._shredded, 0])
        for path in self.directory.glob("seg-*.keys"):
            segment = int(path.stem.removeprefix("seg-") or 0)
            if segment > newest:
                path.unlink()

    def _open_segment(self) -> None:
        now = self._clock()
        known = [*segment_ids(self.directory), *self._last_heads, *self._shredded, self.segment]
        segment = max(known, default=0) + 1
        data_key = random_key()
        info = data_key_info(segment)
        sealed = {
            recipient_id(public): seal_to_public_key(data_key, public, info)
            for public in self._auditor_keys
        }
        keys_bytes = encode_keys_file(segment, sealed)
        keys_path(self.directory, segment).unlink(missing_ok=True)  # left by a failed attempt
        _create_file(keys_path(self.directory, segment), keys_bytes)
        header = SegmentHeader(
            segment, int(now * 1000), self._last_segment_head, sha256(keys_bytes)
        )
        path = segment_path(self.directory, segment)
        frame = encode_frame(header.encode())
        _create_file(path, frame)
        _fsync_dir(self.directory)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
        self.segment, self._size, self._seq = segment, len(frame), 0
        self._chain = header.chain_start()
        self._created = now
        self._sealer = AeadSealer(data_key)
        self._key_id, self._signer = self._signer_source()
        self._signed_records = 0
        self._last_head_time = now

    def _rotation_due(self, now: float) -> bool:
        return self._size >= self.settings.segment_max_bytes or (
            self._seq > 0 and now - self._created >= self.settings.segment_max_age
        )

    def _write_head(self, kind: HeadKind) -> None:
        if self._signer is None:
            self._key_id, self._signer = self._signer_source()
        now = self._clock()
        self._append_head(
            kind, self.segment, self._seq, self._chain, now, self._key_id, self._signer
        )
        self._signed_records = self._seq
        self._last_head_time = now

    def _shred_signer(self) -> tuple[str, Signer]:
        if self._signer is None:
            self._key_id, self._signer = self._signer_source()
        return self._key_id, self._signer

    def _append_head(
        self,
        kind: HeadKind,
        segment: int,
        records: int,
        chain: bytes,
        now: float,
        key_id: str,
        signer: Signer,
    ) -> None:
        if self._heads_fd is None:
            raise StoreError("the audit store is not open")
        unsigned = Head(
            kind, self._next_index, segment, records, chain, int(now * 1000),
            self._last_digest, signer.public_key, key_id,
        )  # fmt: skip
        head = sign_head(unsigned, signer)
        body = head.encode()
        frame = encode_frame(body)
        try:
            _write_all(self._heads_fd, frame)
            os.fsync(self._heads_fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(self._heads_fd, self._heads_size)
            raise
        self._heads_size += len(frame)
        self._remember_head(head, body)

    def _cut_back(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._size)


def destroy_segment_files(directory: Path, segment: int) -> None:
    """Overwrite the keys file with zeros (fsynced) and remove it, then remove the segment."""
    keys = keys_path(directory, segment)
    try:
        fd = os.open(keys, os.O_WRONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        pass
    else:
        try:
            size = os.fstat(fd).st_size
            _write_all(fd, bytes(size), offset=0)
            os.fsync(fd)
        finally:
            os.close(fd)
        keys.unlink()
    segment_path(directory, segment).unlink(missing_ok=True)
    _fsync_dir(directory)


def _write_all(fd: int, data: bytes, *, offset: int | None = None) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view) if offset is None else os.pwrite(fd, view, offset)
        if offset is not None:
            offset += written
        view = view[written:]


def _read_fd(fd: int) -> bytes:
    size = os.fstat(fd).st_size
    return os.pread(fd, size, 0) if size else b""


def _create_file(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    except OSError:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
