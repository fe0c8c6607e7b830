"""Retention: old segments are crypto-shredded and removed; the signed heads still verify."""

from __future__ import annotations

import os
import shutil

from audit.reader import LogReader
from audit.segment import keys_path, segment_ids, segment_path
from audit.store import SegmentStore, StoreSettings
from audit.verify import verify_stream
from audit.writer import AuditWriter
from tests.audit.helpers import make_record

HOUR, DAY = 3600.0, 86400.0
T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def _three_closed_segments(directory, auditor, signing, clock) -> SegmentStore:
    """Segments 1..3 closed at T0 + 1 h, + 2 h, + 3 h; segment 4 open."""
    store = SegmentStore(
        directory,
        [auditor.public],
        signing.source(),
        StoreSettings(retention_seconds=DAY),
        clock=clock,
    )
    store.open()
    for index in range(3):
        store.append([make_record(2 * index).to_json(), make_record(2 * index + 1).to_json()])
        clock.now += HOUR
        store.rotate()
    return store


def test_when_segments_expire_then_keys_are_destroyed_files_removed_and_heads_verify(
    tmp_path, auditor, signing
):
    clock = Clock()
    store = _three_closed_segments(tmp_path, auditor, signing, clock)
    # A second name for segment 1's keys file shows what happens to its bytes.
    os.link(keys_path(tmp_path, 1), tmp_path / "keys-1-witness")
    size = keys_path(tmp_path, 1).stat().st_size

    clock.now = T0 + DAY + 1.5 * HOUR  # segment 1 closed 24.5 h ago, segment 2 23.5 h ago
    assert store.shred_expired() == [1]
    store.close()

    assert not segment_path(tmp_path, 1).exists()
    assert not keys_path(tmp_path, 1).exists()
    assert (tmp_path / "keys-1-witness").read_bytes() == bytes(size)  # overwritten, then removed
    assert segment_ids(tmp_path) == [2, 3, 4]

    report = verify_stream(tmp_path, {signing.key_id: signing.public})
    assert report.ok, [str(p) for p in report.problems]
    assert report.shredded == [1]
    reader = LogReader(auditor.private, auditor.public)
    ids = [item.record.request_id for item in reader.records(tmp_path)]
    assert ids == [f"req-{i:06d}" for i in range(2, 6)]
    assert not reader.problems


async def test_when_the_writer_starts_then_it_shreds_what_has_expired(tmp_path, auditor, signing):
    clock = Clock()
    _three_closed_segments(tmp_path, auditor, signing, clock).close()
    clock.now = T0 + 10 * DAY
    writer = AuditWriter(
        tmp_path,
        [auditor.public],
        signing.source(),
        settings=StoreSettings(retention_seconds=DAY),
        clock=clock,
    )
    await writer.start()
    await writer.append(make_record(7))
    await writer.close()
    report = verify_stream(tmp_path)
    assert report.ok, [str(p) for p in report.problems]
    assert report.shredded == [1, 2, 3, 4]
    assert segment_ids(tmp_path) == [5]


def test_when_removal_was_interrupted_then_the_next_start_finishes_it(tmp_path, auditor, signing):
    clock = Clock()
    store = _three_closed_segments(tmp_path, auditor, signing, clock)
    saved = tmp_path.parent / "saved"
    saved.mkdir()
    for path in (segment_path(tmp_path, 1), keys_path(tmp_path, 1)):
        shutil.copy(path, saved / path.name)
    clock.now = T0 + DAY + 1.5 * HOUR
    store.shred_expired()
    store.close()
    for path in saved.iterdir():  # as if the process died after the shred head, before removal
        shutil.copy(path, tmp_path / path.name)
    report = verify_stream(tmp_path)
    assert report.ok
    assert any("shredded by head" in note for note in report.notes)

    store = SegmentStore(tmp_path, [auditor.public], signing.source(), clock=clock)
    store.open()
    store.close()
    assert not keys_path(tmp_path, 1).exists()
    assert not segment_path(tmp_path, 1).exists()
    assert verify_stream(tmp_path).ok
