"""`python -m bench COMMAND`: the command line of the benchmark harness.

Each subcommand is a module offering `add_parser(subparsers)`, which registers its options and
sets `run` (a function taking the parsed arguments and returning an exit status).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from types import ModuleType

from bench import audit, instructions, pii, pipeline, policy, proxy, ratelimit, scale, soak

SUBCOMMANDS: tuple[ModuleType, ...] = (
    proxy,
    instructions,
    pii,
    ratelimit,
    audit,
    policy,
    pipeline,
    scale,
    soak,
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with one subparser per benchmark."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Gerbang benchmarks (loopback only, bounded in time).",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the chosen benchmark."""
    args = build_parser().parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
