"""What a load driver measures, and the interface every driver offers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class LoadResult:
    """One fixed-duration load run against one URL."""

    driver: str
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    bad_status: int  # responses with an error status (wrk counts status >= 400)
    socket_errors: dict[str, int] = field(default_factory=dict)  # connect, read, write, timeout

    @property
    def errors(self) -> int:
        """Error responses plus socket errors."""
        return self.bad_status + sum(self.socket_errors.values())

    def to_json(self) -> dict[str, object]:
        """A JSON-ready mapping, with the error total."""
        return {**asdict(self), "errors": self.errors}


class Driver(Protocol):
    """Something that drives GET load at a URL for a number of seconds."""

    name: str

    def describe(self) -> str:
        """E.g. 'wrk 4.1.0 -t2 -c32'."""
        ...

    def run(self, url: str, seconds: int) -> LoadResult:
        """Drive load for `seconds` and report."""
        ...


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of an ascending sequence; NaN when empty."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]
