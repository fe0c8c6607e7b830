"""Load the C++ runtime into the global symbol scope before any extension module loads it.

rego-cpp (regopy, the embedded policy engine, loaded with ctypes) is C++, and so are other
extensions a deployment may load next to it; CRFsuite (pycrfsuite) was one until the PERSON
tagger stopped using it at run time (it now only trains the model). Each is loaded with
RTLD_LOCAL and pulls in libstdc++ as its own dependency. Measured here (CPython 3.11, Debian's
libstdc++.so.6, regopy 1.5.2, python-crfsuite 0.9.12): when libstdc++ has already been loaded
locally by another module, the library loaded after it keeps memory it never frees on every
call: about 15 KB per policy decision when regopy comes second, and about 65 KB per tagged
message when pycrfsuite comes second. With libstdc++ loaded once with RTLD_GLOBAL before either,
both stay flat (tests/gateway/test_native.py). The `gateway` package's `__init__` calls
`share_cxx_runtime`, so the gateway's entry points (`gerbang`, `python -m gateway`) do it before
anything else loads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_LIBSTDCXX = "libstdc++.so.6"


def share_cxx_runtime() -> bool:
    """Load libstdc++ with RTLD_GLOBAL (Linux); True if it is now loaded that way."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        ctypes.CDLL(ctypes.util.find_library("stdc++") or _LIBSTDCXX, mode=ctypes.RTLD_GLOBAL)
    except OSError:  # no C++ runtime installed: then no C++ extension can load either
        return False
    return True
