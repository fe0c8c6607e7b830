"""Run the real `gerbang` command in tests: generated TOML config, readiness wait, clean stop.

Every process is started in its own session (process group) so that a test can never leave a
worker behind: `Launcher.close()` (called from fixture teardown) sends SIGTERM, waits a bounded
time, then SIGKILLs the whole group. Standard error and output are collected to files.
Upstreams are real aiohttp servers on 127.0.0.1, in the test's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import aiohttp
from aiohttp import web

HOST = "127.0.0.1"
START_DEADLINE_S = 20.0
STOP_DEADLINE_S = 15.0
_POLL_S = 0.05


# -- configuration -------------------------------------------------------------------------------


ALLOW_ALL_POLICY = Path(__file__).parent / "policies" / "allow_all"
"""A policy allowing everything, for tests of plain proxying (the default bundle denies)."""


def plain(config: Mapping[str, Any]) -> dict[str, Any]:
    """A config mapping with the allow-all policy unless it names one."""
    return {"policy": {"dir": str(ALLOW_ALL_POLICY)}, **config}


def route(name: str, path_prefix: str, upstream: str, **extra: Any) -> dict[str, Any]:
    """One `[[routes]]` table of a plain proxy route: public, bodies streamed without scanning."""
    plain = {"public": True, "pii": {"scan_request": False}}
    return {"name": name, "path_prefix": path_prefix, "upstream": upstream, **plain, **extra}


def gateway_config(
    *,
    port: int,
    admin_port: int,
    routes: Sequence[Mapping[str, Any]],
    server: Mapping[str, Any] | None = None,
    log_format: str = "json",
) -> dict[str, Any]:
    """A whole gateway config on loopback; `server` entries override the defaults."""
    return {
        "server": {"host": HOST, "port": port, "shutdown_timeout": 5.0, **(server or {})},
        "admin": {"host": HOST, "port": admin_port},
        "logging": {"level": "info", "format": log_format},
        "policy": {"dir": str(ALLOW_ALL_POLICY)},
        "routes": list(routes),
    }


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str | Path):
        return json.dumps(str(value))  # a JSON string is a valid TOML basic string
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML rendering for {type(value).__name__}")


def _toml_table(lines: list[str], name: str, table: Mapping[str, Any]) -> None:
    lines.append(f"[{name}]")
    lines += [f"{k} = {_toml_value(v)}" for k, v in table.items() if not isinstance(v, Mapping)]
    for key, value in table.items():
        if isinstance(value, Mapping):
            _toml_table(lines, f"{name}.{key}", value)


def to_toml(data: Mapping[str, Any]) -> str:
    """Render a config mapping: tables (nested ones as sub-tables) and `[[routes]]`."""
    lines: list[str] = []
    for name, table in data.items():
        if name != "routes":
            _toml_table(lines, name, table)
    for entry in data.get("routes", ()):
        lines.append("[[routes]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in entry.items()]
    return "\n".join(lines) + "\n"


# -- upstreams -----------------------------------------------------------------------------------


class Upstream:
    """A real aiohttp server on 127.0.0.1; handlers are cancelled when the gateway hangs up."""

    def __init__(self, app: web.Application) -> None:
        self._runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        self.url = ""

    async def start(self) -> Upstream:
        """Listen on a free port; `url` is then the base URL."""
        await self._runner.setup()
        await web.TCPSite(self._runner, HOST, 0).start()
        self.url = f"http://{HOST}:{self._runner.addresses[0][1]}"
        return self

    async def close(self) -> None:
        """Stop listening and cancel what is still running."""
        await self._runner.cleanup()


# -- the gerbang process -------------------------------------------------------------------------


def _exited(pid: int) -> bool:
    """True once the child has exited; it is not reaped, so its pid and group stay reserved."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of process group `pgid`, other than its leader."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == pgid:
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state != "Z":
            members.append(int(entry.name))
    return members


def pid_alive(pid: int) -> bool:
    """True when `pid` names a running (non-zombie) process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@dataclass
class Stopped:
    """How a gerbang process ended."""

    exit_code: int
    elapsed_s: float  # from the signal to the exit
    lines: list[str]  # standard error, one entry a line
    leftover_pids: list[int]  # processes of its group still running after it exited


@dataclass
class Gerbang:
    """A running `gerbang` process."""

    popen: subprocess.Popen[bytes]
    port: int
    admin_port: int
    stdout_path: Path
    stderr_path: Path
    scheme: str = "http"
    stopped: Stopped | None = None
    signalled: bool = False
    _files: list[IO[bytes]] = field(default_factory=list)

    @property
    def pid(self) -> int:
        """The main process id (supervisor or single worker)."""
        return self.popen.pid

    @property
    def url(self) -> str:
        """The proxy listener's base URL."""
        return f"{self.scheme}://{HOST}:{self.port}"

    @property
    def admin_url(self) -> str:
        """The admin listener's base URL."""
        return f"http://{HOST}:{self.admin_port}"

    def stdout(self) -> str:
        """Everything written to standard output so far."""
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        """Everything written to standard error so far."""
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def log_lines(self) -> list[str]:
        """The non-empty lines of standard error."""
        return [line for line in self.stderr().splitlines() if line.strip()]

    def json_lines(self) -> list[dict[str, Any]]:
        """Standard error parsed line by line; fails on any line that is not a JSON object."""
        entries = []
        for line in self.log_lines():
            entry = json.loads(line)
            assert isinstance(entry, dict), line
            entries.append(entry)
        return entries

    def access_lines(self) -> list[dict[str, Any]]:
        """The access log entries (logger "gerbang.access")."""
        return [e for e in self.json_lines() if e.get("logger") == "gerbang.access"]

    def exited(self) -> bool:
        """True once the main process has exited."""
        return self.popen.returncode is not None or _exited(self.pid)

    async def wait_ready(self, deadline_s: float = START_DEADLINE_S) -> None:
        """Wait until `/readyz` on the admin port answers 200; fail if it exits or times out."""
        deadline = time.monotonic() + deadline_s
        timeout = aiohttp.ClientTimeout(total=1.0)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while time.monotonic() < deadline:
                if self.exited():
                    raise AssertionError(f"gerbang exited before ready:\n{self.stderr()}")
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with session.get(f"{self.admin_url}/readyz") as resp:
                        if resp.status == 200:
                            return
                await asyncio.sleep(_POLL_S)
        raise AssertionError(f"gerbang not ready after {deadline_s}s:\n{self.stderr()}")

    async def wait_output(self, text: str, deadline_s: float = START_DEADLINE_S) -> str:
        """Wait until standard output contains `text`; return the output."""
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            output = self.stdout()
            if text in output:
                return output
            await asyncio.sleep(_POLL_S)
        raise AssertionError(f"{text!r} not printed after {deadline_s}s:\n{self.stdout()}")

    def send(self, sig: signal.Signals) -> None:
        """Send a signal to the main process (unless it already exited)."""
        if not self.exited():
            self.signalled = True
            os.kill(self.pid, sig)

    async def wait_exit(self, deadline_s: float = STOP_DEADLINE_S) -> bool:
        """Wait (bounded) for the main process to exit, without reaping it; True if it did."""
        deadline = time.monotonic() + deadline_s
        while not self.exited():
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(_POLL_S)
        return True

    async def stop(
        self, sig: signal.Signals = signal.SIGTERM, deadline_s: float = STOP_DEADLINE_S
    ) -> Stopped:
        """Signal, wait for the exit (SIGKILL after the deadline), reap; the exit code and logs.

        No signal is sent if the test already sent one: a second one could interrupt the
        shutdown under way. Whatever of its process group still runs a moment after it exited
        is recorded in `leftover_pids`, then killed.
        """
        if self.stopped is not None:
            return self.stopped
        started = time.monotonic()
        if not self.signalled:
            self.send(sig)
        if not await self.wait_exit(deadline_s):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)  # the leader is not reaped: the group is ours
            await self.wait_exit(5.0)
        elapsed = time.monotonic() - started
        grace = time.monotonic() + 2.0
        while True:
            leftovers = group_members(self.pid)
            if not leftovers or time.monotonic() > grace:
                break
            await asyncio.sleep(_POLL_S)
        if leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
        exit_code = self.popen.wait(timeout=5.0)
        for file in self._files:
            file.close()
        self.stopped = Stopped(exit_code, elapsed, self.log_lines(), leftovers)
        return self.stopped


class Launcher:
    """Starts gerbang processes for one test and stops them all in `close()`."""

    def __init__(self, tmp_path: Path, command: Sequence[str], env: Mapping[str, str]) -> None:
        self._dir = tmp_path
        self._command = list(command)
        self._env = dict(env)
        self._started: list[Gerbang] = []

    def start(self, args: Sequence[str], *, port: int, admin_port: int, scheme: str) -> Gerbang:
        """Start `gerbang ARGS` without waiting for it."""
        index = len(self._started)
        stdout_path = self._dir / f"gerbang-{index}.stdout"
        stderr_path = self._dir / f"gerbang-{index}.stderr"
        stdout = stdout_path.open("wb")
        stderr = stderr_path.open("wb")
        popen = subprocess.Popen(
            [*self._command, *args],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=self._env,
            cwd=self._dir,
            start_new_session=True,
        )
        process = Gerbang(popen, port, admin_port, stdout_path, stderr_path, scheme)
        process._files += [stdout, stderr]
        self._started.append(process)
        return process

    async def serve(
        self, config: Mapping[str, Any], *, workers: int | None = None, wait: bool = True
    ) -> Gerbang:
        """`gerbang serve` with `config` written as TOML; waits until /readyz answers 200."""
        path = self._dir / f"gerbang-{len(self._started)}.toml"
        path.write_text(to_toml(config), encoding="utf-8")
        args = ["serve", "--config", str(path)]
        if workers is not None:
            args += ["--workers", str(workers)]
        server = config["server"]
        process = self.start(
            args,
            port=server["port"],
            admin_port=config["admin"]["port"],
            scheme="https" if "tls" in server else "http",
        )
        if wait:
            await process.wait_ready()
        return process

    async def demo(self, *, port: int, admin_port: int, directory: Path) -> Gerbang:
        """`gerbang demo` on loopback; waits until /readyz answers 200."""
        args = ["demo", "--host", HOST, "--port", str(port), "--admin-port", str(admin_port)]
        args += ["--dir", str(directory)]
        process = self.start(args, port=port, admin_port=admin_port, scheme="http")
        await process.wait_ready()
        return process

    async def close(self) -> None:
        """Stop every process started (SIGTERM, then SIGKILL to its group after a deadline)."""
        for process in self._started:
            await process.stop(deadline_s=STOP_DEADLINE_S)
