"""Fixtures of the rate-limit tests: unique route names (one Redis is shared by the session) and
Redis servers a test may stop and start again on the same port."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

START_DEADLINE_S = 10.0


@pytest.fixture
def route_name() -> str:
    """A route name no other test uses, so buckets in the shared Redis never collide."""
    return f"svc-{uuid.uuid4().hex[:12]}"


def free_port() -> int:
    """A loopback port nothing listens on (at the moment of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _ping(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(16).startswith(b"+PONG")
    return False


class RedisProcess:
    """One redis-server on a fixed loopback port that can be stopped and started again."""

    def __init__(self, binary: str, directory: Path) -> None:
        self._binary = binary
        self._dir = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [self._binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self._dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + START_DEADLINE_S
        while not _ping(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None


@pytest.fixture
def redis_process(redis_url: str, tmp_path: Path) -> Iterator[RedisProcess]:
    """A private Redis (started) that the test may stop and restart; `redis_url` installs it."""
    binary = shutil.which("redis-server")
    assert binary is not None
    process = RedisProcess(binary, tmp_path)
    process.start()
    yield process
    process.stop()
