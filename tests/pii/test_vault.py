"""Placeholder vaults: numbering, continuing a saved mapping, reserved placeholders."""

from __future__ import annotations

from pii.vault import MAX_RESERVED, RESERVED, PlaceholderVault, placeholders_in, restore

NIK_OLD = "3171234567890003"  # synthetic
NIK_NEW = "3273012345670002"  # synthetic


def test_when_placeholders_are_reserved_then_a_new_value_skips_them() -> None:
    vault = PlaceholderVault()
    vault.reserve({"<ID_NIK_1>", "<ID_NIK_3>"})
    assert vault.token_for("ID_NIK", NIK_NEW) == "<ID_NIK_2>"
    assert vault.token_for("ID_NIK", NIK_OLD) == "<ID_NIK_4>"
    assert vault.token_for("PHONE_NUMBER", "081234567890") == "<PHONE_NUMBER_1>"


def test_when_a_reserved_placeholder_is_restored_then_it_stays_as_written() -> None:
    vault = PlaceholderVault()
    vault.reserve({"<ID_NIK_1>"})
    token = vault.token_for("ID_NIK", NIK_NEW)
    assert (
        restore(f"lama <ID_NIK_1>, baru {token}", vault.mapping)
        == f"lama <ID_NIK_1>, baru {NIK_NEW}"
    )


def test_when_a_placeholder_the_vault_holds_is_reserved_then_it_keeps_its_value() -> None:
    vault = PlaceholderVault()
    token = vault.token_for("ID_NIK", NIK_OLD)
    vault.reserve({token})
    assert vault.token_for("ID_NIK", NIK_OLD) == token
    assert vault.mapping == {token: NIK_OLD}


def test_placeholders_in_finds_tokens_only() -> None:
    texts = ["Data <ID_NIK_2> dan <PHONE_NUMBER_1>.", "tanpa placeholder", "<bukan> <ID_NIK>"]
    assert placeholders_in(texts) == {"<ID_NIK_2>", "<PHONE_NUMBER_1>"}


def test_when_a_saved_mapping_holds_reserved_placeholders_then_they_stay_taken_and_unrestored() -> (
    None
):
    vault = PlaceholderVault.from_mapping({"<ID_NIK_1>": NIK_OLD, "<ID_NIK_2>": RESERVED})
    assert vault.mapping == {"<ID_NIK_1>": NIK_OLD}
    assert vault.token_for("ID_NIK", NIK_NEW) == "<ID_NIK_3>"
    assert vault.stored_mapping() == {
        "<ID_NIK_1>": NIK_OLD,
        "<ID_NIK_2>": RESERVED,
        "<ID_NIK_3>": NIK_NEW,
    }


def test_made_since_mark_names_only_the_placeholders_made_after_it() -> None:
    vault = PlaceholderVault()
    assert vault.made_since_mark() == set()
    vault.token_for("ID_NIK", NIK_OLD)
    vault.mark()
    vault.token_for("ID_NIK", NIK_OLD)  # an old value: no new placeholder
    assert vault.made_since_mark() == set()
    new = vault.token_for("ID_NIK", NIK_NEW)
    assert vault.made_since_mark() == {new}


def test_only_placeholders_the_vault_could_make_are_reserved_and_never_too_many() -> None:
    vault = PlaceholderVault()
    vault.reserve(["<ID_NIK_" + "9" * 5000 + ">", "<ID_NIK_1234567>", "<id_nik_2>", "<ID_NIK_2>"])
    vault.reserve(f"<PERSON_{n}>" for n in range(1, 5000))
    stored = vault.stored_mapping()
    assert "<ID_NIK_2>" in stored
    assert len(stored) == MAX_RESERVED
    assert all(len(token) <= 48 for token in stored)
    assert vault.token_for("ID_NIK", NIK_NEW) == "<ID_NIK_1>"


def test_a_stored_conversation_with_pasted_tokens_still_loads() -> None:
    huge = "<ID_NIK_" + "9" * 5000 + ">"
    vault = PlaceholderVault.from_mapping({"<ID_NIK_1>": NIK_OLD, huge: RESERVED})
    assert vault.token_for("ID_NIK", NIK_NEW) == "<ID_NIK_2>"
