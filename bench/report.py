"""Results of a proxy benchmark run: machine facts, ratios, the printed table and the JSON file."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from bench.cpu import CpuShare
from bench.load import LoadResult
from bench.procs import REPO_ROOT

GOAL_GATEWAY_VS_BARE = 0.80


@dataclass(frozen=True)
class Attempt:
    """One load run and the CPU use during it."""

    load: LoadResult
    cpu: CpuShare

    def to_json(self) -> dict[str, object]:
        """A JSON-ready mapping."""
        return {"load": self.load.to_json(), "cpu_cores": self.cpu.to_json()}


@dataclass(frozen=True)
class RoundRun:
    """The measured run of one target in one round: the kept attempt and any discarded ones."""

    round: int  # 1-based
    position: int  # 1-based place in that round's order
    kept: Attempt
    discarded: tuple[Attempt, ...] = ()  # disturbed attempts that were measured again
    noisy: bool = False  # even the kept attempt was disturbed by other processes

    @property
    def load(self) -> LoadResult:
        """The kept attempt's load result."""
        return self.kept.load

    @property
    def cpu(self) -> CpuShare:
        """The kept attempt's CPU use."""
        return self.kept.cpu

    @property
    def errors(self) -> int:
        """Errors of every attempt, discarded ones included."""
        return self.load.errors + sum(a.load.errors for a in self.discarded)

    def to_json(self) -> dict[str, object]:
        """A JSON-ready mapping."""
        return {
            "round": self.round,
            "position": self.position,
            **self.kept.to_json(),
            "attempts": 1 + len(self.discarded),
            "discarded": [a.to_json() for a in self.discarded],
            "noisy": self.noisy,
        }


def _median_or_none(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


@dataclass(frozen=True)
class Summary:
    """One target over all its rounds: medians, the throughput range, summed errors."""

    runs: int
    rps: float  # median
    rps_min: float
    rps_max: float
    p50_ms: float  # median of the per-run p50s
    p99_ms: float  # median of the per-run p99s
    errors: int  # summed over every attempt
    cpu: CpuShare  # per-field medians
    idle_targets_max: float  # the most any run saw the idle targets use
    noisy_runs: int

    @classmethod
    def of(cls, runs: list[RoundRun]) -> Summary:
        """Summarise a non-empty list of runs."""
        rps = [r.load.rps for r in runs]
        cpus = [r.cpu for r in runs]
        cpu = CpuShare(
            proxy=_median_or_none([c.proxy for c in cpus]),
            upstream=statistics.median(c.upstream for c in cpus),
            driver=statistics.median(c.driver for c in cpus),
            idle_targets=statistics.median(c.idle_targets for c in cpus),
            other=statistics.median(c.other for c in cpus),
            machine_busy=statistics.median(c.machine_busy for c in cpus),
        )
        return cls(
            runs=len(runs),
            rps=statistics.median(rps),
            rps_min=min(rps),
            rps_max=max(rps),
            p50_ms=statistics.median(r.load.p50_ms for r in runs),
            p99_ms=statistics.median(r.load.p99_ms for r in runs),
            errors=sum(r.errors for r in runs),
            cpu=cpu,
            idle_targets_max=max(c.idle_targets for c in cpus),
            noisy_runs=sum(r.noisy for r in runs),
        )

    def to_json(self) -> dict[str, object]:
        """A JSON-ready mapping."""
        return {
            "runs": self.runs,
            "rps_median": round(self.rps, 1),
            "rps_min": round(self.rps_min, 1),
            "rps_max": round(self.rps_max, 1),
            "p50_ms_median": round(self.p50_ms, 3),
            "p99_ms_median": round(self.p99_ms, 3),
            "errors": self.errors,
            "cpu_cores_median": self.cpu.to_json(),
            "idle_targets_cores_max": round(self.idle_targets_max, 3),
            "noisy_runs": self.noisy_runs,
        }


@dataclass
class TargetOutcome:
    """What happened to one target: measured, skipped or failed, and anything suspicious."""

    name: str
    description: str
    runs: list[RoundRun] = field(default_factory=list)
    skipped: str | None = None
    failed: str | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # not errors, but they weaken the numbers
    idle_cores: float | None = None  # CPU the started target used while nobody drove it
    log_tail: str = ""

    @property
    def summary(self) -> Summary | None:
        """Medians over the measured runs; None when there is none."""
        return Summary.of(self.runs) if self.runs else None

    @property
    def clean(self) -> bool:
        """Measured without failures, errors or problems."""
        return bool(self.runs) and not self.failed and not self.problems

    def to_json(self) -> dict[str, object]:
        """A JSON-ready mapping."""
        summary = self.summary
        return {
            "name": self.name,
            "description": self.description,
            "status": "skipped" if self.skipped else "failed" if self.failed else "measured",
            "clean": self.clean,
            "skipped": self.skipped,
            "failed": self.failed,
            "problems": self.problems,
            "notes": self.notes,
            "idle_cores": None if self.idle_cores is None else round(self.idle_cores, 3),
            "summary": summary.to_json() if summary else None,
            "runs": [r.to_json() for r in self.runs],
            "log_tail": self.log_tail or None,
        }


@dataclass(frozen=True)
class Ratio:
    """Throughput of one target divided by another's, paired round by round."""

    label: str
    numerator: str
    denominator: str
    paired: tuple[tuple[int, float], ...]  # (round, ratio of the two runs of that round)
    goal: float | None
    trustworthy: bool  # both targets were clean

    @property
    def value(self) -> float:
        """The median of the paired ratios."""
        return statistics.median(v for _, v in self.paired)

    @property
    def low(self) -> float:
        """The smallest paired ratio."""
        return min(v for _, v in self.paired)

    @property
    def high(self) -> float:
        """The largest paired ratio."""
        return max(v for _, v in self.paired)

    @property
    def rounds_meeting_goal(self) -> int:
        """How many rounds' ratios reach the goal (0 without a goal)."""
        goal = self.goal
        return 0 if goal is None else sum(v >= goal for _, v in self.paired)

    @property
    def verdict(self) -> str:
        """'goal >= G: met' or '...: BELOW' (on the median), rounds at the goal, warnings."""
        text = ""
        if self.goal is not None:
            met = "met" if self.value >= self.goal else "BELOW"
            text = (
                f"goal >= {self.goal:.2f}: {met} "
                f"({self.rounds_meeting_goal}/{len(self.paired)} rounds at or above)"
            )
        if not self.trustworthy:
            text = (text + "; " if text else "") + "a target had errors"
        return text

    def to_json(self) -> dict[str, object]:
        """A JSON-ready mapping."""
        return {
            "label": self.label,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "median": round(self.value, 4),
            "min": round(self.low, 4),
            "max": round(self.high, 4),
            "per_round": [{"round": r, "ratio": round(v, 4)} for r, v in self.paired],
            "goal": self.goal,
            "goal_met": None if self.goal is None else self.value >= self.goal,
            "rounds_meeting_goal": None if self.goal is None else self.rounds_meeting_goal,
            "trustworthy": self.trustworthy,
        }


_RATIOS: tuple[tuple[str, str, str, float | None], ...] = (
    ("gateway 1w / bare aiohttp", "gateway-1w", "bare", GOAL_GATEWAY_VS_BARE),
    ("gateway 1w no log / bare aiohttp", "gateway-1w-nolog", "bare", None),
    ("gateway 1w / gateway 1w no log", "gateway-1w", "gateway-1w-nolog", None),
    ("gateway 2w / gateway 1w (scaling)", "gateway-2w", "gateway-1w", None),
    ("bare aiohttp / nginx", "bare", "nginx", None),
    ("gateway 1w / nginx", "gateway-1w", "nginx", None),
    ("gateway 2w / nginx", "gateway-2w", "nginx", None),
)


def ratios(outcomes: list[TargetOutcome]) -> list[Ratio]:
    """The throughput ratios of target pairs, from the rounds in which both were measured."""
    by_name = {o.name: o for o in outcomes}
    found = []
    for label, top, bottom, goal in _RATIOS:
        if top not in by_name or bottom not in by_name:
            continue
        a, b = by_name[top], by_name[bottom]
        b_rps = {r.round: r.load.rps for r in b.runs if r.load.rps > 0}
        paired = tuple((r.round, r.load.rps / b_rps[r.round]) for r in a.runs if r.round in b_rps)
        if paired:
            found.append(Ratio(label, top, bottom, paired, goal, a.clean and b.clean))
    return found


def _read(path: str, key: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _git(*args: str) -> str | None:
    """The output of a read-only git command in the repository, or None if it fails."""
    try:
        out = subprocess.run(
            ["git", "--no-optional-locks", *args],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return None
    return out.stdout.rstrip() if out.returncode == 0 else None


def machine_info() -> dict[str, object]:
    """Facts about the machine and software the numbers depend on."""
    import aiohttp

    try:
        gerbang = metadata.version("gerbang")
    except metadata.PackageNotFoundError:
        gerbang = None
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_count": os.cpu_count(),
        "cpu_model": _read("/proc/cpuinfo", "model name"),
        "memory": _read("/proc/meminfo", "MemTotal"),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "aiohttp": aiohttp.__version__,
        "gerbang": gerbang,
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        # Uncommitted changes to the code under test: the commit alone does not name it then.
        "git_status_gateway": (_git("status", "--porcelain", "--", "gateway") or "").splitlines(),
    }


def _fmt(value: float | None, spec: str, suffix: str = "") -> str:
    return "-" if value is None else f"{value:{spec}}{suffix}"


def _status(o: TargetOutcome, summary: Summary | None) -> str:
    if o.skipped:
        return "skipped"
    if o.failed:
        return "FAILED"
    status = "ok" if o.clean else "FLAGGED"
    if summary is not None and summary.noisy_runs:
        status += f" (noisy {summary.noisy_runs}/{summary.runs})"
    return status


def _range(summary: Summary | None) -> str:
    if summary is None:
        return "-"
    return f"{summary.rps_min:,.0f}-{summary.rps_max:,.0f}"


def render(outcomes: list[TargetOutcome], found: list[Ratio]) -> str:
    """The results table and the ratios, as printed text."""
    header = (
        *("target", "req/s", "min-max", "p50 ms", "p99 ms", "errors", "runs"),
        *("CPU proxy", "upstream", "driver", "idle", "other", "status"),
    )
    rows = [header]
    for o in outcomes:
        s = o.summary
        cpu = s.cpu if s else None
        rows.append(
            (
                o.name,
                _fmt(s.rps if s else None, ",.0f"),
                _range(s),
                _fmt(s.p50_ms if s else None, ".2f"),
                _fmt(s.p99_ms if s else None, ".2f"),
                _fmt(s.errors if s else None, "d"),
                _fmt(s.runs if s else None, "d"),
                _fmt(cpu.proxy if cpu else None, ".2f"),
                _fmt(cpu.upstream if cpu else None, ".2f"),
                _fmt(cpu.driver if cpu else None, ".2f"),
                _fmt(s.idle_targets_max if s else None, ".2f"),
                _fmt(cpu.other if cpu else None, ".2f"),
                _status(o, s),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    last = len(header) - 1
    lines = [
        "  ".join(
            cell.ljust(w) if i in (0, last) else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(
        "(req/s, p50, p99 and CPU: medians over the rounds; errors: summed over every attempt;\n"
        " CPU columns: cores used during the measured runs; idle = the other targets, which\n"
        " were running but not driven (the most any run saw); other = processes not ours)"
    )
    if found:
        lines.append("")
        width = max(len(r.label) for r in found)
        lines.append(f"{'ratio (paired by round)'.ljust(width)}  median  min-max")
        for r in found:
            spread = f"{r.low:.2f}-{r.high:.2f}"
            lines.append(f"{r.label.ljust(width)}  {r.value:6.2f}  {spread}  {r.verdict}".rstrip())
    for o in outcomes:
        for problem in ([o.failed] if o.failed else []) + o.problems:
            lines.append(f"! {o.name}: {problem}")
        lines.extend(f"~ {o.name}: {note}" for note in o.notes)
    return "\n".join(lines)


def write_json(path: Path, payload: dict[str, object]) -> None:
    """Write the results file, creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n")
