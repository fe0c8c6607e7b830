"""Shared pieces of the audit tests: synthetic records, key material, a log built on disk."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from audit.framing import scan_frames
from audit.heads import Signer
from audit.record import AuditRecord, Decision, PiiCount, Upstream
from audit.segment import HEADS_FILE, segment_path
from audit.store import SegmentStore, StoreSettings
from keys.algorithms import Ed25519Signer, generate_ed25519, generate_x25519


@dataclass(frozen=True)
class AuditorKeys:
    """An auditor key pair (raw X25519); never shown in test output."""

    private: bytes = field(repr=False)
    public: bytes = field(repr=False)

    @classmethod
    def generate(cls) -> AuditorKeys:
        private, public = generate_x25519()
        return cls(private, public)


@dataclass(frozen=True)
class SigningKey:
    """A signing key as the keyring hands it out: key id and signer."""

    key_id: str
    signer: Ed25519Signer = field(repr=False)

    @classmethod
    def generate(cls, key_id: str = "signing-1") -> SigningKey:
        private, _ = generate_ed25519()
        return cls(key_id, Ed25519Signer(private))

    @property
    def public(self) -> bytes:
        return self.signer.public_key

    def source(self) -> Callable[[], tuple[str, Signer]]:
        return lambda: (self.key_id, self.signer)


SERVICES = ("chat", "ocr", "verify")
PSEUDONYMS = tuple(f"p1:{index:02x}" + "ab" * 31 for index in range(4))


def make_record(index: int, **overrides: object) -> AuditRecord:
    """A synthetic record; `index` spreads it over services, principals, decisions and days."""
    allow = index % 3 != 0
    fields: dict[str, object] = {
        "time": f"2026-01-{1 + index % 28:02d}T10:{index % 60:02d}:00.000000Z",
        "request_id": f"req-{index:06d}",
        "principal": PSEUDONYMS[index % len(PSEUDONYMS)],
        "client_address": "192.0.2.0/24",
        "route": SERVICES[index % len(SERVICES)],
        "method": "POST",
        "path_template": "/v1/chat/completions",
        "purpose": "layanan-publik",
        "decision": Decision(
            allow=allow,
            status=200 if allow else 403,
            reason=None if allow else "purpose not allowed",
            policy_revision="rev-7",
        ),
        "pii": _pii() if allow else (),
        "status": 200 if allow else 403,
        "latency_ms": 12.5 + index,
        "bytes_in": 300 + index,
        "bytes_out": 900 if allow else 120,
        "upstream": Upstream(status=200, outcome="ok") if allow else None,
        "error_code": None if allow else "policy_denied",
    }
    fields.update(overrides)
    return AuditRecord.model_validate(fields)


def _pii() -> tuple[PiiCount, ...]:
    return (
        PiiCount(side="request", type="ID_NIK", count=2, category="umum", operator="placeholder"),
        PiiCount(side="response", type="HEALTH", count=1, category="spesifik", operator="redact"),
    )


def build_log(
    directory: Path,
    auditor: AuditorKeys,
    signing: SigningKey,
    *,
    segments: int = 3,
    per_segment: int = 6,
    clock: Callable[[], float] | None = None,
) -> list[AuditRecord]:
    """A closed log: `segments` segments of `per_segment` records, checkpoints after every two.

    Returns the records in order.
    """
    kwargs = {"clock": clock} if clock is not None else {}
    store = SegmentStore(directory, [auditor.public], signing.source(), StoreSettings(), **kwargs)
    store.open()
    records = []
    for segment in range(segments):
        for batch in range(0, per_segment, 2):
            chunk = [make_record(segment * per_segment + batch + i) for i in range(2)]
            store.append([record.to_json() for record in chunk])
            store.checkpoint()
            records += chunk
        if segment < segments - 1:
            store.rotate()
    store.close()
    return records


def frames(path: Path) -> list[tuple[int, int]]:
    """(offset, end) of each good frame of a file."""
    return [(frame.offset, frame.end) for frame in scan_frames(path.read_bytes()).frames]


def record_frames(directory: Path, segment: int) -> list[tuple[int, int]]:
    """(offset, end) of each record frame of a segment (the header frame left out)."""
    return frames(segment_path(directory, segment))[1:]


def head_frames(directory: Path) -> list[tuple[int, int]]:
    """(offset, end) of each head frame of heads.log."""
    return frames(directory / HEADS_FILE)
