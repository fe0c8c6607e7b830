"""Benchmarks for the Gerbang gateway, run from the repository root as `python -m bench COMMAND`.

Not part of the installed distribution: a developer tool that starts local processes on
127.0.0.1 only, drives load at them for a bounded time and stops everything it started.
"""
