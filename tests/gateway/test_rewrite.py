"""Responses: upstream-made personal data masked, the caller's placeholders restored."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.rewrite import DEFAULT_HOLD, DEFAULT_STEP, HeldStream, ResponseRewriter
from pii.anonymizer import Anonymizer, OperatorSpec
from pii.engine import PiiEngine
from pii.findings import Finding
from pii.vault import PlaceholderVault

NIK = "3171234567890003"  # synthetic, valid shape and area
OTHER_PHONE = "0812-3456-7890"  # synthetic
ANSWER = (
    f"Baik, NIK <ID_NIK_1> sudah kami catat. Untuk konfirmasi petugas akan menghubungi "
    f"nomor {OTHER_PHONE} pada jam kerja. Terima kasih telah menggunakan layanan LARA."
)


@pytest.fixture(scope="module")
def engine() -> PiiEngine:
    return PiiEngine()


@pytest.fixture(scope="module")
def anonymizer() -> Anonymizer:
    return Anonymizer()


def rewriter(
    engine: PiiEngine, anonymizer: Anonymizer, *, scan: bool = True, restore: bool = True
) -> ResponseRewriter:
    vault = PlaceholderVault()
    assert vault.token_for("ID_NIK", NIK) == "<ID_NIK_1>"
    return ResponseRewriter(
        analyze=engine.analyze if scan else None,
        anonymizer=anonymizer,
        plan={"*": OperatorSpec("placeholder")},
        vault=vault,
        mapping=vault.mapping if restore else None,
    )


def feed(held: HeldStream, piece: str) -> str:
    """One piece as a slow upstream sends it: held, then whatever may be released now."""
    held.hold(piece)
    return held.release()


def test_when_restore_is_allowed_then_the_callers_value_comes_back_and_new_data_is_masked(
    engine: PiiEngine, anonymizer: Anonymizer
) -> None:
    r = rewriter(engine, anonymizer)
    out = r.rewrite(ANSWER)
    assert NIK in out
    assert OTHER_PHONE not in out
    assert "<PHONE_NUMBER_1>" in out
    assert r.counts.masked == {"PHONE_NUMBER": 1}


def test_when_restore_is_not_allowed_then_placeholders_stay(
    engine: PiiEngine, anonymizer: Anonymizer
) -> None:
    out = rewriter(engine, anonymizer, restore=False).rewrite(ANSWER)
    assert NIK not in out
    assert "<ID_NIK_1>" in out


def test_when_the_response_is_not_scanned_then_only_placeholders_change(
    engine: PiiEngine, anonymizer: Anonymizer
) -> None:
    out = rewriter(engine, anonymizer, scan=False).rewrite(ANSWER)
    assert out == ANSWER.replace("<ID_NIK_1>", NIK)


def stream(r: ResponseRewriter, pieces: list[str]) -> tuple[str, list[str]]:
    held = HeldStream(r)
    sent = [feed(held, piece) for piece in pieces]
    sent.append(held.finish())
    return "".join(sent), sent


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 11, 16, 64])
def test_when_streamed_in_pieces_then_the_result_equals_the_whole_rewrite(
    engine: PiiEngine, anonymizer: Anonymizer, size: int
) -> None:
    pieces = [ANSWER[i : i + size] for i in range(0, len(ANSWER), size)]
    whole = rewriter(engine, anonymizer).rewrite(ANSWER)
    streamed, _ = stream(rewriter(engine, anonymizer), pieces)
    assert streamed == whole


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(ANSWER)), max_size=12))
def test_when_split_anywhere_then_no_raw_value_leaks_and_placeholders_restore(
    engine: PiiEngine, anonymizer: Anonymizer, cuts: list[int]
) -> None:
    bounds = [0, *sorted(set(cuts)), len(ANSWER)]
    pieces = [ANSWER[a:b] for a, b in itertools.pairwise(bounds) if b > a]
    streamed, _ = stream(rewriter(engine, anonymizer), pieces)
    assert OTHER_PHONE not in streamed  # also not in pieces: they are joined here
    assert NIK in streamed


def test_when_text_flows_then_it_is_held_back_at_most_the_window(
    engine: PiiEngine, anonymizer: Anonymizer
) -> None:
    text = "Layanan kependudukan buka setiap hari kerja pukul delapan pagi. " * 6
    held = HeldStream(rewriter(engine, anonymizer))
    released = 0
    for i, char in enumerate(text, start=1):
        released += len(feed(held, char))
        # The window, what gathers before the next release, and one word at most.
        assert i - released <= DEFAULT_HOLD + DEFAULT_STEP + len("kependudukan ")
    assert released + len(held.finish()) == len(text)


def test_when_text_is_released_then_it_is_cut_between_words(
    engine: PiiEngine, anonymizer: Anonymizer
) -> None:
    text = "Berapa lama pembuatan KTP elektronik di kantor kecamatan? " * 4
    held = HeldStream(rewriter(engine, anonymizer))
    parts = [feed(held, text[i : i + 7]) for i in range(0, len(text), 7)]
    released = [part for part in parts if part]
    assert released
    assert all(part[-1].isspace() for part in released)  # "Bera|pa" never goes out alone
    assert "".join(parts) + held.finish() == text


SPACED_NIK = "3273 0125 0590 0001"  # synthetic (valid area and birth date), in groups


@pytest.mark.parametrize("size", [1, 3, 4, 9])
def test_when_an_identifier_written_with_spaces_reaches_the_cut_then_no_group_leaks(
    engine: PiiEngine, anonymizer: Anonymizer, size: int
) -> None:
    # The cut falls at every position of the number in turn (one run per piece size); the
    # number's own spaces are word boundaries, and releasing at one would send its first groups
    # unmasked (they are no NIK on their own).
    text = (
        "Data keluarga yang tercatat pada berkas permohonan pindah datang adalah sebagai berikut. "
        f"NIK kepala keluarga ({SPACED_NIK}),dengan alamat yang sama. Silakan periksa kembali "
        "sebelum berkas dikirim ke kantor kecamatan, karena perubahan setelah itu memerlukan "
        "surat pengantar baru dari kelurahan."
    )
    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    streamed, _ = stream(rewriter(engine, anonymizer, restore=False), pieces)
    assert SPACED_NIK not in streamed
    assert "3273 0125" not in streamed
    assert streamed == rewriter(engine, anonymizer, restore=False).rewrite(text)


def test_when_a_stream_arrives_in_small_pieces_then_it_is_scanned_once_per_step(
    engine: PiiEngine, anonymizer: Anonymizer
) -> None:
    scans: list[int] = []

    def counting(text: str) -> list[Finding]:
        scans.append(len(text))
        return engine.analyze(text)

    r = rewriter(engine, anonymizer)
    r.analyze = counting
    text = "Layanan kependudukan buka setiap hari kerja pukul delapan pagi. " * 16
    streamed, _ = stream(r, [text[i : i + 5] for i in range(0, len(text), 5)])
    assert streamed == text
    assert len(scans) <= len(text) // DEFAULT_STEP + 2  # not one per 5-character piece
    assert max(scans) <= 2 * DEFAULT_HOLD + DEFAULT_STEP + len("kependudukan ")
