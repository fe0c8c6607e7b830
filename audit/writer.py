"""`AuditWriter`: the asyncio face of the access log, with batched group commit.

`await writer.append(record)` returns once the record is on disk: records that arrive together
are encrypted, chained, written and fsynced as one batch by a single worker thread: while one
batch is being written, what arrives gathers into the next, so the number of fsyncs stays bounded
under load without a timer, and a record waits at most the batch before it and its own. With
`commit_interval` > 0 batches also start at least that far apart (fewer fsyncs on a disk where
each is expensive, at the price of up to that much latency for every record). A failed
write makes `healthy` False; with `on_failure = "refuse"` (the default) `append` then raises
`AuditUnavailable` so the exchange is refused (fail closed); with "continue" the record is dropped
and counted. The writer retries every `retry_interval` seconds and turns healthy again once a
write succeeds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Literal

from audit.errors import AuditUnavailable
from audit.record import AuditRecord, now_rfc3339
from audit.store import SegmentStore, SignerSource, StoreError, StoreSettings

log = logging.getLogger("gerbang.audit")

OnFailure = Literal["refuse", "continue"]
DEFAULT_COMMIT_INTERVAL = 0.0  # commit as soon as the previous batch is on disk
MAX_BATCH = 10_000
MAX_RECORD_BYTES = 256 * 1024


class AuditWriter:
    """Appends records to one stream directory; one writer per directory at a time."""

    def __init__(
        self,
        directory: Path,
        auditor_keys: Sequence[bytes],
        signer_source: SignerSource,
        *,
        commit_interval: float = DEFAULT_COMMIT_INTERVAL,
        settings: StoreSettings | None = None,
        on_failure: OnFailure = "refuse",
        retry_interval: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 0 <= commit_interval <= 1:
            raise ValueError("commit_interval must be between 0 and 1 second")
        self.directory = Path(directory)
        self._store = SegmentStore(
            self.directory, auditor_keys, signer_source, settings, clock=clock
        )
        self._commit_interval = commit_interval
        self._on_failure = on_failure
        self._retry_interval = retry_interval
        self._executor: ThreadPoolExecutor | None = None
        self._task: asyncio.Task[None] | None = None
        self._pending: list[tuple[bytes, asyncio.Future[None]]] = []
        self._last_commit = 0.0
        self._wake = asyncio.Event()
        self._closing = False
        self._healthy = False
        self._failed_at = 0.0
        self._failure = ""  # since when and why, for the note written when writing resumes
        self._lost = 0  # records refused or dropped since the failure
        self.records_written = 0
        self.batches = 0
        self.dropped = 0

    @property
    def healthy(self) -> bool:
        """False after a failed write until a later write succeeds (and before `start`)."""
        return self._healthy

    @property
    def accepting(self) -> bool:
        """Whether an append now would be tried (healthy, or the retry interval has passed).

        With `on_failure = "refuse"`, the gateway checks this before anything is forwarded, so
        an exchange that could not be recorded never reaches the upstream.
        """
        if self._on_failure != "refuse" or self._healthy:
            return True
        return time.monotonic() - self._failed_at >= self._retry_interval

    @property
    def segment(self) -> int:
        """The id of the segment being written."""
        return self._store.segment

    async def start(self) -> list[str]:
        """Open the directory, recover from an unclean stop, start committing.

        Returns the recovery notes (also logged, and appended as `audit_recovery` records).
        Raises AuditUnavailable when the directory cannot be opened.
        """
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gerbang-audit")
        try:
            notes = await self._run(self._open)
        except (OSError, StoreError, ValueError) as exc:
            self._executor.shutdown(wait=False)
            raise AuditUnavailable(f"audit log {self.directory}: {_describe(exc)}") from None
        self._healthy = True
        self._task = asyncio.create_task(self._flusher(), name="gerbang-audit-writer")
        return notes

    async def append(self, record: AuditRecord) -> None:
        """Write `record`; return once it is fsynced. AuditUnavailable if it cannot be."""
        if self._closing or self._task is None:
            raise AuditUnavailable("the audit log is not open")
        if not self._healthy and time.monotonic() - self._failed_at < self._retry_interval:
            self._lost += 1
            if self._on_failure == "refuse":
                raise AuditUnavailable("the audit log cannot be written")
            self.dropped += 1
            return
        payload = record.to_json()
        if len(payload) > MAX_RECORD_BYTES:  # a bug upstream, not a disk problem: stay healthy
            raise AuditUnavailable("the audit record is too large")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((payload, future))
        self._wake.set()
        await future

    async def checkpoint(self) -> None:
        """Sign a checkpoint head now over the records committed so far."""
        await self._operate(self._store.checkpoint)

    async def rotate(self) -> None:
        """Close the current segment with a signed head and start the next one now."""
        await self._operate(self._store.rotate)

    async def _operate(self, operation: Callable[[], None]) -> None:
        if self._task is None or self._closing:
            raise AuditUnavailable("the audit log is not open")
        try:
            await self._run(operation)
        except (OSError, StoreError) as exc:
            self._fail(exc, [])
            raise AuditUnavailable("the audit log cannot be written") from None

    async def close(self) -> None:
        """Commit what is pending, close the segment with a signed head, release the directory."""
        if self._task is None or self._closing:
            return
        self._closing = True
        self._wake.set()
        await self._task
        try:
            await self._run(self._store.close if self._healthy else self._store.release)
        except (OSError, StoreError) as exc:
            log.error("audit log: closing failed (%s)", _describe(exc))
            await self._run(self._store.release)
        finally:
            assert self._executor is not None
            self._executor.shutdown(wait=True)
            self._healthy = False

    async def __aenter__(self) -> AuditWriter:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # -- internals ------------------------------------------------------------------------------

    def _open(self) -> list[str]:
        notes = self._store.open()
        for note in notes:
            log.warning("audit log recovery: %s", note)
        if notes:
            records = [
                AuditRecord(
                    event="audit_recovery",
                    time=now_rfc3339(),
                    request_id=f"audit-recovery-{self._store.segment}-{index}",
                    error_code="audit_recovered",
                    note=note[:500],
                ).to_json()
                for index, note in enumerate(notes)
            ]
            self._store.append(records)
        return notes

    async def _run(self, function: Callable[..., object], *args: object) -> list[str]:
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(self._executor, function, *args)
        return result if isinstance(result, list) else []

    async def _flusher(self) -> None:
        while True:
            if not self._pending and not self._closing:
                self._wake.clear()
                wait = self._store.seconds_until_housekeeping()
                if not self._healthy:
                    wait = min(wait, self._retry_interval)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=max(wait, 0.001))
            if self._pending and not self._closing:
                delay = self._last_commit + self._commit_interval - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            self._last_commit = time.monotonic()
            await self._commit(batch)
            if self._closing and not self._pending:
                return

    async def _commit(self, batch: list[tuple[bytes, asyncio.Future[None]]]) -> None:
        retry_due = time.monotonic() - self._failed_at >= self._retry_interval
        if not batch and not self._healthy and not retry_due:
            return
        payloads = [payload for payload, _ in batch]
        resumed = not self._healthy
        if resumed:  # the first record after a failure says what the log is missing, and why
            payloads.insert(0, self._resumption_note().to_json())
        try:
            await self._run(self._write, payloads, resumed)
        except Exception as exc:  # any failure fails closed; a waiting exchange never hangs
            self._fail(exc, batch)
            return
        if resumed:
            log.warning("audit log: writing again after a failure (%d records lost)", self._lost)
            self._lost = 0
        self._healthy = True
        self.records_written += len(batch)
        self.batches += 1 if batch else 0
        for _, future in batch:
            if not future.done():
                future.set_result(None)

    def _write(self, payloads: list[bytes], repair: bool) -> None:
        if repair:
            self._store.repair()
        if payloads:
            self._store.append(payloads)
        self._store.housekeeping()

    def _resumption_note(self) -> AuditRecord:
        action = "refused" if self._on_failure == "refuse" else "dropped"
        return AuditRecord(
            event="audit_recovery",
            time=now_rfc3339(),
            request_id=f"audit-resumed-{self._store.segment}-{self.records_written}",
            error_code="audit_unavailable",
            note=f"writing resumed after a failure {self._failure}; "
            f"{self._lost} records {action} meanwhile",
        )

    def _fail(self, exc: BaseException, batch: list[tuple[bytes, asyncio.Future[None]]]) -> None:
        if self._healthy:
            action = "refusing exchanges" if self._on_failure == "refuse" else "dropping records"
            log.error("audit log: write failed (%s); %s", _describe(exc), action)
            self._failure = f"since {now_rfc3339()} ({_describe(exc)})"
        self._healthy = False
        self._failed_at = time.monotonic()
        self._lost += len(batch)
        for _, future in batch:
            if future.done():
                continue
            if self._on_failure == "refuse":
                future.set_exception(AuditUnavailable("the audit log cannot be written"))
            else:
                self.dropped += 1
                future.set_result(None)


def _describe(exc: BaseException) -> str:
    """Why a write failed, without anything from a record: errno text, or the store's message."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"{os.strerror(exc.errno)} [errno {exc.errno}]"
    if isinstance(exc, StoreError):
        return str(exc)
    return type(exc).__name__
