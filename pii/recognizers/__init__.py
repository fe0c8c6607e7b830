"""Every recognizer, registered in one place. One recognizer per module."""

from __future__ import annotations

from pii.recognizers.address import AddressRecognizer
from pii.recognizers.bank_account import BankAccountRecognizer
from pii.recognizers.base import Recognizer
from pii.recognizers.bpjs import BpjsRecognizer
from pii.recognizers.credit_card import CreditCardRecognizer
from pii.recognizers.date_of_birth import DateOfBirthRecognizer
from pii.recognizers.email import EmailRecognizer
from pii.recognizers.health import HealthRecognizer
from pii.recognizers.ip_address import IpAddressRecognizer
from pii.recognizers.kk import KkRecognizer
from pii.recognizers.labelled_fields import (
    CriminalRecordRecognizer,
    GenderRecognizer,
    MaritalStatusRecognizer,
    NationalityRecognizer,
    ReligionRecognizer,
)
from pii.recognizers.nik import NikRecognizer
from pii.recognizers.nip import NipRecognizer
from pii.recognizers.npwp import NpwpRecognizer
from pii.recognizers.passport import PassportRecognizer
from pii.recognizers.person import PersonRecognizer
from pii.recognizers.phone import PhoneRecognizer
from pii.recognizers.sim import SimRecognizer
from pii.recognizers.vehicle_plate import VehiclePlateRecognizer

RECOGNIZER_CLASSES: tuple[type[Recognizer], ...] = (
    NikRecognizer,
    KkRecognizer,
    NpwpRecognizer,
    NipRecognizer,
    BpjsRecognizer,
    PassportRecognizer,
    SimRecognizer,
    VehiclePlateRecognizer,
    BankAccountRecognizer,
    PhoneRecognizer,
    EmailRecognizer,
    CreditCardRecognizer,
    IpAddressRecognizer,
    DateOfBirthRecognizer,
    AddressRecognizer,
    PersonRecognizer,
    HealthRecognizer,
    ReligionRecognizer,
    MaritalStatusRecognizer,
    GenderRecognizer,
    NationalityRecognizer,
    CriminalRecordRecognizer,
)


def default_recognizers() -> list[Recognizer]:
    """A fresh instance of every built-in recognizer."""
    return [cls() for cls in RECOGNIZER_CLASSES]
