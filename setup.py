"""Build hook: compile the personal-data engine's hot path to C with mypyc.

Every exchange runs the engine over each new message, so its speed is the gateway's throughput
(docs/benchmarks.md, "Engine speed"). mypyc compiles the type-annotated modules listed below as
they are; the Python sources stay the reference and run unchanged where nothing is compiled.

`GERBANG_COMPILE=0 pip install .` installs without compiling (no C compiler needed; the engine is
then about a fifth slower) and removes modules an earlier build compiled in place, which would
shadow their sources. Otherwise a failed compile fails the install: a silently slower gateway
would be found only in production.

After editing a compiled module, run `make install` (or `pip install -e .`) again: Python imports
the compiled module in preference to its source; tests/pii/test_compiled.py says when one is stale.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).parent

#: The modules on the detection path, compiled; the rest of `pii/` (CLI, training, operators,
#: evaluation) and the gateway stay interpreted.
COMPILED = [
    "pii/engine.py",
    "pii/entities.py",
    "pii/findings.py",
    "pii/regions.py",
    "pii/vault.py",
    *sorted(
        str(path.relative_to(HERE))
        for path in (HERE / "pii" / "recognizers").glob("*.py")
        if path.name != "__init__.py"
    ),
    "pii/person/crf.py",
    "pii/person/features.py",
    "pii/person/gazetteer.py",
    "pii/person/lexicon.py",
    "pii/person/tagger.py",
    "pii/person/tokens.py",
]

#: mypy options for the compile only. Third-party modules are read as `Any` whether or not they
#: are installed, so an isolated build (`pip wheel .`) compiles exactly what the development
#: install does; type checking itself is `scripts/check`'s job (strict, with pyproject's config).
MYPYC_OPTIONS = [
    "--config-file",
    str(HERE / "mypyc.ini"),
    "--cache-dir",
    str(HERE / "build" / "mypyc-cache"),
]


def _extensions() -> list[object]:
    if os.environ.get("GERBANG_COMPILE", "1") == "0":
        _remove_compiled_in_place()
        return []
    from mypyc.build import mypycify

    return list(
        mypycify(
            [*MYPYC_OPTIONS, *COMPILED], opt_level="3", multi_file=True, group_name="gerbang_engine"
        )
    )


def _remove_compiled_in_place() -> None:
    """Delete what an editable build compiled next to the sources (Python would import it)."""
    for source in COMPILED:
        for built in (HERE / source).parent.glob(Path(source).stem + ".*.so"):
            built.unlink()
    for library in HERE.glob("gerbang_engine__mypyc.*.so"):
        library.unlink()


class ParallelBuildExt(build_ext):
    """build_ext that compiles an extension's C files on every core (mypyc writes one per
    module into one extension, which setuptools would compile one after another)."""

    def build_extensions(self) -> None:
        compile_one = self.compiler.compile

        def compile_all(sources: list[str], *args: Any, **kwargs: Any) -> list[str]:
            with ThreadPoolExecutor(os.cpu_count()) as pool:
                batches = pool.map(lambda source: compile_one([source], *args, **kwargs), sources)
                return [obj for objects in batches for obj in objects]

        self.compiler.compile = compile_all  # type: ignore[method-assign]
        super().build_extensions()


setup(ext_modules=_extensions(), cmdclass={"build_ext": ParallelBuildExt})
