"""EMAIL_ADDRESS: `local@domain` addresses, any case.

The local part is RFC 5322's dot-atom (letters, digits and ``!#$%&'*+/=?^_`{|}~-``, dots only
between them); the domain is dot-separated labels of letters, digits and inner hyphens. The domain
must end in a public suffix known to the tldextract snapshot bundled with the package (never
downloaded: `pii.offline.offline_tld_extractor`), with a registrable name before it:
`budi@contoh.co.id` counts, `icon@2x.png`, `admin@localhost` and `a@b.invalid` do not. An address
inside a `mailto:` link is reported without the scheme.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import regex
from presidio_analyzer import Pattern, RecognizerResult

from pii.offline import offline_tld_extractor
from pii.recognizers.base import GerbangRecognizer, TextScan

_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~\-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
EMAIL_REGEX = (
    rf"(?<![\w.!#$%&'*+/=?^`{{|}}~\-]){_ATOM}(?:\.{_ATOM})*"
    rf"@(?:{_LABEL}\.)+[a-z][a-z0-9\-]*[a-z0-9](?![\w\-])(?!\.[a-z0-9])"
)

# An address has no whitespace and at most 64 + 255 characters: the pattern only runs on the
# stretch of text between the whitespace around each `@` (an `@` is rare, scanning all of a long
# text with this pattern is not cheap).
_REACH = 320
_WHITESPACE = re.compile(r"\s")


def _stretches(text: str) -> Iterator[tuple[int, int]]:
    """Non-overlapping (start, end) stretches of `text` around each `@`, cut at whitespace."""
    start = end = -1
    at = text.find("@")
    while at >= 0:
        low = max(0, at - _REACH)
        space = text.rfind(" ", low, at)
        for ch in "\t\n\r":
            space = max(space, text.rfind(ch, low, at))
        stretch_start = low if space < 0 else space + 1
        found = _WHITESPACE.search(text, at, at + _REACH)
        stretch_end = found.start() if found else min(len(text), at + _REACH)
        if stretch_start <= end:
            end = max(end, stretch_end)
        else:
            if end > start:
                yield start, end
            start, end = stretch_start, stretch_end
        at = text.find("@", stretch_end)
    if end > start:
        yield start, end


def valid_email_domain(address: str) -> bool:
    """True when the part after `@` ends in a known public suffix with a name before it."""
    domain = address.rpartition("@")[2]
    extracted = offline_tld_extractor()(domain)
    return bool(extracted.suffix) and bool(extracted.domain)


class EmailRecognizer(GerbangRecognizer):
    """Finds email addresses whose domain ends in a known public suffix."""

    ENTITY = "EMAIL_ADDRESS"
    PATTERNS = (Pattern("email", EMAIL_REGEX, 0.85),)
    CONTEXT = ("email", "e-mail", "surel", "surat elektronik", "mail", "surat-e", "alamat email")
    TRIGGER_WORDS = ("@",)
    FLAGS = GerbangRecognizer.FLAGS | regex.IGNORECASE
    PRIORITY = 50

    def validate_result(self, pattern_text: str) -> bool | None:
        """Reject addresses whose domain is not under a known public suffix."""
        return None if valid_email_domain(pattern_text) else False

    def match(self, scan: TextScan) -> list[RecognizerResult]:
        """Addresses in the text, looked for only around its `@` signs."""
        results: list[RecognizerResult] = []
        for start, end in _stretches(scan.text):
            stretch = TextScan(scan.text[start:end], scan.timeout, shortcuts=scan.shortcuts)
            for result in super().match(stretch):
                result.start += start
                result.end += start
                results.append(result)
        return results
