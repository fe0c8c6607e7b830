"""What the caller gets back: upstream-made personal data masked, the caller's own values restored.

Order matters. Detection runs on the upstream's text, which holds placeholders, not values; new
findings are masked with the decision's plan; only then are placeholders restored (when the policy
allows), so restored values are never mistaken for personal data the upstream produced.

`HeldStream` does the same for text that arrives in pieces (SSE deltas, chunks): it holds back a
bounded window so a placeholder or an identifier split across pieces is still whole when it is
rewritten. Text leaves the window once `step` characters have gathered beyond `hold`, at the last
word boundary with at least `hold` characters after it: one scan per `step` characters rather
than one per piece (model streams send a few characters per event).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pii.anonymizer import Anonymizer, MaskingPlan
from pii.findings import Finding
from pii.vault import PlaceholderVault, restore

Analyze = Callable[[str], Sequence[Finding]]

# Longest placeholder: `<` + the longest type name (DATE_OF_BIRTH, ID_VEHICLE_PLATE) + `_` + a
# number + `>`; 48 leaves room for long numbers.
PLACEHOLDER_MAX = 48
DEFAULT_HOLD = 96  # characters; longer than any identifier written with separators
DEFAULT_STEP = 32  # characters gathered beyond the window before the next release (one scan)
_OPEN_PLACEHOLDER = re.compile(r"<[A-Z_]*[0-9]*$")


@dataclass(slots=True)
class RewriteCounts:
    """What was masked in responses, by type (for the audit record); never values."""

    masked: dict[str, int] = field(default_factory=dict)
    restored: int = 0

    def add(self, findings: Sequence[Finding]) -> None:
        """Count masked findings by type."""
        for finding in findings:
            self.masked[finding.type] = self.masked.get(finding.type, 0) + 1


@dataclass(slots=True)
class ResponseRewriter:
    """Rewrites complete texts of one exchange's response."""

    analyze: Analyze | None  # None when the policy does not ask to scan the response
    anonymizer: Anonymizer
    plan: MaskingPlan
    vault: PlaceholderVault
    mapping: Mapping[str, str] | None  # None when the caller may not get values back
    counts: RewriteCounts = field(default_factory=RewriteCounts)

    def rewrite(self, text: str, context: str = "") -> str:
        """Mask new personal data in `text`, then restore the caller's placeholders.

        `context` is text that came just before (already sent); it helps detection see context
        words but is not rewritten or returned.
        """
        whole = context + text
        findings = self.analyze(whole) if self.analyze is not None and text else ()
        return self.apply(whole, findings, len(context))

    def apply(self, whole: str, findings: Sequence[Finding], start: int) -> str:
        """`whole[start:]` with `findings` (offsets into `whole`) masked where they lie wholly
        in it, then the caller's placeholders restored."""
        text = whole[start:]
        inside = [f for f in findings if f.start >= start and f.end <= len(whole)]
        if inside:
            self.counts.add(inside)
            text = self.anonymizer.mask(whole, inside, self.plan, self.vault).text[start:]
        if self.mapping:
            restored = restore(text, self.mapping)
            if restored != text:
                self.counts.restored += 1
            text = restored
        return text


class HeldStream:
    """One stream of text pieces, rewritten with a bounded hold-back window."""

    def __init__(
        self, rewriter: ResponseRewriter, hold: int = DEFAULT_HOLD, step: int = DEFAULT_STEP
    ) -> None:
        """`hold`: characters kept back for the next pieces; `step`: characters beyond it to
        gather before releasing, so a stream of small pieces is scanned once per `step`, not
        once per piece (text waits at most `hold + step` characters and a word)."""
        self._rewriter = rewriter
        self._hold = max(hold, PLACEHOLDER_MAX)
        self._step = max(step, 1)
        self._pending = ""
        self._sent_tail = ""  # recent original text already released, as detection context

    def hold(self, piece: str) -> None:
        """Add a piece without releasing anything (`release` once the pieces at hand are in)."""
        self._pending += piece

    def release(self) -> str:
        """The rewritten text that may be sent now (possibly empty): one scan, at most."""
        cut = len(self._pending) - self._hold
        return self._advance(cut) if cut >= self._step else ""

    def finish(self) -> str:
        """The rest, rewritten, at the end of the stream."""
        if not self._pending:
            return ""
        whole = self._sent_tail + self._pending
        findings = self._analyze(whole)
        self._pending = ""
        return self._rewriter.apply(whole, findings, len(self._sent_tail))

    def _analyze(self, whole: str) -> Sequence[Finding]:
        analyze = self._rewriter.analyze
        return analyze(whole) if analyze is not None else ()

    def _advance(self, cut: int) -> str:
        """Release the text before `cut`, moved back so that no finding or placeholder is split.

        One scan of the recent released text and everything held serves both to place the cut
        and to mask what is released (detection also sees the words after the cut).
        """
        context = self._sent_tail
        offset = len(context)
        whole = context + self._pending
        findings = self._analyze(whole)
        while True:  # until no rule moves it: a word boundary may fall inside "3273 0125 ..."
            moved = cut
            for finding in findings:  # one that began in text already sent cannot be masked
                if finding.start >= offset and finding.start < offset + moved < finding.end:
                    moved = finding.start - offset
            start = max(0, moved - PLACEHOLDER_MAX)
            opened = _OPEN_PLACEHOLDER.search(self._pending, start, moved) if moved > 0 else None
            if opened is not None:
                moved = opened.start()
            moved = self._word_boundary(moved) if moved > 0 else 0
            if moved == cut:
                break
            cut = moved
        if cut <= 0:
            return ""
        head, self._pending = self._pending[:cut], self._pending[cut:]
        out = self._rewriter.apply(whole[: offset + cut], findings, offset)
        self._sent_tail = (context + head)[-self._hold :]
        return out

    def _word_boundary(self, cut: int) -> int:
        """Release whole words only: "Bera|pa" would be judged as a word (a name) of its own.
        Text without any whitespace is held at most three windows, then cut anyway."""
        space = max(self._pending.rfind(c, 0, cut) for c in " \n\t")
        if space >= 0:
            return space + 1
        return cut if len(self._pending) > 3 * self._hold else 0
