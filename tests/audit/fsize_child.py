"""Child process of test_failure.py: writes the audit log while a file-size limit is hit.

RLIMIT_FSIZE makes write(2) fail with EFBIG once a file would grow past the limit: a real write
failure like a full disk, which works for any user (root included) and needs no special mount.
Usage: python -m tests.audit.fsize_child DIR AUDITOR_PUBLIC_PEM refuse|continue
Prints one JSON line per phase; never prints key material.
"""

from __future__ import annotations

import asyncio
import json
import resource
import signal
import sys
from pathlib import Path

from audit.auditor_keys import load_public
from audit.errors import AuditUnavailable
from audit.segment import segment_path
from audit.writer import AuditWriter
from keys.algorithms import Ed25519Signer, generate_ed25519
from tests.audit.helpers import make_record


async def main(directory: Path, public_file: Path, mode: str) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
    signer = Ed25519Signer(generate_ed25519()[0])
    writer = AuditWriter(
        directory,
        [load_public(public_file)],
        lambda: ("signing-1", signer),
        on_failure=mode,  # type: ignore[arg-type]
        commit_interval=0,
        retry_interval=0.05,
    )
    await writer.start()
    events = []
    for index in range(2):
        await writer.append(make_record(index))
        events.append("ok")
    size = segment_path(directory, writer.segment).stat().st_size
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size + 10, hard))  # the "disk" is now full
    for index in range(2, 8):
        try:
            await writer.append(make_record(index))
            events.append("ok")
        except AuditUnavailable as exc:
            events.append(f"refused {exc.code}")
        await asyncio.sleep(0.02)
    print(json.dumps({"events": events, "healthy": writer.healthy, "dropped": writer.dropped}))
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))  # space again
    await asyncio.sleep(0.1)
    await writer.append(make_record(99))
    print(json.dumps({"healthy_after": writer.healthy}), flush=True)
    await writer.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]))
