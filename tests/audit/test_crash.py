"""Crash safety: a writer killed with SIGKILL under load loses no acknowledged record."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time

from audit.reader import LogReader
from audit.verify import verify_stream
from audit.writer import AuditWriter
from keys.algorithms import public_key_pem
from keys.kek import create_kek_file
from keys.keyring import Keyring
from tests.conftest import REPO

ACKED_BEFORE_KILL = 400


def _run_and_kill(args: list[str]) -> list[str]:
    """Start the child, collect acknowledged ids until enough arrived, then SIGKILL it."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.audit.crash_child", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []

    def collect() -> None:
        assert child.stdout is not None
        lines.extend(child.stdout)

    reader = threading.Thread(target=collect, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 20  # interpreter start-up on a busy machine
        while len(lines) < ACKED_BEFORE_KILL and time.monotonic() < deadline:
            if child.poll() is not None:
                break
            time.sleep(0.01)
        time.sleep(random.uniform(0, 0.1))  # kill at an arbitrary point of a batch
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        reader.join(timeout=10)
    assert child.returncode == -signal.SIGKILL, child.stderr.read() if child.stderr else ""
    # A line cut by the kill has no newline: that id was not fully reported, so it is not counted.
    return [line[:-1] for line in lines if line.endswith("\n")]


async def test_when_the_writer_is_killed_under_load_then_every_acknowledged_record_survives(
    tmp_path, auditor
):
    kek_file = tmp_path / "kek"
    keyring = Keyring.create(tmp_path / "keyring", create_kek_file(kek_file))
    public_file = tmp_path / "auditor.pem.pub"
    public_file.write_text(public_key_pem(auditor.public, "x25519"))
    directory = tmp_path / "audit"

    acked = _run_and_kill([str(directory), str(public_file), str(tmp_path / "keyring"),
                           str(kek_file)])  # fmt: skip
    assert len(acked) >= ACKED_BEFORE_KILL

    # Restart: recovery truncates a partial last record (if any) and closes the open segment.
    writer = AuditWriter(directory, [auditor.public], keyring.signer)
    await writer.start()
    await writer.close()

    report = verify_stream(directory, keyring.public_keys())
    assert report.ok, [str(p) for p in report.problems]
    assert report.unsigned_records == 0
    reader = LogReader(auditor.private, auditor.public)
    written = [item.record.request_id for item in reader.records(directory)]
    assert not reader.problems
    missing = set(acked) - set(written)
    assert not missing, f"{len(missing)} acknowledged records lost"
    assert len(written) == len(set(written))  # nothing written twice
