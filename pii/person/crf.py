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
# Trained weights are small (|w| < 10 in the shipped model); exp() of each must stay finite.
_MAX_WEIGHT = 500.0


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
        start = offset + record + _RECORD.size
        if value != identifier or key_size == 0 or start + key_size > len(data):
            raise CrfModelError(f"{path}: damaged string table at byte {offset + record}")
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
        self._four = (
            _FourLabels(self._flat_transitions, self._flat_exp_transitions)
            if len(labels) == 4
            else None
        )

    @classmethod
    def load(cls, path: Path) -> CrfModel:
        """Read a model file written by CRFsuite (`pycrfsuite.Trainer.train`); CrfModelError,
        naming the file, when it is not one or is damaged (cut short, counts that do not add
        up, weights that are not finite numbers)."""
        data = path.read_bytes()
        try:
            header = _HEADER.unpack_from(data, 0)
            magic, size, kind, _version, _n, label_count, attribute_count = header[:7]
            features_at, labels_at, attributes_at = header[7:10]
            if magic != b"lCRF" or kind != b"FOMC":
                raise CrfModelError(f"{path}: not a CRFsuite first-order CRF model")
            if size != len(data):
                raise CrfModelError(f"{path}: {len(data)} bytes, the header says {size}")
            labels = _strings(data, labels_at, label_count, path)
            attributes = _strings(data, attributes_at, attribute_count, path)
            chunk, chunk_size, feature_count = _CHUNK.unpack_from(data, features_at)
            if chunk != b"FEAT" or chunk_size != _CHUNK.size + _FEATURE.size * feature_count:
                raise CrfModelError(f"{path}: damaged feature table at byte {features_at}")
            state: dict[str, list[float]] = {}
            transitions = [[0.0] * label_count for _ in range(label_count)]
            at = features_at + _CHUNK.size
            for _ in range(feature_count):
                kind_id, source, target, weight = _FEATURE.unpack_from(data, at)
                at += _FEATURE.size
                if not math.isfinite(weight) or abs(weight) > _MAX_WEIGHT:
                    raise CrfModelError(f"{path}: weight {weight} at byte {at - _FEATURE.size}")
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
        if self._four is not None:
            return _sum_four(self.state, attributes)
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
        if not scores:
            return []
        if self._four is not None:
            return self._four.viterbi(scores)
        return self._viterbi(scores)

    def marginals(self, scores: list[list[float]]) -> list[list[float]]:
        """The probability of each label at each token (forward-backward, scaled per token)."""
        if not scores:
            return []
        if self._four is not None:
            return self._four.marginals(scores)
        return self._marginals(scores)

    def _viterbi(self, scores: list[list[float]]) -> list[int]:
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

    def _marginals(self, scores: list[list[float]]) -> list[list[float]]:
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


_Four = tuple[float, float, float, float]


def _sum_four(state: dict[str, list[float]], attributes: Iterable[str]) -> list[float]:
    """`CrfModel.weights` for four labels: the same additions in the same order."""
    t0 = t1 = t2 = t3 = 0.0
    for attribute in attributes:
        weights = state.get(attribute)
        if weights is not None:
            t0 += weights[0]
            t1 += weights[1]
            t2 += weights[2]
            t3 += weights[3]
    return [t0, t1, t2, t3]


def _best_into(b: _Four, into: _Four) -> tuple[float, int]:
    """max over i of b[i] + into[i] and its first arg-max (CRFsuite keeps the first of ties)."""
    top, arg = b[0] + into[0], 0
    score = b[1] + into[1]
    if score > top:
        top, arg = score, 1
    score = b[2] + into[2]
    if score > top:
        top, arg = score, 2
    score = b[3] + into[3]
    if score > top:
        top, arg = score, 3
    return top, arg


def _column(flat: list[float], j: int) -> _Four:
    return flat[j], flat[4 + j], flat[8 + j], flat[12 + j]


def _row(flat: list[float], i: int) -> _Four:
    return flat[4 * i], flat[4 * i + 1], flat[4 * i + 2], flat[4 * i + 3]


def _dot(a: _Four, b: _Four) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3]


class _FourLabels:
    """`CrfModel.viterbi` and `marginals` for a four-label model (the shipped one), written out
    so the compiled code keeps every number in a register: the same operations in the same
    order as the general code, so the same results to the bit (tests/pii/person/test_crf.py)."""

    def __init__(self, transitions: list[float], exp_transitions: list[float]) -> None:
        """Both 4x4, flat, [from * 4 + to]: the weights and their exponentials."""
        t, e = transitions, exp_transitions
        # Into label j: from 0..3 to j (a column); from label i: from i to 0..3 (a row).
        self._into = (_column(t, 0), _column(t, 1), _column(t, 2), _column(t, 3))
        self._exp_into = (_column(e, 0), _column(e, 1), _column(e, 2), _column(e, 3))
        self._exp_from = (_row(e, 0), _row(e, 1), _row(e, 2), _row(e, 3))

    def viterbi(self, scores: list[list[float]]) -> list[int]:
        into0, into1, into2, into3 = self._into
        row = scores[0]
        best: _Four = (row[0], row[1], row[2], row[3])
        back: list[int] = []
        for t in range(1, len(scores)):
            row = scores[t]
            top0, arg0 = _best_into(best, into0)
            top1, arg1 = _best_into(best, into1)
            top2, arg2 = _best_into(best, into2)
            top3, arg3 = _best_into(best, into3)
            best = (top0 + row[0], top1 + row[1], top2 + row[2], top3 + row[3])
            back += (arg0, arg1, arg2, arg3)
        last = 0
        for j in range(1, 4):
            if best[j] > best[last]:
                last = j
        path = [0] * len(scores)
        path[-1] = last
        for t in range(len(scores) - 2, -1, -1):
            last = back[4 * t + last]
            path[t] = last
        return path

    def marginals(self, scores: list[list[float]]) -> list[list[float]]:
        into0, into1, into2, into3 = self._exp_into
        from0, from1, from2, from3 = self._exp_from
        length = len(scores)
        states: list[_Four] = []
        alphas: list[_Four] = []
        scales: list[float] = []
        alpha: _Four = (0.0, 0.0, 0.0, 0.0)
        for t in range(length):
            row = scores[t]
            top = row[0]
            for j in range(1, 4):
                if row[j] > top:
                    top = row[j]
            state = (
                math.exp(row[0] - top),
                math.exp(row[1] - top),
                math.exp(row[2] - top),
                math.exp(row[3] - top),
            )
            if t == 0:
                a0, a1, a2, a3 = state
            else:
                a0 = _dot(alpha, into0) * state[0]
                a1 = _dot(alpha, into1) * state[1]
                a2 = _dot(alpha, into2) * state[2]
                a3 = _dot(alpha, into3) * state[3]
            norm = 1.0 / (a0 + a1 + a2 + a3)
            alpha = (a0 * norm, a1 * norm, a2 * norm, a3 * norm)
            states.append(state)
            alphas.append(alpha)
            scales.append(norm)
        out: list[list[float]] = [[] for _ in range(length)]
        scale = scales[length - 1]
        beta: _Four = (scale, scale, scale, scale)
        for t in range(length - 1, -1, -1):
            scale = scales[t]
            if t < length - 1:
                state = states[t + 1]
                weighted = (
                    beta[0] * state[0],
                    beta[1] * state[1],
                    beta[2] * state[2],
                    beta[3] * state[3],
                )
                beta = (
                    _dot(from0, weighted) * scale,
                    _dot(from1, weighted) * scale,
                    _dot(from2, weighted) * scale,
                    _dot(from3, weighted) * scale,
                )
            a = alphas[t]
            out[t] = [a[0] * beta[0] / scale, a[1] * beta[1] / scale,
                      a[2] * beta[2] / scale, a[3] * beta[3] / scale]  # fmt: skip
        return out
