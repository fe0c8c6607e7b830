"""Write failures fail closed: AuditUnavailable (503), `healthy` False, then recovery."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from audit.reader import LogReader
from audit.verify import verify_stream
from keys.algorithms import public_key_pem
from tests.conftest import REPO


def _run_child(directory, public_file, mode) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.audit.fsize_child", str(directory), str(public_file), mode],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture
def public_file(tmp_path, auditor):
    path = tmp_path / "auditor.pem.pub"
    path.write_text(public_key_pem(auditor.public, "x25519"))
    return path


def _read(directory, auditor) -> tuple[list[str], list[str]]:
    """Request ids of the exchanges, and the notes the writer added."""
    reader = LogReader(auditor.private, auditor.public)
    records = [item.record for item in reader.records(directory)]
    assert not reader.problems
    exchanges = [r.request_id for r in records if r.event == "exchange"]
    return exchanges, [r.note or "" for r in records if r.event != "exchange"]


def test_when_the_disk_refuses_writes_then_appends_raise_audit_unavailable(
    tmp_path, public_file, auditor
):
    directory = tmp_path / "audit"
    phase, after = _run_child(directory, public_file, "refuse")
    events = phase["events"]
    assert events[:2] == ["ok", "ok"]
    assert set(events[2:]) == {"refused audit_unavailable"}
    assert phase["healthy"] is False
    assert after["healthy_after"] is True
    # Nothing of the refused batches remains; the log is intact and holds exactly what was acked.
    report = verify_stream(directory)
    assert report.ok, [str(p) for p in report.problems]
    exchanges, notes = _read(directory, auditor)
    assert exchanges == ["req-000000", "req-000001", "req-000099"]
    assert len(notes) == 1
    assert "writing resumed after a failure" in notes[0]
    assert "File too large" in notes[0]
    assert "6 records refused meanwhile" in notes[0]


def test_when_on_failure_is_continue_then_records_are_dropped_and_counted(
    tmp_path, public_file, auditor
):
    directory = tmp_path / "audit"
    phase, after = _run_child(directory, public_file, "continue")
    assert phase["events"] == ["ok"] * 8
    assert phase["healthy"] is False
    assert phase["dropped"] == 6
    assert after["healthy_after"] is True
    assert verify_stream(directory).ok
    exchanges, notes = _read(directory, auditor)
    assert exchanges == ["req-000000", "req-000001", "req-000099"]
    assert len(notes) == 1
    assert "6 records dropped meanwhile" in notes[0]
