"""Stage: replace the personal data found in the request as the policy decision says.

The masked body is what the upstream receives. Placeholders go into the exchange's vault (or the
conversation's), so the response can be restored for callers the policy allows. Placeholders that
already stand in the request (masked values of an earlier answer, sent back as chat history) are
never given to a new value.

Masking is linear in the text and takes tens of microseconds a field, less than a hop to the
thread pool and back (0.15-0.3 ms of CPU per exchange in bench/pipeline_breakdown.py): bodies
whose text fields hold up to `INLINE_CHARS` characters in all are masked on the event loop,
larger ones in the pool so that they cannot stall the worker's other exchanges.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from gateway.exchange import Exchange
from pii.anonymizer import Anonymizer, MaskingPlan, OperatorSpec
from pii.vault import PlaceholderVault, placeholders_in

INLINE_CHARS = 16 * 1024


class MaskRequest:
    """Masks every text field that holds findings and rebuilds the body from them."""

    def __init__(self, anonymizer: Anonymizer, executor: ThreadPoolExecutor) -> None:
        self._anonymizer = anonymizer
        self._executor = executor

    async def __call__(self, exchange: Exchange) -> web.StreamResponse | None:
        """Set `exchange.body` to the masked body; count operators applied per type."""
        fields = exchange.request_fields
        decision = exchange.decision
        assert decision is not None
        if fields is None:
            return None
        if not any(exchange.request_findings):
            # Nothing to mask, but the response may be: its new placeholders must not repeat
            # the ones already in the request.
            exchange.vault.reserve(placeholders_in(fields.texts))
            return None
        plan = masking_plan(decision.masking)
        vault = exchange.vault
        # Every field is read (for the placeholders it already holds), not only those to mask.
        if sum(len(text) for text in fields.texts) <= INLINE_CHARS:
            texts = self._mask_all(fields.texts, exchange, plan, vault)
        else:
            texts = await asyncio.get_running_loop().run_in_executor(
                self._executor, self._mask_all, fields.texts, exchange, plan, vault
            )
        exchange.body = fields.rebuild(texts)
        return None

    def _mask_all(
        self,
        texts: tuple[str, ...],
        exchange: Exchange,
        plan: MaskingPlan,
        vault: PlaceholderVault,
    ) -> list[str]:
        vault.reserve(placeholders_in(texts))
        out: list[str] = []
        for text, findings in zip(texts, exchange.request_findings, strict=True):
            if not findings:
                out.append(text)
                continue
            result = self._anonymizer.mask(text, findings, plan, vault)
            for entity_type, operator in result.operators:
                exchange.request_operators[entity_type] = operator
            out.append(result.text)
        return out


def masking_plan(masking: Mapping[str, str] | None) -> MaskingPlan:
    """The decision's `type -> operator` map as a plan; placeholders for anything unnamed."""
    plan: dict[str, OperatorSpec] = {"*": OperatorSpec("placeholder")}
    for entity_type, operator in (masking or {}).items():
        plan[entity_type] = OperatorSpec(operator)
    return plan
