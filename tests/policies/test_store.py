"""Policy files: loading directories and bundles, revisions, and reloads that never break."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest

from policies import DEFAULT_BUNDLE
from policies.embedded import EmbeddedEngine
from policies.store import PolicyLoadError, fingerprint, load_policy_files
from tests.policies.table import CITIZEN, exchange

TESTER = exchange(("penguji",), "lara", "layanan_informasi")


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A copy of the default bundle a test may edit."""
    return Path(shutil.copytree(DEFAULT_BUNDLE, tmp_path / "bundle"))


def _add_role(bundle: Path, role: str) -> None:
    path = bundle / "data.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["gerbang_data"]["roles"][role] = {"services": ["lara"], "restore": False}
    path.write_text(json.dumps(data), encoding="utf-8")


def test_directory_is_read_with_nested_data_and_tests_apart(bundle: Path) -> None:
    (bundle / "extra").mkdir()
    (bundle / "extra" / "data.json").write_text('{"limit": 3}', encoding="utf-8")
    (bundle / "README.md").write_text("ignored", encoding="utf-8")
    (bundle / ".hidden.rego").write_text("not rego", encoding="utf-8")
    files = load_policy_files(bundle)
    assert files.data["extra"] == {"limit": 3}
    assert "gerbang_data" in files.data
    assert set(files.policy_modules) == {"access.rego", "gerbang.rego", "masking.rego",
                                         "purpose.rego", "specific_data.rego"}  # fmt: skip
    assert all(name.endswith("_test.rego") for name in files.test_modules)


def test_revision_changes_with_content_only(bundle: Path) -> None:
    before = load_policy_files(bundle).revision
    assert load_policy_files(bundle).revision == before
    (bundle / "README.md").write_text("not a policy file", encoding="utf-8")
    assert load_policy_files(bundle).revision == before
    _add_role(bundle, "penguji")
    assert load_policy_files(bundle).revision != before


def test_tar_gz_bundle_is_read_like_a_directory(bundle: Path, tmp_path: Path) -> None:
    archive = tmp_path / "bundle.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for file in sorted(bundle.iterdir()):
            tar.add(file, arcname=f"/{file.name}")
        evil = tarfile.TarInfo("../escape.rego")
        evil.size = 3
        tar.addfile(evil, io.BytesIO(b"bad"))
    from_archive = load_policy_files(archive)
    assert dict(from_archive.modules) == dict(load_policy_files(bundle).modules)
    assert from_archive.data == load_policy_files(bundle).data


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("data.json", '{\n  "a": \n}', "data.json: not JSON (Expecting value at line 3)"),
        ("data.json", "[1, 2]", "data.json: must hold a JSON object"),
        ("sub/data.json", '{"x": 1}\n', None),
        ("policy.rego", b"\xff\xfe", "policy.rego: not UTF-8 text"),
    ],
)
def test_when_a_file_is_broken_then_load_names_it(
    tmp_path: Path, name: str, content: str | bytes, problem: str | None
) -> None:
    (tmp_path / "policy.rego").write_text("package gerbang\n", encoding="utf-8")
    target = tmp_path / name
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(content if isinstance(content, bytes) else content.encode())
    if problem is None:
        assert load_policy_files(tmp_path).data == {"sub": {"x": 1}}
        return
    with pytest.raises(PolicyLoadError) as caught:
        load_policy_files(tmp_path)
    assert str(caught.value) == f"{tmp_path}/{problem}"


def test_when_data_is_defined_twice_then_load_is_refused(tmp_path: Path) -> None:
    (tmp_path / "policy.rego").write_text("package gerbang\n", encoding="utf-8")
    (tmp_path / "data.json").write_text('{"sub": {"x": 1}}', encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "data.json").write_text('{"x": 2}', encoding="utf-8")
    with pytest.raises(PolicyLoadError, match=r"data\.sub\.x is defined twice"):
        load_policy_files(tmp_path)


@pytest.mark.parametrize("files", [{}, {"only_test.rego": "package t\n"}])
def test_when_there_is_no_policy_module_then_load_is_refused(
    tmp_path: Path, files: dict[str, str]
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(PolicyLoadError, match="no policy modules"):
        load_policy_files(tmp_path)
    with pytest.raises(PolicyLoadError, match="no such policy directory"):
        load_policy_files(tmp_path / "missing")


async def test_good_update_is_applied_and_broken_update_is_refused(bundle: Path) -> None:
    engine = EmbeddedEngine(bundle)
    try:
        first = engine.revision
        assert (await engine.decide(TESTER)).allow is False
        assert (await engine.reload()).status == "unchanged"

        _add_role(bundle, "penguji")
        applied = await engine.reload()
        assert (applied.status, applied.revision) == ("applied", engine.revision)
        assert engine.revision != first
        assert (await engine.decide(TESTER)).allow is True

        good = engine.revision
        (bundle / "access.rego").write_text("package gerbang\n\ngranted if {\n", "utf-8")
        refused = await engine.reload()
        assert refused.status == "refused"
        assert refused.revision == good == engine.revision
        assert refused.error is not None
        assert "access.rego:3:" in refused.error
        assert (await engine.decide(TESTER)).allow is True  # the old policy still decides
        assert (await engine.decide(CITIZEN)).allow is True

        (bundle / "data.json").write_text("{", "utf-8")
        assert (await engine.reload()).status == "refused"
        assert engine.revision == good
    finally:
        await engine.close()


async def test_exchanges_in_flight_during_a_reload_all_get_decisions(bundle: Path) -> None:
    engine = EmbeddedEngine(bundle)
    try:
        _add_role(bundle, "penguji")
        inputs = [CITIZEN, TESTER] * 40
        tasks = [asyncio.ensure_future(engine.decide(i)) for i in inputs]
        reload = asyncio.ensure_future(engine.reload())
        tasks += [asyncio.ensure_future(engine.decide(i)) for i in inputs]
        decisions = await asyncio.gather(*tasks)
        assert (await reload).status == "applied"
        assert len(decisions) == 160
        assert all(d.allow for d in decisions[0::2])  # the citizen, under either revision
        assert {d.reason for d in decisions[1::2]} <= {
            "allowed", "roles [penguji] may not use service lara"}  # fmt: skip
        assert (await engine.decide(TESTER)).allow is True
    finally:
        await engine.close()


async def test_watch_reloads_when_files_change(bundle: Path) -> None:
    engine = EmbeddedEngine(bundle)
    watcher = asyncio.create_task(engine.watch(0.05))
    try:
        first = engine.revision
        before = fingerprint(bundle)
        _add_role(bundle, "penguji")
        assert fingerprint(bundle) != before
        for _ in range(100):
            if engine.revision != first:
                break
            await asyncio.sleep(0.05)
        assert engine.revision != first
        assert (await engine.decide(TESTER)).allow is True
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        await engine.close()
