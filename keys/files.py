"""Reading and writing secret files: owner-only permissions enforced, writes atomic.

A secret file must have no group or other permission bits (0600 or stricter); otherwise it is
refused with `KeyFilePermissions` naming the file and the fix.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from keys.errors import KeyFilePermissions, KeysError

SECRET_FILE_MODE = 0o600


def check_permissions(path: Path, mode: int) -> None:
    """Raise KeyFilePermissions when `mode` lets group or others access the file at `path`."""
    if stat.S_IMODE(mode) & 0o077:
        raise KeyFilePermissions(
            f"{path}: permissions {stat.S_IMODE(mode):04o} let group or others read it; "
            f"run: chmod 600 {path}"
        )


def read_secret_file(path: Path) -> bytes:
    """The bytes of an owner-only file; KeyFilePermissions if group/other bits are set."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise KeysError(f"{path}: no such file") from None
    except OSError as exc:
        raise KeysError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)  # the file opened, not a path that may since have changed
        if not stat.S_ISREG(info.st_mode):
            raise KeysError(f"{path}: not a regular file")
        check_permissions(path, info.st_mode)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def write_secret_file(path: Path, data: bytes, *, overwrite: bool = False) -> None:
    """Write `data` to `path` with mode 0600, atomically (temporary file, fsync, rename).

    Without `overwrite`, an existing file is an error (KeysError naming it).
    """
    if not overwrite and path.exists():
        raise KeysError(f"{path}: already exists; refusing to overwrite it")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SECRET_FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), SECRET_FILE_MODE)  # whatever the umask
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # fails if another writer created `path` meanwhile
            os.unlink(temporary)
        _fsync_directory(path.parent)
    except FileExistsError:
        raise KeysError(f"{path}: already exists; refusing to overwrite it") from None
    except OSError as exc:
        raise KeysError(f"{path}: cannot write: {exc.strerror}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
