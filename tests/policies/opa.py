"""A real Open Policy Agent for the tests, installed by scripts/install-opa (cached Go build).

`opa_binary` (session) runs the install script once; when OPA cannot be had the tests using it
are skipped with the reason, printed and warned, never silently. `opa_url` (session) is an
`opa run --server` on a free loopback port serving the default bundle, started once.
`running_opa(binary, path)` starts another one for a test that needs its own policy.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from policies import DEFAULT_BUNDLE

REPO = Path(__file__).resolve().parents[2]
INSTALL = REPO / "scripts" / "install-opa"
INSTALL_DEADLINE_S = 900.0
START_DEADLINE_S = 20.0


def _skip(reason: str) -> None:
    message = f"OPA TESTS SKIPPED: {reason}"
    print(message, file=sys.stderr)
    warnings.warn(message, stacklevel=2)
    pytest.skip(message)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _healthy(url: str) -> bool:
    with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/health", timeout=0.5) as r:
        return bool(r.status == 200)
    return False


@contextlib.contextmanager
def running_opa(binary: str, path: Path, *extra: str) -> Iterator[str]:
    """`opa run --server` on 127.0.0.1:<free port> loading `path` as a bundle; yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [binary, "run", "--server", "--addr", f"127.0.0.1:{port}", "--log-level", "error",
         "--disable-telemetry", *extra, "--bundle", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + START_DEADLINE_S
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                _, err = process.communicate()
                raise RuntimeError(f"opa did not start: {err.decode(errors='replace')[-800:]}")
            time.sleep(0.05)
        yield url
    finally:
        stop_process(process)
        if process.stderr is not None:
            process.stderr.close()


@pytest.fixture(scope="session")
def opa_binary() -> str:
    """The path of the pinned `opa` binary (built once, cached across runs)."""
    try:
        done = subprocess.run(
            [str(INSTALL)], capture_output=True, text=True, timeout=INSTALL_DEADLINE_S, check=False
        )
    except subprocess.TimeoutExpired:
        _skip(f"scripts/install-opa did not finish in {INSTALL_DEADLINE_S:.0f} s")
    except OSError as exc:
        _skip(f"scripts/install-opa cannot run ({exc})")
    if done.returncode != 0:
        _skip(f"scripts/install-opa failed: {(done.stderr or done.stdout).strip()[-800:]}")
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def opa_url(opa_binary: str) -> Iterator[str]:
    """The URL of an OPA server serving the default bundle for the whole session."""
    with running_opa(opa_binary, DEFAULT_BUNDLE) as url:
        yield url


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it has not exited within 5 s; waits for it either way."""
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
