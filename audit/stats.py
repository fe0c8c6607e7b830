"""Counts over decrypted records: by service, by decision, by PII type (DPIA evidence)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from audit.record import AuditRecord


@dataclass
class AuditStats:
    """Record counts by service and decision, and PII value counts by type and side."""

    records: int = 0
    by_service: Counter[str] = field(default_factory=Counter)
    by_decision: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    pii_values: Counter[str] = field(default_factory=Counter)
    """PII type -> values found, over both sides."""
    pii_records: Counter[str] = field(default_factory=Counter)
    """PII type -> records in which the type was found."""
    pii_by_side: Counter[str] = field(default_factory=Counter)
    """"request TYPE" / "response TYPE" -> values found on that side."""

    def add(self, record: AuditRecord) -> None:
        """Count one record (audit_recovery notes are counted apart, as service "(audit)")."""
        self.records += 1
        self.by_service[record.route or ("(audit)" if record.event != "exchange" else "-")] += 1
        self.by_decision[decision_label(record)] += 1
        self.by_status[f"{record.status // 100}xx" if record.status else "-"] += 1
        seen: set[str] = set()
        for item in record.pii:
            self.pii_values[item.type] += item.count
            self.pii_by_side[f"{item.side} {item.type}"] += item.count
            seen.add(item.type)
        self.pii_records.update(seen)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready summary."""
        return {
            "records": self.records,
            "by_service": dict(self.by_service.most_common()),
            "by_decision": dict(self.by_decision.most_common()),
            "by_status": dict(sorted(self.by_status.items())),
            "pii_values": dict(self.pii_values.most_common()),
            "pii_records": dict(self.pii_records.most_common()),
            "pii_by_side": dict(self.pii_by_side.most_common()),
        }

    def lines(self) -> list[str]:
        """A plain-text report."""
        out = [f"records: {self.records}"]
        sections: list[tuple[str, Counter[str]]] = [
            ("by service", self.by_service),
            ("by decision", self.by_decision),
            ("by status", self.by_status),
        ]
        for title, counter in sections:
            out.append(f"{title}:")
            out += [f"  {key:<32} {value:>10}" for key, value in counter.most_common()]
        out.append("PII by type:                       values    records")
        out += [
            f"  {key:<32} {value:>10} {self.pii_records[key]:>10}"
            for key, value in self.pii_values.most_common()
        ]
        return out


def decision_label(record: AuditRecord) -> str:
    """allow, deny, or none (the exchange ended before policy decided)."""
    if record.decision is None:
        return "none"
    return "allow" if record.decision.allow else "deny"


def collect(records: Iterable[AuditRecord]) -> AuditStats:
    """Stats over `records`."""
    stats = AuditStats()
    for record in records:
        stats.add(record)
    return stats
