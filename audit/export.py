"""Filter decrypted records and write them as JSON lines or CSV.

JSON lines: each line is exactly the record's JSON (the plaintext that was encrypted).
CSV: one row per record with the columns in `CSV_COLUMNS`: nested objects flattened with dots
(`decision.allow`), the PII summary as a JSON array in one cell, absent values as empty cells.
`record_from_row` reads such a row back.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, Literal

from audit.record import AuditRecord

Format = Literal["jsonl", "csv"]

CSV_COLUMNS: tuple[str, ...] = (
    "schema_version", "event", "time", "request_id", "principal", "client_address", "route",
    "method", "path_template", "purpose", "decision.allow", "decision.status", "decision.reason",
    "decision.policy_revision", "pii", "status", "latency_ms", "bytes_in", "bytes_out",
    "upstream.status", "upstream.outcome", "error_code", "note",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RecordFilter:
    """Which records to keep; every given criterion must match (None: any)."""

    since: datetime | None = None
    """Inclusive."""
    until: datetime | None = None
    """Exclusive."""
    service: str | None = None
    principals: frozenset[str] | None = None
    decision: Literal["allow", "deny"] | None = None
    """allow: policy allowed it; deny: policy refused it, or it ended before any decision."""

    def matches(self, record: AuditRecord) -> bool:
        """Whether `record` passes the filter."""
        if self.since is not None or self.until is not None:
            moment = record.timestamp
            if self.since is not None and moment < self.since:
                return False
            if self.until is not None and moment >= self.until:
                return False
        if self.service is not None and record.route != self.service:
            return False
        if self.principals is not None and record.principal not in self.principals:
            return False
        if self.decision is not None:
            allowed = record.decision is not None and record.decision.allow
            if allowed != (self.decision == "allow"):
                return False
        return True


def write_records(records: Iterable[AuditRecord], out: IO[str], fmt: Format) -> int:
    """Write `records` to `out` as JSON lines or CSV (with a header row); returns the count."""
    count = 0
    if fmt == "jsonl":
        for record in records:
            out.write(record.model_dump_json() + "\n")
            count += 1
        return count
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow(record_to_row(record))
        count += 1
    return count


def record_to_row(record: AuditRecord) -> dict[str, str]:
    """The CSV cells of one record."""
    data = record.model_dump(mode="json")
    row: dict[str, str] = {}
    for column in CSV_COLUMNS:
        if column == "pii":
            row[column] = json.dumps(data["pii"], separators=(",", ":")) if data["pii"] else ""
            continue
        value: Any = data
        for part in column.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        row[column] = _cell(value)
    return row


def record_from_row(row: dict[str, str]) -> AuditRecord:
    """The record a CSV row holds (pydantic.ValidationError if it is not one)."""
    data: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for column in CSV_COLUMNS:
        cell = row.get(column, "")
        if column == "pii":
            data["pii"] = json.loads(cell) if cell else []
            continue
        value = _parse_cell(column, cell)
        if "." in column:
            parent, child = column.split(".", 1)
            nested.setdefault(parent, {})[child] = value
        elif value is not None or column in ("method", "path_template"):
            data[column] = value if value is not None else ""
    for parent, values in nested.items():
        if any(value is not None for value in values.values()):
            data[parent] = {key: value for key, value in values.items() if value is not None}
    return AuditRecord.model_validate_json(json.dumps(data))


def read_rows(lines: Iterable[str]) -> Iterator[AuditRecord]:
    """Records from CSV text written by `write_records`."""
    for row in csv.DictReader(lines):
        yield record_from_row(row)


_INTEGER_COLUMNS = frozenset(
    {"schema_version", "status", "bytes_in", "bytes_out", "decision.status", "upstream.status"}
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parse_cell(column: str, cell: str) -> Any:
    if cell == "":
        return None
    if column == "decision.allow":
        return cell == "true"
    if column in _INTEGER_COLUMNS:
        return int(cell)
    if column == "latency_ms":
        return float(cell)
    return cell
