"""ID_NIP: Nomor Induk Pegawai (civil servant number), 18 digits `YYYYMMDD YYYYMM G NNN`.

Accepts `196701101992031001` and the groups separated by a space, dot or dash
(`19670110 199203 1 001`, `19670110-199203-1-001`). Validates:

- the birth date YYYYMMDD exists, born 1940 or later;
- the start of service YYYYMM (TMT CPNS) is a real month from 1960 to next year, at which the
  employee was between 18 and 60 years old (counted in months: CPNS and PPPK are appointed as
  adults, and no one is appointed past retirement age);
- PPPK contract staff (NI PPPK, since 2019) carry a two-digit PPPK code 21-29 (21 full-time,
  24 part-time) in place of the month: accepted when the year is 2019 or later;
- the sex digit is 1 or 2 and the serial 001-999.

Scoring: a random 18-digit number passes these checks rarely, and the usual 18-digit look-alikes
(order or transaction ids that begin with a recent date, 20240115...) fail the "at least 18 at the
start of service" rule, so a valid NIP is reported without a context word (0.6, above the 0.5
threshold) and raised to 0.95 by one (`NIP`, `nomor induk pegawai`, `pegawai`, `ASN`, `PNS`).
"""

from __future__ import annotations

import datetime

from presidio_analyzer import Pattern

from pii.recognizers.base import NOT_AFTER_NUMBER, NOT_BEFORE_NUMBER, GerbangRecognizer, digits

# The four groups, each whole, optionally separated by one space, dot or dash (the same or not).
NIP_REGEX = rf"{NOT_AFTER_NUMBER}\d{{8}}[ .\-]?\d{{6}}[ .\-]?[12][ .\-]?\d{{3}}{NOT_BEFORE_NUMBER}"

EARLIEST_BIRTH_YEAR = 1940
EARLIEST_SERVICE_YEAR = 1960
FIRST_PPPK_YEAR = 2019
PPPK_CODES = range(21, 30)
MIN_AGE_MONTHS = 18 * 12
MAX_AGE_MONTHS = 60 * 12


def valid_nip(number: str, today: datetime.date | None = None) -> bool:
    """True for a structurally valid 18-digit NIP or NI PPPK."""
    if len(number) != 18 or not number.isdigit():
        return False
    try:
        birth = datetime.date(int(number[0:4]), int(number[4:6]), int(number[6:8]))
    except ValueError:
        return False
    service_year, service_month = int(number[8:12]), int(number[12:14])
    if service_month in PPPK_CODES and service_year >= FIRST_PPPK_YEAR:
        first_month, last_month = 1, 12  # no month recorded: any month of that year
    elif 1 <= service_month <= 12:
        first_month = last_month = service_month
    else:
        return False
    latest_year = (today or datetime.date.today()).year + 1
    if birth.year < EARLIEST_BIRTH_YEAR or not (
        EARLIEST_SERVICE_YEAR <= service_year <= latest_year
    ):
        return False
    months_to_year = (service_year - birth.year) * 12 - birth.month
    return (
        months_to_year + last_month >= MIN_AGE_MONTHS
        and months_to_year + first_month <= MAX_AGE_MONTHS
        and number[14] in "12"
        and number[15:] != "000"
    )


class NipRecognizer(GerbangRecognizer):
    """Finds NIPs; validates birth date, start of service, sex digit and serial."""

    ENTITY = "ID_NIP"
    PATTERNS = (Pattern("nip", NIP_REGEX, 0.6),)
    CONTEXT = (
        "nip", "no. nip", "nomor nip", "nip baru", "nomor induk pegawai", "nomor identitas pegawai",
        "ni pppk", "nip pppk", "pppk", "pegawai", "asn", "pns", "cpns", "civil servant",
        "employee id", "employee number",
    )  # fmt: skip
    MIN_DIGITS = 18
    PRIORITY = 60

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject numbers that cannot be a NIP; keep the pattern score otherwise."""
        return None if valid_nip(digits(pattern_text)) else False
