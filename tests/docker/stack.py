"""The compose stack's files as tests read them, and its containers' paths mapped onto a host dir.

No Docker engine runs here, so the tests run what the containers would run (nginx, OPA, Redis,
Gerbang) as local processes, with the same files. `ContainerPaths` rewrites the paths a service
sees (its mounts, secrets and tmpfs, as compose.yaml declares them) into paths on the host, in one
pass, so a file a service names but compose does not mount is caught rather than silently found.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DOCKER = REPO / "docker"
COMPOSE_FILE = DOCKER / "compose.yaml"
GATEWAY_REPLICAS = ("gateway-1", "gateway-2")


def load_compose() -> dict[str, Any]:
    """compose.yaml parsed by PyYAML (anchors and merge keys resolved); a fresh copy each call."""
    return copy.deepcopy(_parsed_compose())


@functools.cache
def _parsed_compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def services() -> dict[str, dict[str, Any]]:
    """The `services` mapping of compose.yaml."""
    result = load_compose()["services"]
    assert isinstance(result, dict)
    return result


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as docker compose reads them (double quotes with \\n escapes)."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        if value.startswith('"') and value.endswith('"'):
            value = value[1:-1].replace("\\n", "\n")
        values[key] = value
    return values


@dataclass
class ContainerPaths:
    """Container paths of one service, mapped to host paths under `root`."""

    root: Path
    mapping: dict[str, Path] = field(default_factory=dict)

    @classmethod
    def of_service(
        cls,
        name: str,
        root: Path,
        *,
        generated: Path,
        secrets: Mapping[str, str] | None = None,
        named_volumes: Mapping[str, Path] | None = None,
    ) -> ContainerPaths:
        """Map `name`'s mounts: ./generated/... to `generated`, other binds to the repository,
        named volumes to `named_volumes` (or fresh dirs), secrets to files holding `secrets`
        values with the declared mode, and tmpfs to fresh dirs."""
        service = services()[name]
        top_secrets = load_compose().get("secrets", {})
        paths = cls(root)
        for volume in service.get("volumes", []):
            source, target = _volume_source_target(volume)
            if source.startswith("./generated/"):
                host = generated / source.removeprefix("./generated/")
            elif source.startswith("."):
                host = (DOCKER / source).resolve()
            else:
                volumes = named_volumes or {}
                host = volumes.get(source) or _fresh_dir(root / "volumes" / source)
            paths.mapping[target] = host
        for entry in service.get("secrets", []):
            target = entry["target"] if isinstance(entry, dict) else entry
            source = entry["source"] if isinstance(entry, dict) else entry
            variable = top_secrets[source]["environment"]
            host = root / "secrets" / target
            host.parent.mkdir(parents=True, exist_ok=True)
            host.write_text((secrets or {}).get(variable, "synthetic-test-value"), "utf-8")
            host.chmod(entry.get("mode", 0o444) if isinstance(entry, dict) else 0o444)
            paths.mapping[f"/run/secrets/{target}"] = host
        for tmpfs in service.get("tmpfs", []):
            target = tmpfs.split(":")[0]
            paths.mapping[target] = _fresh_dir(root / "tmpfs" / target.strip("/"))
        return paths

    def rewrite(self, text: str) -> str:
        """Replace every mapped container path in `text` (longest first, one pass)."""
        targets = sorted(self.mapping, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(t) + r"(?=[/\s;\"',\]]|$)" for t in targets))
        return pattern.sub(lambda m: str(self.mapping[m.group(0)]), text)


def _volume_source_target(volume: str | dict[str, Any]) -> tuple[str, str]:
    if isinstance(volume, dict):
        return str(volume["source"]), str(volume["target"])
    source, target = volume.split(":")[:2]
    return source, target


def _fresh_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_http(url: str, deadline_s: float, *, status: int = 200) -> bool:
    """Poll `url` until it answers `status` or the deadline passes."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(url, timeout=1) as answer,
        ):
            if answer.status == status:
                return True
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def running(
    argv: list[str],
    *,
    log: Path,
    env: Mapping[str, str] | None = None,
    stop_timeout: float = 5.0,
) -> Iterator[None]:
    """Run `argv` for the duration of the block; stop it (SIGTERM, then SIGKILL) afterwards."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
        try:
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def tool_or_skip(name: str, why: str) -> str:
    """The path of executable `name`, or skip the test loudly saying what is missing."""
    path = shutil.which(name)
    if path is None:
        skip_loudly(f"{name} not found ({why})")
    return path


def skip_loudly(reason: str) -> None:
    """Skip with a warning, so the summary says which check of the stack did not run and why."""
    message = f"DOCKER STACK CHECK NOT RUN: {reason}"
    warnings.warn(message, stacklevel=2)
    pytest.skip(message)
