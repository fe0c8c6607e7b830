"""`docker/prepare`, run once per session into a temporary directory, for the stack's file tests."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.docker.stack import DOCKER, read_env_file, skip_loudly

PREPARE_DEADLINE_S = 600.0  # scripts/install-opa may build OPA the first time


@dataclass(frozen=True)
class Prepared:
    """What `docker/prepare` made: the generated directory and the stack's secrets."""

    root: Path
    generated: Path
    env_file: Path
    env: dict[str, str]


def run_prepare(root: Path) -> subprocess.CompletedProcess[str]:
    """Run docker/prepare into `root` (generated/ and .env), with this venv's gerbang on PATH."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        [
            str(DOCKER / "prepare"),
            "--out",
            str(root / "generated"),
            "--env-file",
            str(root / ".env"),
            "--skip-oidc-install",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=PREPARE_DEADLINE_S,
    )


@pytest.fixture(scope="session")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    """docker/prepare's output; skipped loudly when it cannot run here (no opa, no openssl)."""
    root = tmp_path_factory.mktemp("stack")
    done = run_prepare(root)
    if done.returncode != 0:
        if "install-opa" in done.stderr or "openssl not found" in done.stderr:
            skip_loudly(f"docker/prepare cannot run here: {done.stderr.strip()}")
        raise AssertionError(f"docker/prepare failed:\n{done.stdout}\n{done.stderr}")
    return Prepared(
        root=root,
        generated=root / "generated",
        env_file=root / ".env",
        env=read_env_file(root / ".env"),
    )
