"""Masking plans: every operator, per-type plans, placeholders in reading order, bad plans."""

from __future__ import annotations

import os
import re

import pytest

from keys.aead import AeadError, AeadSealer
from pii.anonymizer import Anonymizer, MaskingPlanError, OperatorSpec
from pii.engine import PiiEngine
from pii.operators import OPERATOR_NAMES
from pii.operators.encrypt import unseal_all
from pii.operators.hash import keyed_pseudonym
from pii.vault import PlaceholderVault, restore

NIK_A = "3273012505900001"
NIK_B = "3273016505920002"  # a woman's NIK: day 25 + 40
TEXT = f"NIK saya {NIK_A}, istri {NIK_B}, sekali lagi NIK saya {NIK_A}."
HASH_KEY = bytes(range(32))


@pytest.fixture(scope="module")
def anonymizer() -> Anonymizer:
    return Anonymizer(hash_key=HASH_KEY, sealer=AeadSealer(os.urandom(32)))


def masked(engine: PiiEngine, anonymizer: Anonymizer, op: OperatorSpec) -> str:
    return anonymizer.mask(TEXT, engine.analyze(TEXT), {"*": op}).text


def test_when_placeholder_then_tokens_are_numbered_in_reading_order_and_reused(
    engine: PiiEngine, anonymizer: Anonymizer
) -> None:
    result = anonymizer.mask(TEXT, engine.analyze(TEXT))
    assert result.text == "NIK saya <ID_NIK_1>, istri <ID_NIK_2>, sekali lagi NIK saya <ID_NIK_1>."
    assert result.mapping == {"<ID_NIK_1>": NIK_A, "<ID_NIK_2>": NIK_B}
    assert restore(result.text, result.mapping) == TEXT


def test_when_one_vault_spans_messages_then_a_value_keeps_its_token(
    engine: PiiEngine, anonymizer: Anonymizer
) -> None:
    vault = PlaceholderVault()
    first = anonymizer.mask(f"NIK {NIK_B}", engine.analyze(f"NIK {NIK_B}"), vault=vault)
    second = anonymizer.mask(TEXT, engine.analyze(TEXT), vault=vault)
    assert first.text == "NIK <ID_NIK_1>"
    assert "istri <ID_NIK_1>" in second.text
    assert "NIK saya <ID_NIK_2>" in second.text


def test_when_redact_then_only_the_type_remains(engine: PiiEngine, anonymizer: Anonymizer) -> None:
    out = masked(engine, anonymizer, OperatorSpec("redact"))
    assert out == "NIK saya [ID_NIK], istri [ID_NIK], sekali lagi NIK saya [ID_NIK]."


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, "************0001"),
        ({"keep": 6}, "**********900001"),
        ({"keep": 4, "from_end": False}, "3273************"),
        ({"keep": 0, "char": "#"}, "################"),
        ({"keep": 100}, "********05900001"),  # never more than half
    ],
)
def test_when_mask_then_only_the_kept_characters_show(
    engine: PiiEngine, anonymizer: Anonymizer, params: dict[str, object], expected: str
) -> None:
    text = f"NIK {NIK_A}"
    out = anonymizer.mask(text, engine.analyze(text), {"*": OperatorSpec("mask", params)}).text
    assert out == f"NIK {expected}"


def test_when_mask_meets_separators_then_they_stay(
    engine: PiiEngine, anonymizer: Anonymizer
) -> None:
    text = "NIK 3273 0125 0590 0001"
    out = anonymizer.mask(text, engine.analyze(text), {"*": OperatorSpec("mask")}).text
    assert out == "NIK **** **** **** 0001"


def test_when_hash_then_keyed_pseudonyms_link_spellings_but_not_values(
    engine: PiiEngine, anonymizer: Anonymizer
) -> None:
    out = masked(engine, anonymizer, OperatorSpec("hash"))
    tokens = re.findall(r"<ID_NIK:([0-9a-f]{16})>", out)
    assert tokens[0] == tokens[2] != tokens[1]
    assert tokens[0] == keyed_pseudonym(HASH_KEY, "ID_NIK", "3273 0125 0590 0001")
    assert keyed_pseudonym(b"another key of 32 bytes........", "ID_NIK", NIK_A) != tokens[0]


def test_when_encrypt_then_the_holder_of_the_key_and_only_they_get_values_back(
    engine: PiiEngine, anonymizer: Anonymizer
) -> None:
    out = masked(engine, anonymizer, OperatorSpec("encrypt"))
    assert NIK_A not in out
    assert out.count("<ENC:ID_NIK:") == 3
    assert unseal_all(out, anonymizer._sealer) == TEXT  # type: ignore[arg-type]
    with pytest.raises(AeadError):
        unseal_all(out, AeadSealer(os.urandom(32)))
    swapped = out.replace("<ENC:ID_NIK:", "<ENC:PHONE_NUMBER:", 1)
    with pytest.raises(AeadError):  # the type is bound as associated data
        unseal_all(swapped, anonymizer._sealer)  # type: ignore[arg-type]


def test_when_keep_then_the_text_is_unchanged(engine: PiiEngine, anonymizer: Anonymizer) -> None:
    assert masked(engine, anonymizer, OperatorSpec("keep")) == TEXT


def test_when_plans_differ_per_type_then_each_type_gets_its_operator(
    anonymizer: Anonymizer,
) -> None:
    from pii.entities import Category
    from pii.findings import Finding

    text = "Budi 3273012505900001"
    findings = [
        Finding("PERSON", 0, 4, 0.9, "test", Category.UMUM),
        Finding("ID_NIK", 5, 21, 0.9, "test", Category.UMUM),
    ]
    plan = {"PERSON": OperatorSpec("placeholder"), "*": OperatorSpec("redact")}
    result = anonymizer.mask(text, findings, plan)
    assert result.text == "<PERSON_1> [ID_NIK]"
    assert result.mapping == {"<PERSON_1>": "Budi"}
    assert result.operators == (("PERSON", "placeholder"), ("ID_NIK", "redact"))


@pytest.mark.parametrize(
    ("plan", "keys", "message"),
    [
        ({"*": OperatorSpec("shred")}, {}, "unknown operator 'shred'"),
        ({"ID_NIK": OperatorSpec("hash")}, {}, "needs a hash key"),
        ({"ID_NIK": OperatorSpec("encrypt")}, {}, "needs a key"),
        ({"ID_NIK": OperatorSpec("keep")}, {}, "no operator for it"),
    ],
)
def test_when_a_plan_cannot_be_applied_then_it_is_refused_before_any_text_changes(
    engine: PiiEngine, plan: dict[str, OperatorSpec], keys: dict[str, object], message: str
) -> None:
    anonymizer = Anonymizer()
    text = f"NIK {NIK_A} dan {NIK_B}"
    findings = engine.analyze(text)
    if message == "no operator for it":
        plan = {"PHONE_NUMBER": OperatorSpec("keep")}
    with pytest.raises(MaskingPlanError, match=message):
        anonymizer.mask(text, findings, plan)


def test_every_operator_is_registered_under_its_documented_name() -> None:
    from pii.cli import OPERATOR_NAMES as CLI_NAMES

    assert (
        OPERATOR_NAMES == CLI_NAMES == ("redact", "mask", "hash", "placeholder", "encrypt", "keep")
    )


def test_when_restoring_then_unknown_placeholders_and_text_are_left_alone() -> None:
    mapping = {"<PERSON_1>": "Siti"}
    assert restore("<PERSON_1> dan <PERSON_2> <b>", mapping) == "Siti dan <PERSON_2> <b>"


def test_when_text_already_contains_a_placeholder_then_restore_leaves_that_literal_alone(
    engine: PiiEngine, anonymizer: Anonymizer
) -> None:
    text = f"Jawaban tadi menyebut <ID_NIK_1>; NIK saya sebenarnya {NIK_A}"
    result = anonymizer.mask(text, engine.analyze(text))
    assert result.text == "Jawaban tadi menyebut <ID_NIK_1>; NIK saya sebenarnya <ID_NIK_2>"
    assert restore(result.text, result.mapping) == text


def test_when_a_vault_continues_from_a_saved_mapping_then_numbering_and_tokens_carry_on() -> None:
    first = PlaceholderVault()
    nik = first.token_for("ID_NIK", "3171234567890003")
    first.token_for("ID_NIK", "3171234567890011")
    later = PlaceholderVault.from_mapping(first.mapping)
    assert later.token_for("ID_NIK", "3171234567890003") == nik
    assert later.token_for("ID_NIK", "3273012345670002") == "<ID_NIK_3>"
    assert later.token_for("PHONE_NUMBER", "081234567890") == "<PHONE_NUMBER_1>"
