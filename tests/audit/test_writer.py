"""AuditWriter: group commit, rotation, checkpoints, recovery after an unclean stop, locking."""

from __future__ import annotations

import asyncio
import logging
import os
import time

import pytest

from audit import writer as writer_module
from audit.errors import AuditUnavailable
from audit.framing import encode_frame
from audit.reader import LogReader
from audit.segment import HEADS_FILE, segment_ids, segment_path
from audit.store import SegmentStore, StoreSettings
from audit.verify import verify_stream
from audit.writer import AuditWriter
from tests.audit.helpers import make_record, record_frames


def _writer(directory, auditor, signing, **kwargs) -> AuditWriter:
    return AuditWriter(directory, [auditor.public], signing.source(), **kwargs)


def _append_bytes(path, data: bytes) -> None:
    with open(path, "ab") as handle:
        handle.write(data)


def _read(directory, auditor) -> list[str]:
    reader = LogReader(auditor.private, auditor.public)
    ids = [item.record.request_id for item in reader.records(directory)]
    assert not reader.problems
    return ids


def test_audit_unavailable_has_the_gateways_stable_code():
    from gateway.errors import ALL_ERRORS
    from gateway.errors import AuditUnavailable as Problem

    assert Problem in ALL_ERRORS
    assert (Problem.status, Problem.code) == (503, AuditUnavailable.code)


async def test_when_append_returns_then_the_record_is_in_the_file(tmp_path, auditor, signing):
    async with _writer(tmp_path, auditor, signing) as writer:
        assert writer.healthy
        for index in range(3):
            await writer.append(make_record(index))
            # Read through a separate file handle: the bytes are in the file, not in a buffer.
            assert _read(tmp_path, auditor) == [f"req-{i:06d}" for i in range(index + 1)]
        assert writer.batches == 3
    assert verify_stream(tmp_path).ok


@pytest.mark.parametrize("interval", [0.0, 0.02])
async def test_when_many_appends_arrive_together_then_they_share_few_fsyncs(
    tmp_path, auditor, signing, interval
):
    async with _writer(tmp_path, auditor, signing, commit_interval=interval) as writer:
        started = time.monotonic()
        await asyncio.gather(*(writer.append(make_record(i)) for i in range(500)))
        elapsed = time.monotonic() - started
        assert writer.records_written == 500
        # Group commit, not one fsync per record: what arrives during a batch joins the next,
        # and with an interval batches start at least that far apart.
        if interval:
            assert writer.batches <= elapsed / interval + 2
        assert writer.batches < 50
    assert sorted(_read(tmp_path, auditor)) == [f"req-{i:06d}" for i in range(500)]
    report = verify_stream(tmp_path)
    assert report.ok
    assert report.records == 500


async def test_when_a_record_arrives_at_an_idle_writer_then_it_is_committed_without_a_wait(
    tmp_path, auditor, signing, monkeypatch
):
    """By default no spacing delays a record: an exchange soon after the last one waits for its
    own fsync only (a 10 ms spacing once added up to 10 ms to every lone exchange)."""
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(delay: float, *args: object) -> object:
        slept.append(delay)
        return await real_sleep(delay, *args)

    monkeypatch.setattr(writer_module.asyncio, "sleep", recording_sleep)
    async with _writer(tmp_path, auditor, signing) as writer:
        for index in range(5):
            await writer.append(make_record(index))
        assert writer.batches == 5
    assert slept == []
    assert _read(tmp_path, auditor) == [f"req-{i:06d}" for i in range(5)]


async def test_when_an_exchange_is_cancelled_then_its_record_is_still_written(
    tmp_path, auditor, signing
):
    async with _writer(tmp_path, auditor, signing, commit_interval=0.05) as writer:
        await writer.append(make_record(0))  # starts the 50 ms spacing
        task = asyncio.create_task(writer.append(make_record(1)))
        await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert _read(tmp_path, auditor) == ["req-000000", "req-000001"]


async def test_when_a_segment_is_full_then_the_writer_rotates_and_the_chain_continues(
    tmp_path, auditor, signing
):
    settings = StoreSettings(segment_max_bytes=4096)
    async with _writer(tmp_path, auditor, signing, settings=settings, commit_interval=0) as writer:
        for index in range(40):
            await writer.append(make_record(index))
    assert len(segment_ids(tmp_path)) >= 3
    assert _read(tmp_path, auditor) == [f"req-{i:06d}" for i in range(40)]
    report = verify_stream(tmp_path)
    assert report.ok, [str(p) for p in report.problems]
    assert report.records == 40


async def test_when_checkpoint_interval_passes_then_a_head_signs_the_open_segment(
    tmp_path, auditor, signing
):
    settings = StoreSettings(checkpoint_interval=0.05)
    async with _writer(tmp_path, auditor, signing, settings=settings) as writer:
        await writer.append(make_record(0))
        assert verify_stream(tmp_path).unsigned_records == 1
        for _ in range(250):  # the flusher wakes up for the checkpoint by itself
            if not verify_stream(tmp_path).unsigned_records:
                break
            await asyncio.sleep(0.02)
        report = verify_stream(tmp_path)
        assert report.ok
        assert (report.heads, report.unsigned_records) == (1, 0)


async def test_when_a_second_writer_opens_the_same_directory_then_it_is_refused(
    tmp_path, auditor, signing
):
    async with _writer(tmp_path, auditor, signing):
        second = _writer(tmp_path, auditor, signing)
        with pytest.raises(AuditUnavailable, match="another process"):
            await second.start()


async def test_when_restarted_after_a_clean_close_then_a_new_segment_follows(
    tmp_path, auditor, signing
):
    for round_ in range(2):
        async with _writer(tmp_path, auditor, signing) as writer:
            await writer.append(make_record(round_))
    assert segment_ids(tmp_path) == [1, 2]
    assert verify_stream(tmp_path).ok
    assert _read(tmp_path, auditor) == ["req-000000", "req-000001"]


async def test_when_the_last_record_is_partial_then_start_truncates_it_and_notes_it(
    tmp_path, auditor, signing, caplog
):
    store = SegmentStore(tmp_path, [auditor.public], signing.source())
    store.open()
    store.append([make_record(0).to_json(), make_record(1).to_json()])
    store.release()  # the process dies: no close head
    torn = encode_frame(b"\x01" + bytes(100))[:-30]
    _append_bytes(segment_path(tmp_path, 1), torn)

    caplog.set_level(logging.WARNING, logger="gerbang.audit")
    async with _writer(tmp_path, auditor, signing) as writer:
        assert writer.healthy
        await writer.append(make_record(2))
    messages = [r.getMessage() for r in caplog.records if r.name == "gerbang.audit"]
    assert any("removed a partial last record" in m and "record 2" in m for m in messages)
    assert any("closed after an unclean stop (2 records)" in m for m in messages)

    reader = LogReader(auditor.private, auditor.public)
    records = [item.record for item in reader.records(tmp_path)]
    assert [r.request_id for r in records if r.event == "exchange"] == [
        "req-000000",
        "req-000001",
        "req-000002",
    ]
    notes = [r.note or "" for r in records if r.event == "audit_recovery"]
    assert any("removed a partial last record" in note for note in notes)
    report = verify_stream(tmp_path)
    assert report.ok, [str(p) for p in report.problems]


async def test_when_a_segment_is_damaged_mid_file_then_start_leaves_it_as_found(
    tmp_path, auditor, signing
):
    store = SegmentStore(tmp_path, [auditor.public], signing.source())
    store.open()
    for index in range(3):
        store.append([make_record(index).to_json()])
    store.release()
    path = segment_path(tmp_path, 1)
    data = bytearray(path.read_bytes())
    data[record_frames(tmp_path, 1)[0][0] + 30] ^= 0x01  # inside record 0 of 3
    path.write_bytes(bytes(data))
    before = path.read_bytes()
    async with _writer(tmp_path, auditor, signing) as writer:
        await writer.append(make_record(9))
    assert path.read_bytes() == before  # evidence is never rewritten
    report = verify_stream(tmp_path)
    assert not report.ok
    assert report.problems[0].segment == 1


async def test_when_a_head_write_was_torn_then_start_removes_the_partial_head(
    tmp_path, auditor, signing
):
    async with _writer(tmp_path, auditor, signing) as writer:
        await writer.append(make_record(0))
    _append_bytes(tmp_path / HEADS_FILE, os.urandom(40))
    async with _writer(tmp_path, auditor, signing) as writer:
        await writer.append(make_record(1))
    assert verify_stream(tmp_path).ok


async def test_when_the_writer_is_not_started_then_append_refuses(tmp_path, auditor, signing):
    writer = _writer(tmp_path, auditor, signing)
    assert not writer.healthy
    with pytest.raises(AuditUnavailable):
        await writer.append(make_record(0))


async def test_when_a_record_is_oversized_then_that_append_is_refused_and_the_writer_stays_up(
    tmp_path, auditor, signing
):
    from audit.record import PiiCount

    many = tuple(
        PiiCount(side="request", type=f"T{i}", count=1, category="umum") for i in range(5000)
    )
    async with _writer(tmp_path, auditor, signing) as writer:
        with pytest.raises(AuditUnavailable, match="too large"):
            await writer.append(make_record(0, pii=many))
        assert writer.healthy
        await writer.append(make_record(1))
    assert _read(tmp_path, auditor) == ["req-000001"]


async def test_when_a_segment_was_left_incomplete_at_creation_then_start_replaces_it(
    tmp_path, auditor, signing
):
    from audit.segment import keys_path

    async with _writer(tmp_path, auditor, signing) as writer:
        await writer.append(make_record(0))
    keys_path(tmp_path, 2).write_bytes(b'{"format":')  # the process died while creating seg 2
    segment_path(tmp_path, 2).write_bytes(b"\x00\x00\x00\x59GBAUD")
    assert verify_stream(tmp_path).ok  # a segment being created is not damage
    async with _writer(tmp_path, auditor, signing) as writer:
        await writer.append(make_record(1))
        assert writer.segment == 2
    report = verify_stream(tmp_path)
    assert report.ok, [str(p) for p in report.problems]
    records = [r for r in _read(tmp_path, auditor) if r.startswith("req-")]
    assert records == ["req-000000", "req-000001"]
