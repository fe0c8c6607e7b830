"""verify finds every kind of damage, names the first bad place and its kind, needs no secret."""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import pytest

from audit.cli import main as audit_main
from audit.framing import encode_frame, scan_frames
from audit.heads import Head, sign_head
from audit.segment import (
    HEADS_FILE,
    RecordEntry,
    SegmentHeader,
    keys_path,
    next_chain,
    segment_path,
)
from audit.verify import Anchor, Damage, verify_stream
from keys.algorithms import public_key_pem, sha256
from tests.audit.helpers import SigningKey, head_frames, record_frames

SEGMENT = 2  # the middle segment of the pristine log (3 segments x 6 records)
RECORD = 3  # a record in its middle
HEAD = 4  # a head in the middle of heads.log (heads: 3 checkpoints + 1 close per segment)


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _fix_crc(path: Path, start: int, end: int) -> None:
    """Recompute one frame's checksum, as an attacker who knows the format would."""
    data = bytearray(path.read_bytes())
    data[end - 4 : end] = struct.pack(">I", zlib.crc32(bytes(data[start : end - 4])))
    path.write_bytes(bytes(data))


def _first(directory: Path, trusted: dict[str, bytes] | None = None):
    report = verify_stream(directory, trusted)
    assert not report.ok, "damage went unnoticed"
    return report.problems[0]


def test_when_log_is_intact_then_verify_passes_with_and_without_public_keys(pristine, signing):
    for trusted in (None, {signing.key_id: signing.public}):
        report = verify_stream(pristine, trusted)
        assert report.ok, [str(p) for p in report.problems]
        assert (report.segments, report.records, report.heads) == (3, 18, 12)
        assert report.key_ids == {"signing-1"}
        assert report.unsigned_records == 0


# Offsets of each field inside a record frame (from the frame's start; e = frame end).
RECORD_FIELDS = {
    "length": lambda s, e: s + 3,
    "type": lambda s, e: s + 4,
    "seq": lambda s, e: s + 12,
    "nonce": lambda s, e: s + 13 + 5,
    "ciphertext": lambda s, e: s + 25 + 10,
    "tag": lambda s, e: e - 4 - 32 - 8,
    "chain": lambda s, e: e - 4 - 16,
    "crc": lambda s, e: e - 2,
}


@pytest.mark.parametrize("field", list(RECORD_FIELDS))
def test_when_a_byte_of_a_record_field_flips_then_verify_reports_it_modified(log_copy, field):
    start, end = record_frames(log_copy, SEGMENT)[RECORD]
    _flip(segment_path(log_copy, SEGMENT), RECORD_FIELDS[field](start, end))
    problem = _first(log_copy)
    assert (problem.kind, problem.segment, problem.record) == (Damage.MODIFIED, SEGMENT, RECORD)
    assert problem.file == "seg-00000002.log"


@pytest.mark.parametrize("field", [f for f in RECORD_FIELDS if f not in ("length", "crc")])
def test_when_a_record_field_changes_and_the_checksum_is_fixed_then_still_modified(log_copy, field):
    start, end = record_frames(log_copy, SEGMENT)[RECORD]
    path = segment_path(log_copy, SEGMENT)
    _flip(path, RECORD_FIELDS[field](start, end))
    _fix_crc(path, start, end)
    problem = _first(log_copy)
    assert (problem.kind, problem.segment, problem.record) == (Damage.MODIFIED, SEGMENT, RECORD)


def test_when_records_are_changed_and_rechained_then_the_signed_head_catches_it(log_copy):
    """An attacker rewrites a record and every chain value after it: only the head disagrees."""
    path = segment_path(log_copy, SEGMENT)
    scan = scan_frames(path.read_bytes())
    header = SegmentHeader.decode(scan.frames[0].body)
    chain, out = header.chain_start(), [encode_frame(scan.frames[0].body)]
    for seq, frame in enumerate(scan.frames[1:]):
        entry = RecordEntry.decode(frame.body)
        sealed = bytearray(entry.sealed)
        if seq == RECORD:
            sealed[20] ^= 0x01
        chain = next_chain(chain, RecordEntry(seq, bytes(sealed), b"").chained_bytes)
        out.append(encode_frame(RecordEntry(seq, bytes(sealed), chain).encode()))
    path.write_bytes(b"".join(out))
    problem = _first(log_copy)
    assert (problem.kind, problem.segment) == (Damage.MODIFIED, SEGMENT)
    assert problem.record == 2  # records 2..3 are signed by one checkpoint
    assert "head" in problem.detail


# Offsets of each field inside a head frame (from the frame's start; e = frame end).
HEAD_FIELDS = {
    "length": lambda s, e: s + 3,
    "magic": lambda s, e: s + 5,
    "version": lambda s, e: s + 12,
    "kind": lambda s, e: s + 13,
    "index": lambda s, e: s + 21,
    "segment": lambda s, e: s + 29,
    "records": lambda s, e: s + 37,
    "chain": lambda s, e: s + 50,
    "time": lambda s, e: s + 77,
    "prev": lambda s, e: s + 90,
    "public_key": lambda s, e: s + 120,
    "key_id_length": lambda s, e: s + 142,
    "key_id": lambda s, e: s + 145,
    "signature": lambda s, e: e - 30,
    "crc": lambda s, e: e - 1,
}


HEAD_CASES = [(field, False) for field in HEAD_FIELDS] + [
    (field, True) for field in HEAD_FIELDS if field not in ("length", "crc")
]


@pytest.mark.parametrize(("field", "fix_crc"), HEAD_CASES)
def test_when_a_byte_of_a_head_field_flips_then_verify_reports_it_modified(
    log_copy, field, fix_crc
):
    start, end = head_frames(log_copy)[HEAD]
    path = log_copy / HEADS_FILE
    _flip(path, HEAD_FIELDS[field](start, end))
    if fix_crc:
        _fix_crc(path, start, end)
    problem = _first(log_copy)
    assert (problem.kind, problem.file, problem.head) == (Damage.MODIFIED, HEADS_FILE, HEAD)


def _cut(path: Path, spans: list[tuple[int, int]], order: list[int]) -> None:
    """Rewrite `path` with its frames in `order` (indexes into `spans`), the rest kept as is."""
    data = path.read_bytes()
    prefix, suffix = data[: spans[0][0]], data[spans[-1][1] :]
    path.write_bytes(prefix + b"".join(data[spans[i][0] : spans[i][1]] for i in order) + suffix)


@pytest.mark.parametrize(
    ("order", "kind", "at"),
    [
        ([0, 1, 2, 4, 5], Damage.DELETED, 3),
        ([0, 1, 2, 4, 3, 5], Damage.REORDERED, 3),
        ([0, 1, 2, 3, 3, 4, 5], Damage.DUPLICATED, 4),
        ([0, 1, 2, 3], Damage.TRUNCATED, 4),
    ],
    ids=["delete", "reorder", "duplicate", "truncate-at-frame"],
)
def test_when_records_are_deleted_reordered_duplicated_or_cut_then_verify_names_it(
    log_copy, order, kind, at
):
    _cut(segment_path(log_copy, SEGMENT), record_frames(log_copy, SEGMENT), order)
    problem = _first(log_copy)
    assert (problem.kind, problem.segment, problem.record) == (kind, SEGMENT, at)


def test_when_a_segment_is_cut_inside_a_record_then_verify_reports_truncated(log_copy):
    path = segment_path(log_copy, SEGMENT)
    start, _ = record_frames(log_copy, SEGMENT)[RECORD]
    path.write_bytes(path.read_bytes()[: start + 20])
    problem = _first(log_copy)
    assert (problem.kind, problem.segment, problem.record) == (Damage.TRUNCATED, SEGMENT, RECORD)


@pytest.mark.parametrize(
    ("change", "kind", "at"),
    [
        ("delete", Damage.DELETED, HEAD),
        ("reorder", Damage.REORDERED, HEAD),
        ("duplicate", Damage.DUPLICATED, HEAD + 1),
        ("truncate", Damage.TRUNCATED, HEAD),
    ],
)
def test_when_heads_are_deleted_reordered_duplicated_or_cut_then_verify_names_it(
    log_copy, change, kind, at
):
    path = log_copy / HEADS_FILE
    spans = head_frames(log_copy)
    everything = list(range(len(spans)))
    if change == "delete":
        _cut(path, spans, [i for i in everything if i != HEAD])
    elif change == "reorder":
        _cut(path, spans, [*everything[:HEAD], HEAD + 1, HEAD, *everything[HEAD + 2 :]])
    elif change == "duplicate":
        _cut(path, spans, [*everything[: HEAD + 1], HEAD, *everything[HEAD + 1 :]])
    else:
        path.write_bytes(path.read_bytes()[: spans[HEAD][0] + 30])
    problem = _first(log_copy)
    assert (problem.kind, problem.file, problem.head) == (kind, HEADS_FILE, at)


def test_when_a_segment_is_dropped_then_verify_reports_segment_missing(log_copy):
    segment_path(log_copy, SEGMENT).unlink()
    keys_path(log_copy, SEGMENT).unlink()
    problem = _first(log_copy)
    assert (problem.kind, problem.segment) == (Damage.SEGMENT_MISSING, SEGMENT)


def test_when_a_segment_and_its_heads_are_dropped_then_both_gaps_are_reported(log_copy):
    segment_path(log_copy, SEGMENT).unlink()
    keys_path(log_copy, SEGMENT).unlink()
    spans = head_frames(log_copy)
    kept = [i for i in range(len(spans)) if not 4 <= i < 8]  # segment 2's four heads
    _cut(log_copy / HEADS_FILE, spans, kept)
    report = verify_stream(log_copy)
    kinds = {(p.kind, p.segment) for p in report.problems}
    assert (Damage.DELETED, 3) in kinds  # heads.log: heads 4..7 missing (the next is segment 3's)
    assert (Damage.SEGMENT_MISSING, SEGMENT) in kinds


def test_when_the_newest_segment_and_heads_are_cut_then_only_an_anchor_reveals_it(log_copy):
    """Cutting the end of the log is invisible without an earlier head (like CT needs gossip)."""
    latest = verify_stream(log_copy).latest_head
    assert latest is not None
    segment_path(log_copy, 3).unlink()
    keys_path(log_copy, 3).unlink()
    spans = head_frames(log_copy)
    (log_copy / HEADS_FILE).write_bytes((log_copy / HEADS_FILE).read_bytes()[: spans[8][0]])
    assert verify_stream(log_copy).ok
    report = verify_stream(log_copy, anchor=Anchor(*latest))
    assert report.problems[0].kind is Damage.TRUNCATED


def test_when_segment_files_are_swapped_or_copied_then_verify_reports_reordered_or_duplicated(
    log_copy, pristine
):
    one, two = segment_path(log_copy, 1), segment_path(log_copy, 2)
    one.rename(log_copy / "tmp")
    two.rename(one)
    (log_copy / "tmp").rename(two)
    problem = _first(log_copy)
    assert (problem.kind, problem.segment) == (Damage.REORDERED, 1)

    shutil.copyfile(segment_path(pristine, 1), segment_path(log_copy, 1))
    shutil.copyfile(segment_path(pristine, 1), segment_path(log_copy, 2))
    problem = _first(log_copy)
    assert (problem.kind, problem.segment) == (Damage.DUPLICATED, 2)


def test_when_a_keys_file_is_removed_or_changed_then_verify_reports_it(log_copy):
    keys = keys_path(log_copy, SEGMENT)
    original = keys.read_bytes()
    keys.write_bytes(original.replace(b'"sealed":"', b'"sealed":"A'))
    problem = _first(log_copy)
    assert (problem.kind, problem.segment) == (Damage.MODIFIED, SEGMENT)
    keys.unlink()
    problem = _first(log_copy)
    assert (problem.kind, problem.segment) == (Damage.DELETED, SEGMENT)


def test_when_a_head_is_forged_with_another_key_then_verify_reports_wrong_key(log_copy, signing):
    """A forger re-signs the last head with their own key, keeping the key id."""
    path = log_copy / HEADS_FILE
    start, end = head_frames(log_copy)[-1]
    data = path.read_bytes()
    original = Head.decode(data[start + 4 : end - 4])
    forger = SigningKey.generate(signing.key_id)
    forged = sign_head(original, forger.signer).encode()
    path.write_bytes(data[:start] + encode_frame(forged))
    problem = _first(log_copy, {signing.key_id: signing.public})
    assert (problem.kind, problem.head) == (Damage.WRONG_KEY, len(head_frames(log_copy)) - 1)
    # Without the gateway's public keys, the forged head is only self-consistent: not caught.
    assert verify_stream(log_copy).ok


def test_when_verified_with_another_gateways_public_key_then_wrong_key(pristine):
    other = SigningKey.generate()
    problem = _first(pristine, {other.key_id: other.public})
    assert (problem.kind, problem.head) == (Damage.WRONG_KEY, 0)


def test_cli_verify_exit_status_and_first_problem(log_copy, capsys, signing, tmp_path):
    public = tmp_path / "signing.pub.pem"
    public.write_text(public_key_pem(signing.public, "ed25519"))
    assert audit_main(["verify", str(log_copy), "--public-key", str(public)]) == 0
    out = capsys.readouterr().out
    assert "intact: 3 segments, 18 records, 12 signed heads" in out
    anchor = out.split("latest head: ")[1].split()[0]
    assert audit_main(["verify", str(log_copy), "--anchor", anchor]) == 0
    capsys.readouterr()

    start, _ = record_frames(log_copy, SEGMENT)[RECORD]
    _flip(segment_path(log_copy, SEGMENT), start + 40)
    assert audit_main(["verify", str(log_copy)]) == 1
    out = capsys.readouterr().out
    assert "DAMAGED" in out
    assert "seg-00000002.log record 3: modified:" in out.splitlines()[1]


def test_cli_verify_usage_errors(tmp_path, capsys):
    assert audit_main(["verify", str(tmp_path / "missing")]) == 2
    assert audit_main(["verify", str(tmp_path)]) == 2
    assert "no audit log here" in capsys.readouterr().err


def test_latest_head_digest_is_sha256_of_the_last_head_body(pristine):
    start, end = head_frames(pristine)[-1]
    body = (pristine / HEADS_FILE).read_bytes()[start + 4 : end - 4]
    report = verify_stream(pristine)
    assert report.latest_head == (11, sha256(body))
