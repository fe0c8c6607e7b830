"""Who used the CPUs during a measured run: the proxy, the upstream, the load driver, others."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass

from bench.procs import Service, groups_cpu_seconds, machine_cpu_seconds, own_cpu_seconds


@dataclass
class CpuShare:
    """Cores used (CPU seconds per wall second) over one measured run."""

    proxy: float | None = None  # None when there is no proxy (the direct target)
    upstream: float = 0.0
    driver: float = 0.0  # this process and its reaped children (wrk)
    idle_targets: float = 0.0  # the other targets, started but not driven: should be 0
    other: float = 0.0  # machine busy time not explained by the above: processes not ours
    machine_busy: float = 0.0  # fraction of all cores busy

    @property
    def disturbance(self) -> float:
        """Cores taken by anything but the measured target, its upstream and the driver."""
        return self.idle_targets + self.other

    def to_json(self) -> dict[str, float | None]:
        """Rounded values."""
        return {k: None if v is None else round(v, 3) for k, v in asdict(self).items()}


def _read(groups: Sequence[int]) -> tuple[float, tuple[float, float], float, dict[int, float]]:
    return time.monotonic(), machine_cpu_seconds(), own_cpu_seconds(), groups_cpu_seconds(groups)


@contextlib.contextmanager
def cpu_meter(
    proxy: Service | None, upstream: Service, idle: Sequence[Service] = ()
) -> Iterator[CpuShare]:
    """Yield a CpuShare that is filled in when the block ends.

    `idle` are the targets that are running but not under load during the block.
    """
    share = CpuShare()
    groups = [upstream.pgid, *(s.pgid for s in idle)] + ([proxy.pgid] if proxy else [])
    start, (busy0, total0), driver0, groups0 = _read(groups)
    yield share
    end, (busy1, total1), driver1, groups1 = _read(groups)
    wall = max(end - start, 1e-9)
    used = {pgid: (groups1[pgid] - groups0[pgid]) / wall for pgid in groups}
    share.machine_busy = (busy1 - busy0) / max(total1 - total0, 1e-9)
    share.upstream = used[upstream.pgid]
    share.driver = (driver1 - driver0) / wall
    share.idle_targets = sum(used[s.pgid] for s in idle)
    if proxy is not None:
        share.proxy = used[proxy.pgid]
    ours = share.upstream + share.driver + share.idle_targets + (share.proxy or 0.0)
    share.other = max(0.0, (busy1 - busy0) / wall - ours)
