"""Policy files on disk: load a directory or an `opa build` bundle, hash it, reload it safely.

A policy source is a directory or a `.tar.gz` bundle holding `*.rego` modules and `data.json`
files. As in OPA's bundle format, a `data.json` in directory `a/b/` is the document `data.a.b`;
other files are ignored. The digest is the SHA-256 of every file loaded (path and content). The
revision is the `revision` of a bundle's `.manifest` (`gerbang policy bundle` writes the digest
of the directory it was built from there), else the digest.

With a verification key only a bundle whose `.signatures.json` holds (policies/signing.py) is
loaded; a directory, which cannot carry a signature, is refused.

`PolicyStore` keeps the compiled form of the last good source. `reload()` (called on SIGHUP and
by `watch()` when files change) compiles the source again and switches to it only if that
succeeds: a broken policy is refused with a logged reason and the old one stays in force.
Exchanges already deciding keep the compiled policy they started with.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import logging
import os
import tarfile
import zlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Generic, Literal, TypeVar

from policies.signing import (
    MANIFEST_FILE,
    SignatureError,
    VerificationKey,
    verify_bundle,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

TEST_SUFFIX = "_test.rego"
MAX_BUNDLE_BYTES = 64 * 1024 * 1024
"""The largest policy source (all files together) that is read, against runaway archives."""
MAX_BUNDLE_MEMBERS = 10_000
MAX_REVISION_CHARS = 128
"""The longest manifest revision accepted (audit records hold 128 characters)."""


class PolicyLoadError(Exception):
    """A policy source that cannot be used; the message starts with the file it is about."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


@dataclass(frozen=True, slots=True)
class PolicyFiles:
    """The modules and data of one policy source, as read."""

    source: str
    modules: Mapping[str, str]
    """Module path (relative, with `/`) -> Rego text, tests included."""
    data: Mapping[str, object]
    revision: str
    """The manifest's revision of a bundle that has one, else `digest`."""
    digest: str
    """SHA-256 over the modules and data files (names and contents)."""

    @property
    def policy_modules(self) -> dict[str, str]:
        """The modules the engines evaluate (everything but `*_test.rego`)."""
        return {k: v for k, v in self.modules.items() if not k.endswith(TEST_SUFFIX)}

    @property
    def test_modules(self) -> dict[str, str]:
        """The `*_test.rego` modules."""
        return {k: v for k, v in self.modules.items() if k.endswith(TEST_SUFFIX)}


def load_policy_files(
    path: Path, *, verification_key: VerificationKey | None = None, label: str | None = None
) -> PolicyFiles:
    """Read a policy directory or `.tar.gz` bundle; raises PolicyLoadError naming the file.

    With `verification_key`, only a bundle with a valid signature is read. `label` names the
    source in messages and `PolicyFiles.source` instead of `path` (a downloaded bundle's URL).
    """
    shown = label or str(path)
    manifest: bytes | None = None
    if path.is_dir():
        if verification_key is not None:
            raise PolicyLoadError(
                shown, "a directory carries no signature: with a verification key only a "
                "signed .tar.gz bundle is loaded (gerbang policy bundle)",
            )  # fmt: skip
        raw = _read_directory(path)
    elif path.is_file():
        members = _read_archive(path, shown)
        if verification_key is not None:
            try:
                verify_bundle(members, verification_key)
            except SignatureError as exc:
                raise PolicyLoadError(shown, f"bundle refused: {exc}") from None
        manifest = members.get(MANIFEST_FILE)
        raw = {name: content for name, content in members.items() if _loaded(name)}
    else:
        raise PolicyLoadError(shown, "no such policy directory or bundle")
    modules: dict[str, str] = {}
    data: dict[str, object] = {}
    digest = hashlib.sha256()
    for name in sorted(raw):
        content = raw[name]
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
        where = f"{shown}/{name}" if path.is_dir() else f"{shown}:{name}"
        if name.endswith(".rego"):
            try:
                modules[name] = content.decode("utf-8")
            except UnicodeDecodeError:
                raise PolicyLoadError(where, "not UTF-8 text") from None
        else:
            _merge_data(data, PurePosixPath(name).parent.parts, _json_object(content, where), where)
    if not any(not name.endswith(TEST_SUFFIX) for name in modules):
        raise PolicyLoadError(shown, "no policy modules (*.rego other than *_test.rego)")
    revision = _manifest_revision(manifest, f"{shown}:{MANIFEST_FILE}") if manifest else None
    return PolicyFiles(
        source=shown,
        modules=modules,
        data=data,
        revision=revision or digest.hexdigest(),
        digest=digest.hexdigest(),
    )


def _manifest_revision(content: bytes, where: str) -> str | None:
    """The `revision` of a bundle's .manifest; None when it names none."""
    try:
        manifest = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        raise PolicyLoadError(where, "not JSON") from None
    if not isinstance(manifest, dict):
        raise PolicyLoadError(where, "must hold a JSON object")
    revision = manifest.get("revision", "")
    if not isinstance(revision, str):
        raise PolicyLoadError(where, "revision must be a string")
    if len(revision) > MAX_REVISION_CHARS or not revision.isprintable():
        raise PolicyLoadError(
            where, f"revision must be at most {MAX_REVISION_CHARS} printable characters"
        )
    return revision or None


def fingerprint(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap change detection: (name, mtime_ns, size) of every file `load_policy_files` reads."""
    try:
        if path.is_dir():
            entries = []
            for file in _policy_paths(path):
                stat = file.stat()
                entries.append((file.relative_to(path).as_posix(), stat.st_mtime_ns, stat.st_size))
            return tuple(entries)
        stat = path.stat()
        return ((path.name, stat.st_mtime_ns, stat.st_size),)
    except OSError:
        return ()


def _relevant(name: str) -> bool:
    base = PurePosixPath(name).name
    return base.endswith(".rego") or base == "data.json"


def _loaded(name: str) -> bool:
    """Whether an archive member is a module or data file that is loaded."""
    parts = PurePosixPath(name).parts
    return _relevant(name) and ".." not in parts and not any(p.startswith(".") for p in parts)


def _policy_paths(root: Path) -> list[Path]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(
            Path(folder) / f for f in sorted(files) if not f.startswith(".") and _relevant(f)
        )
    return found


def _read_directory(root: Path) -> dict[str, bytes]:
    raw: dict[str, bytes] = {}
    total = 0
    for file in _policy_paths(root):
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise PolicyLoadError(str(file), f"cannot read: {exc.strerror}") from None
        total += len(content)
        if total > MAX_BUNDLE_BYTES:
            raise PolicyLoadError(str(root), f"larger than {MAX_BUNDLE_BYTES} bytes")
        raw[file.relative_to(root).as_posix()] = content
    return raw


def _read_archive(path: Path, shown: str) -> dict[str, bytes]:
    """Every regular file of the archive by name (without a leading `/` or `./`); links and
    other special members are skipped, as OPA skips them. A name twice is refused."""
    raw: dict[str, bytes] = {}
    total = 0
    try:
        with tarfile.open(path, mode="r:*") as archive:
            for count, member in enumerate(archive, start=1):
                if count > MAX_BUNDLE_MEMBERS:
                    raise PolicyLoadError(shown, f"more than {MAX_BUNDLE_MEMBERS} members")
                if not member.isfile():
                    continue
                name = PurePosixPath(member.name.lstrip("/"))
                if name.parts[:1] == (".",):
                    name = PurePosixPath(*name.parts[1:]) if len(name.parts) > 1 else name
                key = name.as_posix()
                if key in raw:
                    raise PolicyLoadError(f"{shown}:{key}", "in the archive twice")
                total += member.size
                if total > MAX_BUNDLE_BYTES:
                    raise PolicyLoadError(shown, f"larger than {MAX_BUNDLE_BYTES} bytes")
                stream = archive.extractfile(member)
                if stream is not None:
                    raw[key] = stream.read()
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise PolicyLoadError(shown, f"not a readable .tar.gz bundle ({exc})") from None
    return raw


def _json_object(content: bytes, where: str) -> dict[str, object]:
    try:
        value = json.load(io.BytesIO(content))
    except json.JSONDecodeError as exc:
        raise PolicyLoadError(where, f"not JSON ({exc.msg} at line {exc.lineno})") from None
    except UnicodeDecodeError:
        raise PolicyLoadError(where, "not UTF-8 text") from None
    if not isinstance(value, dict):
        raise PolicyLoadError(where, "must hold a JSON object")
    return value


def _merge_data(
    data: dict[str, object], prefix: tuple[str, ...], value: dict[str, object], where: str
) -> None:
    node = data
    for part in prefix:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise PolicyLoadError(where, f"data.{'.'.join(prefix)} is defined twice")
        node = child
    for key, item in value.items():
        if key in node:
            raise PolicyLoadError(where, f"data.{'.'.join((*prefix, key))} is defined twice")
        node[key] = item


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """What a reload did: `applied` a new revision, found it `unchanged`, or `refused` it."""

    status: Literal["applied", "unchanged", "refused"]
    revision: str
    """The revision in force afterwards."""
    error: str | None = None


@dataclass(slots=True)
class _Active(Generic[T]):
    compiled: T
    revision: str
    digest: str


@dataclass(eq=False)
class PolicyStore(Generic[T]):
    """The compiled policy in force, loaded from `path` with `compile`, reloadable.

    `compile` turns PolicyFiles into the engine's form and raises on a policy it cannot use.
    When given, `run` executes `compile` (for example on the engine's own thread); it defaults
    to calling it directly. With `verification_key`, only signed bundles are loaded.

    A new source is switched to unless it has the revision and digest in force (unchanged); a
    source that reuses the revision in force for other content is refused, so that a revision
    (in audit records and cache keys) always names one content.
    """

    path: Path
    compile: Callable[[PolicyFiles], T]
    run: Callable[[Callable[[], T]], Awaitable[T]] | None = None
    verification_key: VerificationKey | None = None
    _active: _Active[T] = field(init=False)
    _fingerprint: tuple[tuple[str, int, int], ...] = field(init=False, default=())
    _lock: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        files = load_policy_files(self.path, verification_key=self.verification_key)
        self._active = _Active(self.compile(files), files.revision, files.digest)
        self._fingerprint = fingerprint(self.path)

    @property
    def current(self) -> T:
        """The compiled policy in force now (keep the reference for one whole decision)."""
        return self._active.compiled

    @property
    def revision(self) -> str:
        """The revision in force now."""
        return self._active.revision

    async def reload(self) -> ReloadResult:
        """Load and compile the source again; switch only if both succeed (never raises)."""
        async with self._lock:
            self._fingerprint = fingerprint(self.path)
            try:
                files = await asyncio.to_thread(
                    load_policy_files, self.path, verification_key=self.verification_key
                )
            except Exception as exc:  # a broken policy of any kind: keep the old one
                return self._refused(exc)
            return await self._switch(files)

    async def apply(self, files: PolicyFiles) -> ReloadResult:
        """Switch to policy files loaded elsewhere (a downloaded bundle, already verified)
        under the same rules as `reload` (never raises)."""
        async with self._lock:
            return await self._switch(files)

    async def _switch(self, files: PolicyFiles) -> ReloadResult:
        old = self._active
        if files.revision == old.revision:
            if files.digest == old.digest:
                return ReloadResult("unchanged", old.revision)
            problem = f"revision {old.revision} is in force with other content: give a new revision"
            return self._refused(PolicyLoadError(files.source, problem))
        try:
            compiled = await self._compile(files)
        except Exception as exc:  # a broken policy of any kind: keep the old one
            return self._refused(exc)
        self._active = _Active(compiled, files.revision, files.digest)
        log.info("policy revision %s in force (was %s)", files.revision[:12], old.revision[:12])
        return ReloadResult("applied", files.revision)

    def _refused(self, exc: Exception) -> ReloadResult:
        old = self._active.revision
        log.error("policy reload refused, revision %s stays in force: %s", old[:12], exc)
        return ReloadResult("refused", old, str(exc))

    async def watch(self, interval: float) -> None:
        """Poll the files every `interval` seconds and reload when they change (runs forever)."""
        while True:
            await asyncio.sleep(interval)
            if fingerprint(self.path) != self._fingerprint:
                await self.reload()

    async def _compile(self, files: PolicyFiles) -> T:
        if self.run is None:
            return self.compile(files)
        return await self.run(lambda: self.compile(files))
