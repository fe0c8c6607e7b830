"""The in-process engine: the same Rego files evaluated by regopy, no server needed.

Where it runs: on one dedicated thread per engine, not on the event loop. Measured on the default
bundle (docs/benchmarks.md), one decision costs about 0.3 ms of Python converting the input plus
0.4-0.6 ms inside rego-cpp, which regopy calls through ctypes with the GIL released. Run inline,
that whole millisecond would stall every other exchange of the worker; on the thread the loop
keeps serving during the rego-cpp part, for a hop of about 0.1 ms. One thread and
not a pool, because an interpreter is not thread-safe: after the first compile (in the
constructor), every regopy call of the engine - each decision, each compile on reload - goes
through that one thread, in order. Cached decisions (policies/cache.py) never reach it.

An undefined decision, an engine error (`<error>`) or output that is not JSON is a refusal.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from policies import DEFAULT_BUNDLE
from policies.decision import Decision, parse_decision
from policies.engine import ENTRYPOINT, PACKAGE, RULE
from policies.rego import UNDEFINED, RegoCompileError, RegoEvaluationError, RegoProgram
from policies.rego import compile_program as compile_rego
from policies.remote import BundlePoller
from policies.signing import VerificationKey
from policies.store import PolicyFiles, PolicyLoadError, PolicyStore, ReloadResult

log = logging.getLogger(__name__)

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    """One revision of the policy, compiled for regopy."""

    program: RegoProgram
    revision: str

    def decide(self, input: Mapping[str, object]) -> Decision:
        """Evaluate data.gerbang.decision; refusals for undefined, errors and bad output."""
        try:
            value = self.program.evaluate(input)
        except RegoEvaluationError as exc:
            log.warning("embedded policy %s failed: %s; refusing", self.revision[:12], exc)
            return Decision.deny()
        if value is UNDEFINED:
            return Decision.deny()
        return parse_decision(value, source=f"embedded policy {self.revision[:12]}")


def compile_policy(files: PolicyFiles) -> CompiledPolicy:
    """Compile the policy modules (not the tests) and data; raises PolicyLoadError."""
    modules = files.policy_modules
    if not any(_defines_decision(source) for source in modules.values()):
        raise PolicyLoadError(files.source, f"no module defines data.{PACKAGE}.{RULE}")
    try:
        program = compile_rego(modules, files.data, ENTRYPOINT)
    except RegoCompileError as exc:
        raise PolicyLoadError(files.source, "\n".join(exc.lines)) from None
    return CompiledPolicy(program, files.revision)


_PACKAGE_LINE = re.compile(rf"^package\s+{PACKAGE}\s*$", re.MULTILINE)
_DECISION_HEAD = re.compile(rf"^(default\s+)?{RULE}\b", re.MULTILINE)


def _defines_decision(source: str) -> bool:
    return bool(_PACKAGE_LINE.search(source) and _DECISION_HEAD.search(source))


class EmbeddedEngine:
    """PolicyEngine evaluating the policy files in this process with regopy."""

    def __init__(
        self,
        path: Path = DEFAULT_BUNDLE,
        *,
        verification_key: VerificationKey | None = None,
        poller: BundlePoller | None = None,
    ) -> None:
        """Load and compile `path` (a directory or .tar.gz bundle); raises PolicyLoadError.

        With `verification_key` only a signed bundle is loaded (policies/signing.py); with
        `poller` (policies/remote.py), `poll()` keeps `path` in step with a bundle service.
        """
        self._poller = poller
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gerbang-regopy")
        try:
            self._store: PolicyStore[CompiledPolicy] = PolicyStore(
                path, compile_policy, run=self._on_thread, verification_key=verification_key
            )
        except BaseException:
            self._executor.shutdown(wait=False)
            raise

    @property
    def revision(self) -> str:
        """The revision in force: a bundle's manifest revision, else the SHA-256 of the policy
        files and data."""
        return self._store.revision

    @property
    def store(self) -> PolicyStore[CompiledPolicy]:
        """The store holding the compiled policy (for reload and watch)."""
        return self._store

    async def decide(self, input: Mapping[str, object]) -> Decision:
        """The decision for one input document, computed on the engine's thread."""
        policy = self._store.current  # kept for the whole decision, whatever reloads meanwhile
        return await self._on_thread(lambda: policy.decide(input))

    def decide_now(self, input: Mapping[str, object]) -> Decision:
        """The decision computed on the calling thread (command line tools, benchmarks; not
        for use while the engine serves `decide` and `reload` from its own thread)."""
        return self._store.current.decide(input)

    @property
    def poller(self) -> BundlePoller | None:
        """The bundle service poller, when the policy comes from one."""
        return self._poller

    async def reload(self) -> ReloadResult:
        """Reload the policy files (with a bundle service: poll it now); a broken policy is
        refused and the old one stays."""
        if self._poller is not None:
            return await self._poller.poll(self._store)
        return await self._store.reload()

    async def watch(self, interval: float) -> None:
        """Reload whenever the files change, checking every `interval` seconds (forever)."""
        await self._store.watch(interval)

    async def poll(self) -> None:
        """Follow the bundle service (forever); returns at once without one."""
        if self._poller is not None:
            await self._poller.run(self._store)

    async def close(self) -> None:
        """Stop polling and the engine's thread (decisions already queued finish first)."""
        if self._poller is not None:
            await self._poller.close()
        await asyncio.get_running_loop().run_in_executor(None, self._executor.shutdown)

    async def _on_thread(self, work: Callable[[], R]) -> R:
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)
