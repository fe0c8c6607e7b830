"""The entity types Gerbang detects, and the UU PDP (UU 27/2022 Pasal 4) category of each.

The names are a fixed contract: security teams write policies against them. Never rename one.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """UU 27/2022 Pasal 4: general (umum) or specific (spesifik) personal data."""

    UMUM = "umum"
    SPESIFIK = "spesifik"


ENTITY_CATEGORIES: dict[str, Category] = {
    # Identity numbers identify a person on their own: general personal data.
    "ID_NIK": Category.UMUM,
    "ID_KK": Category.UMUM,
    "ID_NPWP": Category.UMUM,
    "ID_NIP": Category.UMUM,
    "ID_PASSPORT": Category.UMUM,
    "ID_SIM": Category.UMUM,
    "ID_VEHICLE_PLATE": Category.UMUM,
    # Health insurance membership, bank accounts and cards: health and personal financial data.
    "ID_BPJS": Category.SPESIFIK,
    "ID_BANK_ACCOUNT": Category.SPESIFIK,
    "CREDIT_CARD": Category.SPESIFIK,
    "PHONE_NUMBER": Category.UMUM,
    "EMAIL_ADDRESS": Category.UMUM,
    "IP_ADDRESS": Category.UMUM,
    "PERSON": Category.UMUM,
    "ADDRESS": Category.UMUM,
    "DATE_OF_BIRTH": Category.UMUM,
    "HEALTH": Category.SPESIFIK,
    "RELIGION": Category.UMUM,
    "MARITAL_STATUS": Category.UMUM,
    "GENDER": Category.UMUM,
    "NATIONALITY": Category.UMUM,
    "CRIMINAL_RECORD": Category.SPESIFIK,
}

ENTITY_TYPES: tuple[str, ...] = tuple(ENTITY_CATEGORIES)
LANGUAGES = ("id", "en")  # Indonesian and English; a message may mix both


def category_of(entity_type: str) -> Category:
    """The UU PDP category of an entity type; unknown types count as specific (fail safe)."""
    return ENTITY_CATEGORIES.get(entity_type, Category.SPESIFIK)
