"""Build a signed policy bundle with the real `opa build` (`gerbang policy bundle`).

The bundle holds the policy modules (no `*_test.rego`, no hidden files) and the data of a policy
directory, a `.manifest` whose revision defaults to the directory's digest (the revision the
embedded engine reports for the directory itself), and `.signatures.json` signed with the given
private key. Before the bundle replaces `output` (atomically), it is loaded back and verified
with the public half of that key, so a bundle that leaves this command is one the embedded
engine accepts.

OPA is the `--opa` binary, else the pinned build of scripts/install-opa (in a checkout), else
`opa` on PATH.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from policies.signing import ALGORITHMS, key_fits, load_signing_key, public_half
from policies.store import (
    MAX_REVISION_CHARS,
    TEST_SUFFIX,
    PolicyLoadError,
    load_policy_files,
)

INSTALLER = Path(__file__).resolve().parents[1] / "scripts" / "install-opa"
"""The pinned OPA installer of a source checkout (absent from an installed package)."""
INSTALL_TIMEOUT = 900.0
BUILD_TIMEOUT = 120.0


class BundleBuildError(Exception):
    """A bundle that cannot be built; the message names the file or option at fault."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status
        """Exit status: 2 for a missing or bad input, 1 when OPA rejects the policy."""


@dataclass(frozen=True, slots=True)
class BuiltBundle:
    """What `build_bundle` wrote."""

    path: Path
    revision: str
    modules: int
    algorithm: str


def find_opa(explicit: Path | None = None) -> str:
    """The `opa` binary to run; BundleBuildError saying how to get one when there is none."""
    if explicit is not None:
        if not (explicit.is_file() and shutil.which(str(explicit))):
            raise BundleBuildError(f"--opa {explicit}: no such executable")
        return str(explicit)
    problem = ""
    if INSTALLER.is_file():
        try:
            done = subprocess.run(  # noqa: S603 (the checkout's own script)
                [str(INSTALLER)], capture_output=True, text=True, timeout=INSTALL_TIMEOUT,
                check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            problem = f"{INSTALLER} did not run ({exc}); "
        else:
            if done.returncode == 0 and done.stdout.strip():
                return done.stdout.strip().splitlines()[-1]
            last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            problem = f"{INSTALLER} failed ({last[0]}); "
    found = shutil.which("opa")
    if found:
        return found
    raise BundleBuildError(
        f"OPA not found: {problem}no opa on PATH; pass --opa PATH "
        "(scripts/install-opa builds the pinned version)"
    )


def build_bundle(
    source: Path,
    output: Path,
    *,
    signing_key: Path,
    opa: str,
    algorithm: str = "RS256",
    revision: str | None = None,
) -> BuiltBundle:
    """Build `source` (a policy directory) into the signed bundle `output` with `opa build`.

    Raises BundleBuildError (or PolicyLoadError for a policy file that cannot be read).
    """
    if not source.is_dir():
        raise BundleBuildError(f"{source}: not a policy directory")
    files = load_policy_files(source)
    if algorithm not in ALGORITHMS:
        raise BundleBuildError(f"--signing-alg {algorithm}: use one of {', '.join(ALGORITHMS)}")
    try:
        key = load_signing_key(signing_key)
    except ValueError as exc:
        raise BundleBuildError(f"--signing-key {exc}") from None
    if not key_fits(key, algorithm):
        needs = {"RS": "an RSA", "PS": "an RSA", "ES": "an EC", "Ed": "an Ed25519"}[algorithm[:2]]
        raise BundleBuildError(
            f"--signing-key {signing_key}: --signing-alg {algorithm} needs {needs} key, "
            f"not {key.key_type}"
        )
    revision = files.revision if revision is None else revision
    if not revision or len(revision) > MAX_REVISION_CHARS or not revision.isprintable():
        raise BundleBuildError(
            f"--revision: must be 1 to {MAX_REVISION_CHARS} printable characters"
        )
    if not output.parent.is_dir():
        raise BundleBuildError(f"--output {output}: no such folder {output.parent}")
    partial = output.parent / f".{output.name}.{secrets.token_hex(6)}.part"
    try:
        _opa_build(opa, source, partial, signing_key, algorithm, revision)
        try:
            built = load_policy_files(partial, verification_key=public_half(key), label=str(output))
        except PolicyLoadError as exc:
            raise BundleBuildError(f"the bundle opa built does not verify: {exc}") from None
        if dict(built.modules) != files.policy_modules or built.revision != revision:
            raise BundleBuildError(f"{output}: opa built other modules than {source} holds")
        partial.replace(output)  # atomic: a bundle service serves the old or the new bundle
    finally:
        partial.unlink(missing_ok=True)
    return BuiltBundle(output, revision, len(built.modules), algorithm)


def _opa_build(
    opa: str, source: Path, output: Path, signing_key: Path, algorithm: str, revision: str
) -> None:
    command = [
        opa, "build", "--bundle", ".",
        "--ignore", f"*{TEST_SUFFIX}", "--ignore", ".?*",  # tests, hidden files (not "." itself)
        "--signing-key", str(signing_key.resolve()), "--signing-alg", algorithm,
        "--revision", revision, "--output", str(output.resolve()),
    ]  # fmt: skip
    try:
        done = subprocess.run(  # noqa: S603 (an argument list, no shell)
            command, cwd=source, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise BundleBuildError(f"{opa} build did not finish in {BUILD_TIMEOUT:.0f} s") from None
    except OSError as exc:
        raise BundleBuildError(f"{opa}: cannot run ({exc.strerror})") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()[-2000:]
        raise BundleBuildError(f"{source}: opa build failed:\n{detail}", status=1)
