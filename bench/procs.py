"""Child processes of a benchmark run: start each in its own process group, watch, stop.

Stopping signals the whole group (so forked workers go too): SIGTERM, then SIGKILL after a
deadline. CPU use is read from /proc for every process of the group.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import IO

LOOPBACK = "127.0.0.1"
REPO_ROOT = Path(__file__).resolve().parent.parent
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def port_open(port: int, host: str = LOOPBACK) -> bool:
    """Whether something accepts TCP connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def http_get(port: int, path: str, timeout: float = 2.0) -> tuple[int, bytes]:
    """One GET to 127.0.0.1:port; returns status and body."""
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _proc_stat(pid: str) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()


def group_members(pgid: int) -> list[int]:
    """Process ids whose process group is pgid (zombies included)."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _proc_stat(entry)
            if fields is not None and int(fields[2]) == pgid:
                members.append(int(entry))
    return members


def groups_cpu_seconds(pgids: Collection[int]) -> dict[int, float]:
    """User plus system CPU seconds used so far by the living processes of each group.

    One pass over /proc, so the groups are read at (nearly) the same moment.
    """
    ticks = dict.fromkeys(pgids, 0)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _proc_stat(entry)
            if fields is not None and (pgid := int(fields[2])) in ticks:
                ticks[pgid] += int(fields[11]) + int(fields[12])
    return {pgid: count / _CLOCK_TICKS for pgid, count in ticks.items()}


def group_cpu_seconds(pgid: int) -> float:
    """User plus system CPU seconds used so far by the living processes of a group."""
    return groups_cpu_seconds([pgid])[pgid]


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, summed over all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    total = sum(values[:8])  # guest time is already counted in user time
    idle = values[3] + values[4]  # idle + iowait
    return (total - idle) / _CLOCK_TICKS, total / _CLOCK_TICKS


def own_cpu_seconds() -> float:
    """CPU seconds of this process plus its reaped children (the load driver, e.g. wrk)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def background_busy(seconds: float = 1.0) -> float:
    """Fraction of all cores busy over `seconds` of sleep: what else the machine is doing."""
    busy0, total0 = machine_cpu_seconds()
    time.sleep(seconds)
    busy1, total1 = machine_cpu_seconds()
    return (busy1 - busy0) / max(total1 - total0, 1e-9)


class Service:
    """One child process (plus whatever it forks) in its own session and process group."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        *,
        port: int,
        env: Mapping[str, str] | None = None,
        stop_timeout: float = 10.0,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.port = port
        self.env = dict(env) if env is not None else None
        self.stop_timeout = stop_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> None:
        """Start the process with stdout and stderr going to log_path."""
        self._log = self.log_path.open("wb")
        self._proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=REPO_ROOT,
            env=self.env,
            start_new_session=True,
        )

    @property
    def pgid(self) -> int:
        """The process group id (the leader's pid, as it started a new session)."""
        assert self._proc is not None
        return self._proc.pid

    def exit_code(self) -> int | None:
        """The leader's exit status, or None while it runs."""
        return None if self._proc is None else self._proc.poll()

    def cpu_seconds(self) -> float:
        """CPU seconds used so far by the living processes of the group."""
        return group_cpu_seconds(self.pgid)

    def log_tail(self, lines: int = 20) -> str:
        """The last lines the process wrote."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pgid, signum)

    def _living_members(self) -> list[int]:
        members = []
        for pid in group_members(self.pgid):
            fields = _proc_stat(str(pid))
            if fields is not None and fields[0] != "Z":
                members.append(pid)
        return members

    def stop(self) -> None:
        """SIGTERM the group, SIGKILL whatever is left after stop_timeout; idempotent."""
        if self._proc is None:
            return
        try:
            self._signal_group(signal.SIGTERM)
            deadline = time.monotonic() + self.stop_timeout
            while time.monotonic() < deadline:
                if self._proc.poll() is not None and not self._living_members():
                    break
                time.sleep(0.05)
            else:
                print(
                    f"  {self.name}: still running after SIGTERM, sending SIGKILL", file=sys.stderr
                )
            self._signal_group(signal.SIGKILL)
            self._proc.wait(timeout=5)
            if port_open(self.port):
                print(f"  WARNING: {self.name}: port {self.port} still open", file=sys.stderr)
        finally:
            self._proc = None
            if self._log is not None:
                self._log.close()
                self._log = None


def wait_ready(
    service: Service, path: str, timeout: float, *, request_timeout: float = 1.0
) -> tuple[int, bytes]:
    """Poll GET path until it answers 200; raise RuntimeError if the process exits or times out."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        code = service.exit_code()
        if code is not None:
            raise RuntimeError(f"{service.name} exited with status {code} before it was ready")
        try:
            status, body = http_get(service.port, path, timeout=request_timeout)
        except OSError as exc:
            last = f"{type(exc).__name__}: {exc}"
        else:
            if status == 200:
                return status, body
            last = f"HTTP {status}"
        time.sleep(0.1)
    raise RuntimeError(f"{service.name} not ready after {timeout:.0f} s ({last})")
