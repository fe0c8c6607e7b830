"""The shipped CRFsuite model, read from its file and run without CRFsuite.

CRFsuite's tagger (pycrfsuite) takes every token as a list of attribute strings, converts each and
looks it up on every call: most of the tagging time went there. A token's score per label is a
sum of its attributes' weights, and most of a token's attributes come from its word and its
neighbours' words, so `WeightedFeatures` (pii/person/features.py) sums them once per word. What
is left per window is the linear-chain arithmetic over four labels, done here as CRFsuite does
it: Viterbi for the labels, forward-backward for their probabilities.

The model file is CRFsuite's own format (training is unchanged, `pii/person/train.py`); reading
it needs its header, the feature table and the two string tables (CQDB) that name the labels and
attributes by id. tests/pii/person/test_crf.py checks labels and probabilities against CRFsuite.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable
from pathlib import Path

_HEADER = struct.Struct("<4sI4sIIIIIIIII")
_CHUNK = struct.Struct("<4sII")
_FEATURE = struct.Struct("<IIId")
_CQDB = struct.Struct("<4sIIIII")
_RECORD = struct.Struct("<iI")
_STATE, _TRANSITION = 0, 1


class CrfModelError(ValueError):
    """The model file is not a CRFsuite first-order CRF model, or is damaged."""


def _strings(data: bytes, offset: int, count: int, path: Path) -> list[str]:
    """The strings of a CQDB table, by id (its backward array maps id -> record)."""
    magic, _size, _flag, _order, backward_size, backward_offset = _CQDB.unpack_from(data, offset)
    if magic != b"CQDB" or backward_size != count:
        raise CrfModelError(f"{path}: damaged string table at byte {offset}")
    out: list[str] = []
    for identifier in range(count):
        (record,) = struct.unpack_from("<I", data, offset + backward_offset + 4 * identifier)
        value, key_size = _RECORD.unpack_from(data, offset + record)
        if value != identifier or key_size == 0:
            raise CrfModelError(f"{path}: damaged string table at byte {offset + record}")
        start = offset + record + _RECORD.size
        out.append(data[start : start + key_size - 1].decode("utf-8"))
    return out


class CrfModel:
    """A first-order linear-chain CRF: label names, attribute weights and transition weights."""

    def __init__(
        self,
        labels: list[str],
        state: dict[str, list[float]],
        transitions: list[list[float]],
    ) -> None:
        self.labels = labels
        self.state = state  # attribute -> weight per label (only attributes with a weight)
        self.transitions = transitions  # [from label][to label]
        self._zero = [0.0] * len(labels)
        self._flat_transitions = [w for row in transitions for w in row]
        self._flat_exp_transitions = [math.exp(w) for w in self._flat_transitions]

    @classmethod
    def load(cls, path: Path) -> CrfModel:
        """Read a model file written by CRFsuite (`pycrfsuite.Trainer.train`)."""
        data = path.read_bytes()
        try:
            header = _HEADER.unpack_from(data, 0)
            magic, _size, kind, _version, _n, label_count, attribute_count = header[:7]
            features_at, labels_at, attributes_at = header[7:10]
            if magic != b"lCRF" or kind != b"FOMC":
                raise CrfModelError(f"{path}: not a CRFsuite first-order CRF model")
            labels = _strings(data, labels_at, label_count, path)
            attributes = _strings(data, attributes_at, attribute_count, path)
            chunk, _chunk_size, feature_count = _CHUNK.unpack_from(data, features_at)
            if chunk != b"FEAT":
                raise CrfModelError(f"{path}: no feature table at byte {features_at}")
            state: dict[str, list[float]] = {}
            transitions = [[0.0] * label_count for _ in range(label_count)]
            at = features_at + _CHUNK.size
            for _ in range(feature_count):
                kind_id, source, target, weight = _FEATURE.unpack_from(data, at)
                at += _FEATURE.size
                if kind_id == _STATE:
                    weights = state.setdefault(attributes[source], [0.0] * label_count)
                    weights[target] = weight
                elif kind_id == _TRANSITION:
                    transitions[source][target] = weight
                else:
                    raise CrfModelError(f"{path}: unknown feature type {kind_id}")
        except (struct.error, IndexError, UnicodeDecodeError) as error:
            raise CrfModelError(f"{path}: damaged CRFsuite model ({error})") from error
        return cls(labels, state, transitions)

    def weights(self, attributes: Iterable[str]) -> list[float]:
        """The summed weight per label of `attributes` (unknown ones weigh nothing)."""
        total = list(self._zero)
        state = self.state
        for attribute in attributes:
            weights = state.get(attribute)
            if weights is not None:
                for label, weight in enumerate(weights):
                    total[label] += weight
        return total

    def viterbi(self, scores: list[list[float]]) -> list[int]:
        """The most likely label ids for a sequence of per-token label scores."""
        count = len(self.labels)
        transitions = self._flat_transitions
        best = list(scores[0])
        back: list[list[int]] = []
        for t in range(1, len(scores)):
            row = scores[t]
            step = [0.0] * count
            came_from = [0] * count
            for j in range(count):
                top = best[0] + transitions[j]
                arg = 0
                for i in range(1, count):
                    score = best[i] + transitions[i * count + j]
                    if score > top:  # the first of equal scores, as CRFsuite
                        top = score
                        arg = i
                step[j] = top + row[j]
                came_from[j] = arg
            best = step
            back.append(came_from)
        last = 0
        for j in range(1, count):
            if best[j] > best[last]:
                last = j
        path = [0] * len(scores)
        path[-1] = last
        for t in range(len(back) - 1, -1, -1):
            last = back[t][last]
            path[t] = last
        return path

    def marginals(self, scores: list[list[float]]) -> list[list[float]]:
        """The probability of each label at each token (forward-backward, scaled per token)."""
        count = len(self.labels)
        length = len(scores)
        trans = self._flat_exp_transitions
        # exp(score - the token's top score): per-token constants cancel out, and exp() stays
        # finite whatever the weights.
        states: list[list[float]] = []
        for row in scores:
            top = row[0]
            for j in range(1, count):
                if row[j] > top:
                    top = row[j]
            states.append([math.exp(row[j] - top) for j in range(count)])
        alpha: list[list[float]] = []
        scale = [0.0] * length
        previous = states[0]
        for t in range(length):
            state = states[t]
            current = [0.0] * count
            total = 0.0
            for j in range(count):
                value = state[j]
                if t > 0:
                    summed = 0.0
                    for i in range(count):
                        summed += previous[i] * trans[i * count + j]
                    value = summed * value
                current[j] = value
                total += value
            norm = 1.0 / total
            for j in range(count):
                current[j] = current[j] * norm
            alpha.append(current)
            scale[t] = norm
            previous = current
        beta = [[scale[length - 1]] * count for _ in range(length)]
        for t in range(length - 2, -1, -1):
            following = beta[t + 1]
            state = states[t + 1]
            weighted = [following[j] * state[j] for j in range(count)]
            row = beta[t]
            for i in range(count):
                summed = 0.0
                for j in range(count):
                    summed += trans[i * count + j] * weighted[j]
                row[i] = summed * scale[t]
        out: list[list[float]] = []
        for t in range(length):
            a, b, s = alpha[t], beta[t], scale[t]
            out.append([a[j] * b[j] / s for j in range(count)])
        return out
