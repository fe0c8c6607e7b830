"""The findings cache: per caller and language, bounded, holding neither texts nor values."""

from __future__ import annotations

from gateway.auth.principal import Principal
from gateway.findings_cache import MAX_BODY_CHARS, MAX_FINDINGS_PER_TEXT, FindingsCache
from pii.entities import Category
from pii.findings import Finding
from tests.gateway.principals import citizen as caller

HISTORY = "Halo, saya mau bertanya soal layanan kependudukan."  # synthetic
LAST = "NIK saya 3273012505900001, mohon dicek."  # synthetic NIK
NIK_FINDING = (Finding("ID_NIK", 9, 25, 1.0, "NikRecognizer", Category.UMUM),)


def scan(
    cache: FindingsCache, principal: Principal | None, texts: list[str], language: str = "id"
) -> tuple[list[int], tuple[tuple[Finding, ...], ...]]:
    """What a Detect stage does: look up, 'scan' the missing texts, fill in."""
    lookup = cache.lookup(principal, language, texts)
    missing = lookup.missing
    lookup.fill(missing, [NIK_FINDING if "NIK" in texts[i] else () for i in missing])
    return missing, lookup.result()


def test_when_a_caller_resends_its_history_then_only_the_new_text_is_scanned() -> None:
    cache = FindingsCache(100)
    assert scan(cache, caller(), [HISTORY]) == ([0], ((),))
    missing, findings = scan(cache, caller(), [HISTORY, LAST])
    assert missing == [1]
    assert findings == ((), NIK_FINDING)
    assert (cache.hits, cache.misses) == (1, 2)


def test_when_another_caller_or_language_sends_the_same_text_then_it_is_scanned_again() -> None:
    cache = FindingsCache(100)
    scan(cache, caller(), [LAST])
    assert scan(cache, caller("warga-2"), [LAST])[0] == [0]
    assert scan(cache, caller(issuer="https://other.example"), [LAST])[0] == [0]
    assert scan(cache, caller(), [LAST], language="en")[0] == [0]
    assert scan(cache, caller(), [LAST])[0] == []


def test_when_no_caller_is_authenticated_then_nothing_is_cached() -> None:
    cache = FindingsCache(100)
    for _ in range(2):
        assert scan(cache, None, [LAST])[0] == [0]
    assert len(cache) == 0


def test_when_the_cache_is_full_then_the_least_recently_used_text_goes() -> None:
    cache = FindingsCache(2)
    texts = [f"pesan nomor {i}" for i in range(3)]
    for text in texts:
        scan(cache, caller(), [text])
    assert len(cache) == 2
    assert scan(cache, caller(), [texts[0]])[0] == [0]  # dropped
    assert scan(cache, caller(), [texts[2]])[0] == []


def test_the_cache_holds_keyed_digests_and_findings_never_the_text() -> None:
    cache = FindingsCache(100)
    scan(cache, caller(), [LAST])
    other = FindingsCache(100)
    scan(other, caller(), [LAST])
    (key,) = cache._entries
    (other_key,) = other._entries
    assert len(key) == 16
    assert key != other_key  # each process has its own key: a digest cannot be recomputed
    stored = repr(cache._entries)
    assert "3273012505900001" not in stored
    assert "warga-1" not in stored


def test_when_a_separator_is_moved_between_subject_and_text_then_the_keys_differ() -> None:
    cache = FindingsCache(100)
    scan(cache, caller("alice"), ["id\x00NIK saya"])
    # The same bytes split differently between subject and text must not hit.
    assert scan(cache, caller("alice\x00id"), ["NIK saya"])[0] == [0]


def test_when_a_text_holds_very_many_findings_then_it_is_not_kept() -> None:
    cache = FindingsCache(100)
    many = tuple(NIK_FINDING * (MAX_FINDINGS_PER_TEXT + 1))
    lookup = cache.lookup(caller(), "id", ["daftar NIK"])
    lookup.fill([0], [many])
    assert lookup.result() == (many,)  # this exchange still gets its findings
    assert len(cache) == 0


def test_when_entries_hold_many_findings_then_the_total_bound_drops_the_oldest() -> None:
    cache = FindingsCache(10)  # room for 10 texts, 80 findings in all
    dense = tuple(NIK_FINDING * 30)
    for i in range(4):
        lookup = cache.lookup(caller(), "id", [f"daftar NIK {i}"])
        lookup.fill([0], [dense])
    assert len(cache) == 2  # 60 findings kept; a third entry would make 90


def test_when_a_body_is_very_large_then_it_is_scanned_without_the_cache() -> None:
    cache = FindingsCache(100)
    texts = ["x" * (MAX_BODY_CHARS // 2), "y" * (MAX_BODY_CHARS // 2 + 1)]
    for _ in range(2):
        assert scan(cache, caller(), texts)[0] == [0, 1]  # scanned again, not kept
    assert len(cache) == 0
