"""The C++ runtime is shared before any C++ extension loads, so neither keeps memory per call.

Each case runs in a fresh interpreter, because which module loads libstdc++ first is decided
once per process: `import gateway` (as every entry point does) first, then the other C++ library
before the one measured, which is the order that made the measured one grow (see
gateway/native.py). Bounded: 1,500 calls each; the growth limit is far below what the leak
showed (15 KB per decision; 65 KB per tagged message while the tagger ran on pycrfsuite, which
it no longer loads: that case now checks that tagging after regopy keeps memory flat) and far
above allocator noise.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from gateway.native import share_cxx_runtime

CALLS = 1500
LIMIT_KB_PER_CALL = 2.0

_RSS = """
import os
def rss_kb():
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024
"""

POLICY_AFTER_CRFSUITE = """
import gateway
import pycrfsuite  # a C++ extension loaded before regopy
from gateway.auth.principal import Principal
from policies.embedded import EmbeddedEngine
from policies.input import build_input
engine = EmbeddedEngine()
principal = Principal(issuer="https://sso.example.go.id", subject="warga-1", client_id=None,
    roles=("warga",), groups=(), scopes=(), agency=None, authenticated_by="jwt", expires_at=None)
document = build_input(principal=principal, route_name="lara", route_tags={"service": "lara"},
    method="POST", path="/v1/chat/completions", purpose="layanan_informasi",
    client_address=None, pii_request={"ID_NIK": (1, "umum"), "PERSON": (1, "umum")})
def call():
    assert engine.decide_now(document).allow
"""

TAGGER_AFTER_REGOPY = """
import gateway
import regopy  # a C++ library loaded first (the tagger no longer loads pycrfsuite at all)
from pii.engine import PiiEngine
engine = PiiEngine()
text = "Selamat siang, nama saya Budi Santoso. Ibu Siti Aminah dari Kelurahan Sukamaju ikut."
def call():
    assert any(f.type == "PERSON" for f in engine.analyze(text))
"""

_MEASURE = """
for _ in range(100):
    call()
before = rss_kb()
for _ in range({calls}):
    call()
print(json.dumps({{"kb_per_call": (rss_kb() - before) / {calls}}}))
"""


def _growth_per_call(setup: str) -> float:
    script = "import json\n" + _RSS + textwrap.dedent(setup) + _MEASURE.format(calls=CALLS)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return float(json.loads(done.stdout.strip().splitlines()[-1])["kb_per_call"])


pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


GLOBAL_SYMBOL = """
import ctypes, sys
{imports}
print(hasattr(ctypes.CDLL(None), "_ZNSt8ios_base4InitC1Ev"))  # a libstdc++ symbol, global?
"""


def _globally_visible(imports: str) -> bool:
    done = subprocess.run(
        [sys.executable, "-c", GLOBAL_SYMBOL.format(imports=imports)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return done.stdout.strip() == "True"


def test_importing_the_gateway_puts_the_cxx_runtime_in_the_global_scope() -> None:
    assert not _globally_visible("import pycrfsuite")  # what an extension alone does
    assert _globally_visible("import gateway\nimport pycrfsuite")
    assert share_cxx_runtime()


@pytest.mark.parametrize(
    "setup",
    [POLICY_AFTER_CRFSUITE, TAGGER_AFTER_REGOPY],
    ids=["policy decisions after pycrfsuite", "PERSON tagging after regopy"],
)
def test_repeated_calls_keep_memory_flat(setup: str) -> None:
    assert _growth_per_call(setup) < LIMIT_KB_PER_CALL
