"""Properties that must hold for any input (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pii.anonymizer import Anonymizer, OperatorSpec
from pii.engine import PiiEngine
from pii.vault import restore

ENGINE = PiiEngine()
ANONYMIZER = Anonymizer(hash_key=b"k" * 32)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Synthetic NIKs: real area codes, real dates (women +40), non-zero serials.
niks = st.builds(
    lambda area, day, month, year, female, serial, sep: sep.join(
        [area, f"{day + (40 if female else 0):02d}{month:02d}{year:02d}", f"{serial:04d}"]
    ),
    st.sampled_from(["327301", "317101", "350101", "110507", "910101"]),
    st.integers(1, 28),
    st.integers(1, 12),
    st.integers(0, 99),
    st.booleans(),
    st.integers(1, 9999),
    st.sampled_from(["", " "]),
)
filler = st.text(alphabet=st.characters(blacklist_categories=("Nd",)), max_size=30)
messages = st.lists(st.tuples(filler, niks), min_size=1, max_size=4).map(
    lambda parts: " ".join(f"{words} NIK {nik}" for words, nik in parts)
)


@SETTINGS
@given(st.text())
def test_the_engine_never_raises_on_arbitrary_unicode(text: str) -> None:
    for finding in ENGINE.analyze(text):
        assert 0 <= finding.start < finding.end <= len(text)


@SETTINGS
@given(messages, st.sampled_from(["placeholder", "redact", "hash", "mask"]))
def test_masked_output_never_contains_a_detected_value(text: str, operator: str) -> None:
    findings = ENGINE.analyze(text)
    assert findings, "every generated message holds at least one NIK"
    out = ANONYMIZER.mask(text, findings, {"*": OperatorSpec(operator)}).text
    for finding in findings:
        assert finding.value_in(text) not in out


@SETTINGS
@given(st.one_of(messages, st.text()))
def test_restoring_placeholders_gives_back_the_original_text(text: str) -> None:
    result = ANONYMIZER.mask(text, ENGINE.analyze(text))
    assert restore(result.text, result.mapping) == text


@SETTINGS
@given(messages, st.lists(st.sampled_from(["<ID_NIK_1>", "<ID_NIK_2>", "<PERSON_1>"]), max_size=3))
def test_restoring_is_exact_even_when_the_text_already_holds_placeholders(
    text: str, literals: list[str]
) -> None:
    text = " ".join([*literals, text])
    result = ANONYMIZER.mask(text, ENGINE.analyze(text))
    assert restore(result.text, result.mapping) == text
