"""A bundle service for the embedded engine: poll a signed bundle over HTTP, as OPA does.

`BundlePoller` downloads `bundle_url` every `polling_interval` seconds (each wait a random time
between a third of it and all of it, like OPA's min/max delay, so replicas spread out; a new
bundle is seen within one interval). It sends `If-None-Match` with the ETag of the bundle it
has, so an unchanged bundle costs one 304. A new bundle is written to a temporary file next to
the cache, verified (policies/signing.py), then handed to the store, which compiles it and swaps
it in: decisions already running finish on the policy they started with. Only a bundle that was
switched to (or found unchanged) replaces the cached copy, atomically.

A failing download or a refused bundle keeps the policy in force; an outage is logged once when
it starts and once when it ends, a refused bundle once (its ETag is remembered). At start,
`prime()` needs the first download to succeed, or a cached copy (verified again when the engine
loads it); otherwise the gateway does not start.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import random
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from policies.signing import VerificationKey
from policies.store import (
    MAX_BUNDLE_BYTES,
    PolicyLoadError,
    PolicyStore,
    ReloadResult,
    load_policy_files,
)

log = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT = 10.0
"""Seconds allowed for one download, connection included."""


class DownloadError(Exception):
    """The bundle service did not deliver a bundle (unreachable, slow, an HTTP error)."""


@dataclass(frozen=True, slots=True)
class _Download:
    body: bytes | None
    """None: not modified (304)."""
    etag: str | None


class BundlePoller:
    """Keeps an embedded engine's policy in step with a bundle service."""

    def __init__(
        self,
        url: str,
        cache: Path,
        verification_key: VerificationKey,
        *,
        interval: float,
        timeout: float = DOWNLOAD_TIMEOUT,
    ) -> None:
        """`cache` is the file the last good bundle is kept in (its folder must exist)."""
        self.url = url
        self.cache = cache
        self.interval = interval
        self._key = verification_key
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._etag: str | None = None
        self._failing = False
        self._refused: str | None = None  # SHA-256 of the last refused bundle: logged once
        self._session: aiohttp.ClientSession | None = None
        self._lock = asyncio.Lock()

    @property
    def etag(self) -> str | None:
        """The ETag of the bundle last downloaded (sent as If-None-Match)."""
        return self._etag

    def prime(self) -> None:
        """Put a verified bundle in the cache before the engine loads it (blocking).

        Downloads the bundle; when the service cannot be reached, an existing cached copy is
        used. Raises PolicyLoadError when neither gives a bundle or the bundle is refused.
        """

        async def download() -> _Download:
            async with aiohttp.ClientSession() as session:
                return await self._download(session)

        try:
            with ThreadPoolExecutor(1, thread_name_prefix="gerbang-bundle") as pool:
                response = pool.submit(asyncio.run, download()).result()
        except DownloadError as exc:
            if not self.cache.is_file():
                raise PolicyLoadError(
                    self.url, f"cannot download the policy bundle ({exc}) and there is no "
                    f"cached copy at {self.cache}: not starting",
                ) from None  # fmt: skip
            log.warning(
                "policy bundle service %s unreachable (%s): starting from the cached copy %s",
                self.url, exc, self.cache,
            )  # fmt: skip
            self._failing = True
            return
        assert response.body is not None  # no If-None-Match was sent
        try:
            temporary = self._write_temporary(response.body)
        except OSError as exc:
            raise PolicyLoadError(str(self.cache), f"cannot write: {exc.strerror}") from None
        try:
            load_policy_files(temporary, verification_key=self._key, label=self.url)
            os.replace(temporary, self.cache)
        except OSError as exc:
            raise PolicyLoadError(str(self.cache), f"cannot write: {exc.strerror}") from None
        finally:
            temporary.unlink(missing_ok=True)
        self._etag = response.etag

    async def run(self, store: PolicyStore[Any]) -> None:
        """Poll forever, waiting a random `interval`/3 to `interval` seconds before each poll."""
        while True:
            jitter = random.uniform(self.interval / 3, self.interval)  # noqa: S311 (not a secret)
            await asyncio.sleep(jitter)
            try:
                await self.poll(store)
            except Exception:  # never let the poller die: the policy in force stays
                log.exception("policy bundle poll failed")

    async def poll(self, store: PolicyStore[Any]) -> ReloadResult:
        """Download the bundle if it changed and switch `store` to it (never raises for a
        download or bundle problem: the policy in force stays)."""
        async with self._lock:
            try:
                response = await self._download(self._open_session())
            except DownloadError as exc:
                if not self._failing:
                    log.warning(
                        "policy bundle service %s unreachable, revision %s stays in force: %s",
                        self.url, store.revision[:12], exc,
                    )  # fmt: skip
                self._failing = True
                return ReloadResult("refused", store.revision, f"{self.url}: {exc}")
            if self._failing:
                log.info("policy bundle service %s reachable again", self.url)
                self._failing = False
            if response.body is None:
                return ReloadResult("unchanged", store.revision)
            return await self._switch(store, response)

    async def _switch(self, store: PolicyStore[Any], response: _Download) -> ReloadResult:
        assert response.body is not None
        digest = hashlib.sha256(response.body).hexdigest()
        try:
            temporary = await asyncio.to_thread(self._write_temporary, response.body)
        except OSError as exc:
            log.error("policy bundle not stored in %s: %s", self.cache.parent, exc.strerror)
            return ReloadResult("refused", store.revision, f"{self.cache}: {exc.strerror}")
        try:
            try:
                files = await asyncio.to_thread(
                    load_policy_files, temporary, verification_key=self._key, label=self.url
                )
            except PolicyLoadError as exc:
                self._etag = response.etag  # not downloaded again until it changes
                if digest != self._refused:
                    log.error(
                        "policy bundle refused, revision %s stays in force: %s",
                        store.revision[:12], exc,
                    )  # fmt: skip
                self._refused = digest
                return ReloadResult("refused", store.revision, str(exc))
            result = await store.apply(files)
            self._etag = response.etag
            if result.status != "refused":
                try:
                    os.replace(temporary, self.cache)
                except OSError as exc:
                    log.warning("policy bundle cache %s not updated: %s", self.cache, exc.strerror)
            return result
        finally:
            temporary.unlink(missing_ok=True)

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _download(self, session: aiohttp.ClientSession) -> _Download:
        headers = {"If-None-Match": self._etag} if self._etag else {}
        try:
            async with session.get(self.url, headers=headers, timeout=self._timeout) as response:
                if response.status == 304:
                    return _Download(None, self._etag)
                if response.status != 200:
                    raise DownloadError(f"HTTP {response.status}")
                if (response.content_length or 0) > MAX_BUNDLE_BYTES:
                    raise DownloadError(f"larger than {MAX_BUNDLE_BYTES} bytes")
                body = bytearray()
                async for chunk in response.content.iter_chunked(64 * 1024):
                    body += chunk
                    if len(body) > MAX_BUNDLE_BYTES:
                        raise DownloadError(f"larger than {MAX_BUNDLE_BYTES} bytes")
                return _Download(bytes(body), response.headers.get("ETag"))
        except TimeoutError:
            raise DownloadError(f"no answer within {self._timeout.total} s") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise DownloadError(str(exc) or type(exc).__name__) from None

    def _write_temporary(self, body: bytes) -> Path:
        """`body` in a new file next to the cache (same file system: the rename is atomic)."""
        descriptor, name = tempfile.mkstemp(
            dir=self.cache.parent, prefix=f".{self.cache.name}.", suffix=".part"
        )
        path = Path(name)
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(body)
                file.flush()
                os.fsync(file.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                path.unlink()
            raise
        return path
