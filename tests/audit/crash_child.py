"""Child process of test_crash.py: appends audit records under load until it is killed.

Prints each record's request id on its own line right after `append` returned (the moment the
gateway would answer the exchange). Usage:
python -m tests.audit.crash_child AUDIT_DIR AUDITOR_PUBLIC_PEM KEYRING_DIR KEK_FILE
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from pathlib import Path

from audit.auditor_keys import load_public
from audit.store import StoreSettings
from audit.writer import AuditWriter
from keys.kek import kek_from_file
from keys.keyring import Keyring
from tests.audit.helpers import make_record

CONCURRENCY = 32


async def main(directory: Path, public_file: Path, keyring_dir: Path, kek_file: Path) -> None:
    keyring = Keyring.open(keyring_dir, kek_from_file(kek_file))
    settings = StoreSettings(segment_max_bytes=64 * 1024, checkpoint_interval=0.1)
    writer = AuditWriter(
        directory,
        [load_public(public_file)],
        keyring.signer,
        commit_interval=0.005,
        settings=settings,
    )
    await writer.start()
    counter = itertools.count()
    out = sys.stdout

    async def client() -> None:
        while True:
            record = make_record(next(counter))
            await writer.append(record)
            out.write(record.request_id + "\n")
            out.flush()

    await asyncio.gather(*(client() for _ in range(CONCURRENCY)))


if __name__ == "__main__":
    asyncio.run(main(*(Path(arg) for arg in sys.argv[1:5])))
