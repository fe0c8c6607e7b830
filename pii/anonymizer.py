"""Applying a masking plan (entity type -> operator) to a text and its findings.

Built on presidio-anonymizer's engine with Gerbang's operators registered in it. Placeholders are
assigned in reading order before Presidio (which works from the end of the text backwards)
replaces anything, so `<PERSON_1>` is the first person mentioned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

from pii.findings import Finding
from pii.operators import OPERATOR_CLASSES, OPERATOR_NAMES
from pii.operators.encrypt import Sealer
from pii.vault import PLACEHOLDER_RE, PlaceholderVault

DEFAULT = "*"  # the plan key that applies to every type without its own entry


class MaskingPlanError(ValueError):
    """The plan names an unknown operator, or lacks the key an operator needs."""


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    """An operator and its parameters, e.g. `OperatorSpec("mask", {"keep": 4})`."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)


MaskingPlan = Mapping[str, OperatorSpec]
PLACEHOLDERS_FOR_ALL: MaskingPlan = {DEFAULT: OperatorSpec("placeholder")}


@dataclass(frozen=True, slots=True)
class MaskResult:
    """The masked text and the placeholder -> value mapping needed to restore it."""

    text: str
    mapping: dict[str, str]
    operators: tuple[tuple[str, str], ...]  # (entity type, operator) per replaced span, in order


class Anonymizer:
    """Masks findings according to a plan. Keys are given once; a vault per scope per call."""

    def __init__(self, *, hash_key: bytes | None = None, sealer: Sealer | None = None) -> None:
        self._engine = AnonymizerEngine()  # type: ignore[no-untyped-call]
        for operator in OPERATOR_CLASSES:
            self._engine.add_anonymizer(operator)
        self._hash_key = hash_key
        self._sealer = sealer

    def check_plan(self, plan: MaskingPlan) -> None:
        """Raise MaskingPlanError when the plan cannot be applied with this anonymizer's keys."""
        for entity_type, spec in plan.items():
            if spec.name not in OPERATOR_NAMES:
                raise MaskingPlanError(
                    f"{entity_type}: unknown operator {spec.name!r} "
                    f"(one of {', '.join(OPERATOR_NAMES)})"
                )
            if spec.name == "hash" and self._hash_key is None:
                raise MaskingPlanError(f"{entity_type}: the hash operator needs a hash key")
            if spec.name == "encrypt" and self._sealer is None:
                raise MaskingPlanError(f"{entity_type}: the encrypt operator needs a key")

    def mask(
        self,
        text: str,
        findings: Sequence[Finding],
        plan: MaskingPlan = PLACEHOLDERS_FOR_ALL,
        vault: PlaceholderVault | None = None,
    ) -> MaskResult:
        """Replace each finding as the plan says; findings must not overlap (the engine's don't)."""
        self.check_plan(plan)
        vault = vault if vault is not None else PlaceholderVault()
        ordered = sorted(findings, key=lambda f: f.start)
        chosen = [(f, _spec_for(plan, f.type)) for f in ordered]
        already_in_text = set(PLACEHOLDER_RE.findall(text))
        for finding, spec in chosen:  # number placeholders in reading order
            if spec.name == "placeholder":
                vault.token_for(finding.type, finding.value_in(text), avoid=already_in_text)
        if not chosen:
            return MaskResult(text, {}, ())
        operators = {
            f.type: OperatorConfig(spec.name, self._params(spec, vault)) for f, spec in chosen
        }
        result = self._engine.anonymize(
            text=text,
            analyzer_results=[RecognizerResult(f.type, f.start, f.end, f.score) for f, _ in chosen],
            operators=operators,
            merge_entities_with_spaces=False,
        )
        used = {spec.name for _, spec in chosen}
        mapping = vault.mapping if "placeholder" in used else {}
        return MaskResult(result.text, mapping, tuple((f.type, spec.name) for f, spec in chosen))

    def _params(self, spec: OperatorSpec, vault: PlaceholderVault) -> dict[str, Any]:
        params = dict(spec.params)
        if spec.name == "placeholder":
            params["vault"] = vault
        elif spec.name == "hash":
            params["key"] = self._hash_key
        elif spec.name == "encrypt":
            params["sealer"] = self._sealer
        return params


def _spec_for(plan: MaskingPlan, entity_type: str) -> OperatorSpec:
    spec = plan.get(entity_type) or plan.get(DEFAULT)
    if spec is None:
        raise MaskingPlanError(f"{entity_type}: the plan has no operator for it and no '*'")
    return spec
