"""Masking operators, one per module, as Presidio anonymizer operators."""

from __future__ import annotations

from presidio_anonymizer.operators import Operator

from pii.operators.encrypt import EncryptOperator
from pii.operators.hash import HashOperator
from pii.operators.keep import KeepOperator
from pii.operators.mask import MaskOperator
from pii.operators.placeholder import PlaceholderOperator
from pii.operators.redact import RedactOperator

OPERATOR_CLASSES: tuple[type[Operator], ...] = (
    RedactOperator,
    MaskOperator,
    HashOperator,
    PlaceholderOperator,
    EncryptOperator,
    KeepOperator,
)
OPERATOR_NAMES: tuple[str, ...] = tuple(cls().operator_name() for cls in OPERATOR_CLASSES)
