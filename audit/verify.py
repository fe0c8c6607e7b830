"""Verify an audit directory without any secret: signatures, hash chains and sequence.

Checks, per stream directory (one `heads.log` and its segments):
- heads.log: every frame intact, every head well formed and validly signed by the public key it
  names, that key trusted (when public keys are given), indexes 0, 1, 2, ... and each head's
  `prev` equal to the digest of the head before it;
- every segment 1..N present (or shredded by a signed shred head), its header naming it and linking
  to the previous segment's last head, its keys file matching the header's digest, its records
  numbered 0, 1, 2, ... and each record's chain value recomputed from the one before;
- every signed head of a segment matching the recomputed chain at its record count, every segment
  but the one being written closed, and nothing written after a close.

The result names the first bad place per check and the kind of damage (`Damage`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from audit.framing import Scan, TailState, scan_frames
from audit.heads import Head, HeadKind
from audit.segment import (
    HEADS_FILE,
    ZERO_HASH,
    FormatError,
    RecordEntry,
    SegmentHeader,
    keys_path,
    next_chain,
    segment_ids,
    segment_path,
)
from keys.algorithms import sha256

_Reporter = Callable[..., None]


class Damage(StrEnum):
    """The kinds of damage verify reports."""

    MODIFIED = "modified"
    DELETED = "deleted"
    REORDERED = "reordered"
    DUPLICATED = "duplicated"
    TRUNCATED = "truncated"
    SEGMENT_MISSING = "segment missing"
    WRONG_KEY = "wrong key"


@dataclass(frozen=True, slots=True)
class Problem:
    """One place where the log is not as it was written."""

    kind: Damage
    file: str
    detail: str
    segment: int | None = None
    record: int | None = None
    head: int | None = None

    @property
    def where(self) -> str:
        """`seg-00000002.log record 17`, `heads.log head 4`, or the file name."""
        if self.record is not None:
            return f"{self.file} record {self.record}"
        if self.head is not None:
            return f"{self.file} head {self.head}"
        return self.file

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.detail}"


@dataclass(frozen=True, slots=True)
class Anchor:
    """A head an auditor saw earlier (index and digest): it must still be there, unchanged."""

    index: int
    digest: bytes

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """`INDEX:HEX` as printed by verify ("latest head 12:ab34...")."""
        index, sep, digest = text.partition(":")
        try:
            value = bytes.fromhex(digest)
            if not sep or len(value) != 32:
                raise ValueError
            return cls(int(index), value)
        except ValueError:
            raise ValueError("an anchor is INDEX:SHA256HEX as printed by verify") from None


@dataclass
class StreamReport:
    """What verify found in one stream directory."""

    directory: Path
    heads: int = 0
    segments: int = 0
    records: int = 0
    unsigned_records: int = 0
    shredded: list[int] = field(default_factory=list)
    key_ids: set[str] = field(default_factory=set)
    latest_head: tuple[int, bytes] | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no damage was found."""
        return not self.problems


def stream_directories(directory: Path) -> list[Path]:
    """The stream directories in `directory`: itself, or streams at any depth below it.

    Gateways write `<dir>/<host>-worker-N/`; auditors often collect several gateways' logs as
    `<parent>/<gateway>/<host>-worker-N/`, so streams are looked for all the way down.
    """
    if _is_stream(directory):
        return [directory]
    found: list[Path] = []
    for path in sorted(p for p in directory.iterdir() if p.is_dir()):
        found.extend(stream_directories(path))
    return found


def _is_stream(directory: Path) -> bool:
    return (directory / HEADS_FILE).exists() or bool(segment_ids(directory))


def verify_stream(
    directory: Path,
    trusted: Mapping[str, bytes] | None = None,
    anchor: Anchor | None = None,
) -> StreamReport:
    """Verify one stream; `trusted` maps key ids to Ed25519 public keys (None: not checked)."""
    report = StreamReport(directory)
    heads, complete = _check_heads(directory, trusted, report)
    _check_segments(directory, heads, complete, report)
    if anchor is not None:
        _check_anchor(directory, anchor, report)
    return report


# -- heads ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _HeadAt:
    head: Head
    digest: bytes


def _check_heads(
    directory: Path, trusted: Mapping[str, bytes] | None, report: StreamReport
) -> tuple[list[_HeadAt], bool]:
    """The good heads in order, and whether heads.log was good to its end."""
    path = directory / HEADS_FILE
    if not path.exists():
        if segment_ids(directory):
            report.problems.append(Problem(Damage.DELETED, HEADS_FILE, "heads.log is missing"))
        return [], False
    scan = scan_frames(path.read_bytes())
    bodies = [frame.body for frame in scan.frames]
    indexes = [_index_of(body) for body in bodies]
    good: list[_HeadAt] = []
    previous = ZERO_HASH
    problem: Problem | None = None
    for position, body in enumerate(bodies):
        problem = _head_problem(position, body, indexes, bodies, previous, trusted)
        if problem is not None:
            break
        head = Head.decode(body)
        previous = sha256(body)
        good.append(_HeadAt(head, previous))
        report.key_ids.add(head.key_id)
    else:
        if scan.tail is not TailState.CLEAN:
            problem = _tail_problem(scan, HEADS_FILE, None, len(bodies), "head")
    report.heads = len(good)
    if good:
        report.latest_head = (good[-1].head.index, good[-1].digest)
    if problem is not None:
        report.problems.append(problem)
    return good, problem is None


def _index_of(body: bytes) -> int | None:
    try:
        return Head.decode(body).index
    except FormatError:
        return None


def _head_problem(
    position: int,
    body: bytes,
    indexes: list[int | None],
    bodies: list[bytes],
    previous: bytes,
    trusted: Mapping[str, bytes] | None,
) -> Problem | None:
    def problem(kind: Damage, detail: str) -> Problem:
        return Problem(kind, HEADS_FILE, detail, segment=segment, head=position)

    segment = None
    try:
        head = Head.decode(body)
    except FormatError as exc:
        return problem(Damage.MODIFIED, f"not a well-formed head ({exc})")
    segment = head.segment
    if not head.signature_valid():
        return problem(Damage.MODIFIED, "the signature does not verify: changed after signing")
    if trusted is not None and head.public_key not in trusted.values():
        return problem(
            Damage.WRONG_KEY,
            f"signed by a key that is not among the trusted public keys (key id "
            f"{head.key_id!r}, public key sha256:{sha256(head.public_key).hex()[:16]})",
        )
    if head.index != position:
        if head.index < position:
            duplicate = bodies[head.index] == body if head.index < len(bodies) else False
            kind = Damage.DUPLICATED if duplicate else Damage.REORDERED
            return problem(kind, f"head {head.index} again at position {position}")
        if position in indexes[position + 1 :]:
            return problem(Damage.REORDERED, f"head {head.index} comes before head {position}")
        return problem(Damage.DELETED, f"heads {position}..{head.index - 1} are missing")
    if head.prev != previous:
        return problem(Damage.MODIFIED, "does not chain to the head before it (prev differs)")
    return None


def _tail_problem(scan: Scan, name: str, segment: int | None, count: int, what: str) -> Problem:
    if scan.tail is TailState.PARTIAL:
        kind, detail = Damage.TRUNCATED, f"the file ends inside {what} {count}"
    elif scan.length_damaged:
        kind, detail = Damage.MODIFIED, f"the length field of {what} {count} was changed"
    else:
        kind, detail = Damage.MODIFIED, f"{what} {count} fails its checksum (bytes changed)"
    if what == "head":
        return Problem(kind, name, detail, segment=segment, head=count)
    return Problem(kind, name, detail, segment=segment, record=count)


def _check_anchor(directory: Path, anchor: Anchor, report: StreamReport) -> None:
    scan = scan_frames((directory / HEADS_FILE).read_bytes()) if report.heads else None
    frames = scan.frames if scan else ()
    if anchor.index >= len(frames):
        report.problems.append(
            Problem(
                Damage.TRUNCATED,
                HEADS_FILE,
                f"the anchored head {anchor.index} is gone: heads.log has {len(frames)} heads",
                head=anchor.index,
            )
        )
    elif sha256(frames[anchor.index].body) != anchor.digest:
        report.problems.append(
            Problem(
                Damage.MODIFIED,
                HEADS_FILE,
                "differs from the anchored digest",
                head=anchor.index,
            )
        )


# -- segments -------------------------------------------------------------------------------------


@dataclass
class _SegmentHeads:
    signed: list[Head] = field(default_factory=list)
    shred: Head | None = None

    @property
    def closed(self) -> bool:
        return bool(self.signed) and self.signed[-1].kind is HeadKind.CLOSE


def _check_segments(
    directory: Path, heads: list[_HeadAt], complete: bool, report: StreamReport
) -> None:
    by_segment: dict[int, _SegmentHeads] = {}
    link_segments: list[int] = []  # non-shred heads in log order: (segment, digest) for links
    link_digests: list[bytes] = []
    for item in heads:
        entry = by_segment.setdefault(item.head.segment, _SegmentHeads())
        if item.head.kind is HeadKind.SHRED:
            entry.shred = item.head
        else:
            entry.signed.append(item.head)
            link_segments.append(item.head.segment)
            link_digests.append(item.digest)
    files = segment_ids(directory)
    newest = max([*files, *by_segment], default=0)
    # With heads.log damaged, later segments may lack heads only because of that damage.
    trust_until = newest + 1 if complete else (heads[-1].head.segment if heads else 0)
    for segment in range(1, newest + 1):
        entry = by_segment.get(segment, _SegmentHeads())
        name = segment_path(directory, segment).name
        if entry.shred is not None:
            report.shredded.append(segment)
            if segment in files:
                report.notes.append(f"{name}: shredded by head {entry.shred.index}, still on disk")
            continue
        if segment not in files:
            signed = (
                f"; heads.log signs {entry.signed[-1].records} records of it"
                if (entry.signed)
                else ""
            )
            report.problems.append(
                Problem(
                    Damage.SEGMENT_MISSING,
                    name,
                    f"no file and no shred head{signed}",
                    segment=segment,
                )
            )
            continue
        position = bisect.bisect_left(link_segments, segment)
        link = link_digests[position - 1] if position else ZERO_HASH
        live = segment == newest and not entry.closed
        _check_segment(directory, segment, entry, link, live, segment < trust_until, report)


def _check_segment(
    directory: Path,
    segment: int,
    entry: _SegmentHeads,
    link: bytes,
    live: bool,
    heads_complete: bool,
    report: StreamReport,
) -> None:
    path = segment_path(directory, segment)
    name = path.name
    data = path.read_bytes()
    scan = scan_frames(data)
    report.segments += 1

    def problem(kind: Damage, detail: str, record: int | None = None) -> None:
        report.problems.append(Problem(kind, name, detail, segment=segment, record=record))

    if not scan.frames:
        if live and not entry.signed:  # a crash while it was created; the next start removes it
            report.notes.append(f"{name}: incomplete header (the segment was being created)")
            return
        problem(Damage.TRUNCATED, "the file holds no complete header")
        return
    try:
        header = SegmentHeader.decode(scan.frames[0].body)
    except FormatError as exc:
        problem(Damage.MODIFIED, f"header: {exc}")
        return
    if header.segment != segment:
        other = segment_path(directory, header.segment)
        same = other.exists() and other != path and other.read_bytes() == data
        kind = Damage.DUPLICATED if same else Damage.REORDERED
        problem(kind, f"the file holds segment {header.segment}")
        return
    if header.prev_segment_head != link:
        problem(Damage.MODIFIED, "header does not link to the previous segment's last head")
        return
    _check_keys_file(directory, segment, header, problem)
    entries: list[RecordEntry] = []
    for frame in scan.frames[1:]:
        try:
            entries.append(RecordEntry.decode(frame.body))
        except FormatError as exc:
            problem(Damage.MODIFIED, f"not a well-formed record ({exc})", len(entries))
            return
    wanted = {head.records for head in entry.signed}
    chains = _chain_records(entries, header.chain_start(), wanted, problem)
    if chains is None:
        return
    count = len(entries)
    signed_count = entry.signed[-1].records if entry.signed else 0
    if scan.tail is not TailState.CLEAN:
        if live and count >= signed_count and scan.tail_is_last:
            report.notes.append(
                f"{name}: the last record ({count}) is incomplete or damaged and not signed yet "
                "(an unclean stop; the next start of the writer removes it)"
            )
        else:
            report.problems.append(_tail_problem(scan, name, segment, count, "record"))
            return
    done = 0
    for head in entry.signed:
        if head.records > count:
            problem(
                Damage.TRUNCATED,
                f"head {head.index} signs {head.records} records, the file has {count}",
                count,
            )
            return
        if chains[head.records] != head.chain:
            problem(
                Damage.MODIFIED,
                f"records {done}..{head.records - 1} do not match the chain signed by head "
                f"{head.index} (changed and re-chained)",
                done,
            )
            return
        done = head.records
    report.records += count
    if entry.closed and count > signed_count:
        problem(Damage.MODIFIED, "records were added after the segment was closed", signed_count)
    elif not entry.closed and live:
        if count > signed_count:
            report.unsigned_records += count - signed_count
            report.notes.append(
                f"{name}: {count - signed_count} records after the last signed head (being "
                "written; the next checkpoint signs them)"
            )
    elif not entry.closed and heads_complete:
        problem(Damage.TRUNCATED, "the segment has no close head although a later one exists")


def _check_keys_file(
    directory: Path, segment: int, header: SegmentHeader, report: _Reporter
) -> None:
    path = keys_path(directory, segment)
    if not path.exists():
        report(Damage.DELETED, f"the keys file {path.name} is missing (records cannot be read)")
    elif sha256(path.read_bytes()) != header.keys_digest:
        report(Damage.MODIFIED, f"the keys file {path.name} does not match the header's digest")


def _chain_records(
    entries: list[RecordEntry], start: bytes, wanted: set[int], problem: _Reporter
) -> dict[int, bytes] | None:
    """Chain values after each wanted record count, or None after reporting the first problem."""
    chain = start
    chains = {0: start}
    for position, entry in enumerate(entries):
        if entry.seq != position:
            problem(*_misplaced(entries, position, chain), position)
            return None
        chain = next_chain(chain, entry.chained_bytes)
        if entry.chain != chain:
            problem(Damage.MODIFIED, "the record does not match its chain value", position)
            return None
        if position + 1 in wanted:
            chains[position + 1] = chain
    return chains


def _misplaced(entries: list[RecordEntry], position: int, chain: bytes) -> tuple[Damage, str]:
    """Why the record at `position` carries another sequence number."""
    entry = entries[position]
    renumbered = RecordEntry(position, entry.sealed, b"")
    if next_chain(chain, renumbered.chained_bytes) == entry.chain:
        return Damage.MODIFIED, f"its sequence number was changed to {entry.seq}"
    if entry.seq < position:
        if entries[entry.seq].encode() == entry.encode():
            return Damage.DUPLICATED, f"record {entry.seq} again at position {position}"
        return Damage.REORDERED, f"record {entry.seq} again at position {position}"
    if any(later.seq == position for later in entries[position + 1 :]):
        return Damage.REORDERED, f"record {entry.seq} comes before record {position}"
    return Damage.DELETED, f"records {position}..{entry.seq - 1} are missing"
