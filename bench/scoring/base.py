"""Count tables, metrics and helpers shared by the three task scorers.

Scoring follows the spaCy-scorer idea: a scorer turns (gold, pred) into a table
of additive float counts, one row per unit (document, sentence or (doc, claim)
pair).  Every corpus figure is a function of column sums, so point estimates,
bootstrap intervals and paired tests all use the same vectorised metrics.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from bench.text import sentences
from bench.types import Annotations, Document

Unit = Literal["document", "sentence"]


# narrowest first; a value that does not survive the round trip rules a type out
_COMPACT = (np.uint8, np.uint16, np.float16, np.float32)
_STORED = (np.dtype(np.float64), *map(np.dtype, _COMPACT))
_BLOCK = 1 << 16


@dataclass(frozen=True, eq=False)
class CountTable:
    task: str
    fields: tuple[str, ...]
    units: tuple[str, ...]
    values: np.ndarray  # (len(units), len(fields)); rows add up; float64, or compact (see ``compact``)

    def __post_init__(self) -> None:
        values = self.values
        # private, read-only copy; a read-only array that owns its data (as the scorers hand
        # over) is already private, so large tables are not copied twice
        if not (isinstance(values, np.ndarray) and values.dtype in _STORED and values.base is None
                and not values.flags.writeable and values.flags.c_contiguous):
            values = np.array(values, dtype=np.float64)
        if values.shape != (len(self.units), len(self.fields)):
            raise ValueError(f"values shape {values.shape} != ({len(self.units)}, {len(self.fields)})")
        if len(set(self.fields)) != len(self.fields) or len(set(self.units)) != len(self.units):
            raise ValueError("field names and unit ids must be unique")
        values.flags.writeable = False
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "_index", {f: i for i, f in enumerate(self.fields)})

    def __eq__(self, other: object) -> bool:  # by content (results compare their count tables)
        if not isinstance(other, CountTable):
            return NotImplemented
        return (self.task, self.fields, self.units) == (other.task, other.fields, other.units) \
            and np.array_equal(self.values, other.values)

    __hash__ = None  # type: ignore[assignment]

    def compact(self) -> CountTable:
        """The same counts in the narrowest type that holds each one exactly (uint8, uint16,
        float16 for quarter counts, float32), or itself: a 100,000-document sentence table
        is 1.2 GB as float64.  Readers convert to float64 before any arithmetic (``dense``,
        ``total``), so every figure stays the same."""
        v = self.values
        if v.dtype != np.float64 or v.size == 0:
            return self
        blocks = [v[a:a + _BLOCK] for a in range(0, len(v), _BLOCK)]  # views: no full-size temporaries
        if not all(np.isfinite(b).all() for b in blocks):
            return self
        lo, hi = min(float(b.min()) for b in blocks), max(float(b.max()) for b in blocks)
        for dtype in _COMPACT:
            info = np.iinfo(dtype) if np.dtype(dtype).kind == "u" else np.finfo(dtype)
            if float(info.min) <= lo and hi <= float(info.max) and all(np.array_equal(b.astype(dtype), b) for b in blocks):
                small = v.astype(dtype)
                small.flags.writeable = False
                return self._with_values(small)
        return self

    def _with_values(self, values: np.ndarray) -> CountTable:
        """This table (units and fields already checked: a million ids are slow to re-check)
        holding other values of the same shape."""
        return CountTable._stacked(self.task, self.fields, self.units, values, self._index)

    @staticmethod
    def _stacked(task: str, fields: tuple[str, ...], units: tuple[str, ...], values: np.ndarray,
                 index: dict | None = None) -> CountTable:
        """A table whose unit ids are known distinct (checked tables of disjoint sets of
        documents, one under the other) and whose values are private and read-only."""
        if values.shape != (len(units), len(fields)) or values.flags.writeable or values.dtype not in _STORED:
            raise ValueError(f"values of shape {values.shape} for ({len(units)}, {len(fields)}) stacked rows")
        out = object.__new__(CountTable)
        for name, value in (("task", task), ("fields", fields), ("units", units), ("values", values),
                            ("_index", index if index is not None else {f: i for i, f in enumerate(fields)})):
            object.__setattr__(out, name, value)
        return out

    def dense(self, rows: slice | None = None) -> np.ndarray:
        """The values (or a block of rows) as float64, whatever the stored type."""
        v = self.values if rows is None else self.values[rows]
        return v if v.dtype == np.float64 else v.astype(np.float64)

    def total(self) -> np.ndarray:
        cached = self.__dict__.get("_total")  # values are read-only, so the sum never changes
        if cached is None:
            cached = self.values.sum(axis=0, dtype=np.float64)
            object.__setattr__(self, "_total", cached)
        return cached.copy()  # callers may write to theirs

    def column(self, name: str) -> int:
        try:
            return self._index[name]  # type: ignore[attr-defined]
        except KeyError:
            raise KeyError(f"no field {name!r} in the {self.task} table") from None

    def has(self, name: str) -> bool:
        return name in self._index  # type: ignore[attr-defined]

    def columns(self, names: Sequence[str]) -> np.ndarray:
        return np.array([self.column(n) for n in names], dtype=np.intp)


@dataclass(frozen=True)
class Metric:
    """A corpus figure computed from summed counts.

    ``fn`` is vectorised: it gets a (B, len(fields)) array whose columns are the
    summed counts named in ``fields`` (in that order) and returns B values.
    """

    name: str
    fields: tuple[str, ...]
    fn: Callable[[np.ndarray], np.ndarray]

    def applies_to(self, table: CountTable) -> bool:
        return all(table.has(f) for f in self.fields)

    def __call__(self, sums: np.ndarray) -> np.ndarray:
        return np.asarray(self.fn(np.atleast_2d(sums)), dtype=np.float64)

    def point(self, table: CountTable) -> float:
        return float(self(table.total()[table.columns(self.fields)])[0])


# ---- vectorised arithmetic ---------------------------------------------------
#
# An undefined figure is NaN here (precision with no predictions, recall with no gold,
# an accuracy over nothing) and null / "n/a" in results and tables, never 0.

def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, NaN where den == 0."""
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    return np.divide(num, den, out=np.full(np.broadcast(num, den).shape, np.nan), where=den != 0)


def prf(tp: np.ndarray, pos: np.ndarray, act: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and F1 from true positives, gold count (POS) and pred count (ACT).

    F1 = 2 tp / (pos + act), the harmonic mean of P and R wherever both are defined, and
    still defined when only one is (no predictions against some gold: F1 = 0, as in
    seqeval and sklearn); NaN only when there is neither gold nor prediction."""
    tp = np.asarray(tp, dtype=np.float64)
    return ratio(tp, act), ratio(tp, pos), ratio(2 * tp, np.asarray(pos, np.float64) + act)


def nan_to_zero(x: np.ndarray) -> np.ndarray:
    """Inside a macro average an undefined per-class P or R counts as 0 (sklearn's and
    seqeval's zero_division=0), so the average stays comparable with theirs."""
    return np.nan_to_num(x, nan=0.0)


def prf_metrics(prefix: str, tp: str, pos: str, act: str) -> list[Metric]:
    """``{prefix}p``, ``{prefix}r`` and ``{prefix}f1`` metrics from three count fields."""
    fields = (tp, pos, act)
    return [Metric(f"{prefix}{k}", fields, lambda s, i=i: prf(s[:, 0], s[:, 1], s[:, 2])[i])
            for i, k in enumerate(("p", "r", "f1"))]


def ratio_metric(name: str, num: str, den: str) -> Metric:
    return Metric(name, (num, den), lambda s: ratio(s[:, 0], s[:, 1]))


# ---- building tables ---------------------------------------------------------

class Units:
    """Unit ids for a corpus and the row that a (document, offset) falls into.

    Sentence units come from ``bench.text.sentences``; a span belongs to the
    sentence containing its start, or the nearest preceding one (first one if
    none precedes).  A document without sentences is one unit.
    """

    def __init__(self, docs: Sequence[Document], unit: Unit) -> None:
        self.unit = unit
        self.ids: list[str] = []
        self._first: list[int] = []  # first row of each document
        self._starts: list[list[int]] = []  # sentence starts per document
        self._lengths = [len(doc.text) for doc in docs]
        for doc in docs:
            self._first.append(len(self.ids))
            if unit == "document":
                self._starts.append([0])
                self.ids.append(doc.doc_id)
            else:
                starts = [s for s, _ in sentences(doc.text)] or [0]
                self._starts.append(starts)
                self.ids.extend(f"{doc.doc_id}#s{i}" for i in range(len(starts)))
        self._flat: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def per_document(self) -> list[int]:
        """Number of units of each document."""
        return [len(s) for s in self._starts]

    def row(self, doc_index: int, offset: int) -> int:
        i = max(bisect_right(self._starts[doc_index], offset) - 1, 0)
        return self._first[doc_index] + i

    def rows(self, doc_index: np.ndarray, offset: np.ndarray) -> np.ndarray:
        """``row`` for arrays of (document index, offset), vectorised."""
        doc_index = np.asarray(doc_index, dtype=np.int64)
        if self.unit == "document":
            return doc_index.copy()
        if self._flat is None:
            # every document gets a key range [base, base + len]: one global sorted
            # array of sentence starts then answers all documents with one searchsorted
            lengths = np.array(self._lengths, dtype=np.int64)
            base = np.concatenate(([0], np.cumsum(lengths + 1)[:-1])).astype(np.int64)
            counts = np.array([len(s) for s in self._starts], dtype=np.int64)
            starts = np.fromiter((s for ss in self._starts for s in ss), dtype=np.int64, count=int(counts.sum()))
            starts = np.clip(starts, 0, np.repeat(lengths, counts)) + np.repeat(base, counts)
            self._flat = (base, lengths, starts)
        base, lengths, starts = self._flat
        first = np.asarray(self._first, dtype=np.int64)[doc_index]
        # offsets outside the text fall in its first / last sentence, as in ``row``
        key = base[doc_index] + np.clip(np.asarray(offset, dtype=np.int64), 0, lengths[doc_index])
        return np.maximum(np.searchsorted(starts, key, side="right") - 1, first)


_UNITS_CACHE: list[tuple[str, list[Document], Units]] = []


def units_for(docs: Sequence[Document], unit: Unit) -> Units:
    """``Units(docs, unit)``, reusing the last few: sentence splitting is the costly part
    and every task of one evaluation needs the same units.  Keyed by the document
    objects themselves (frozen), which the cache keeps alive."""
    docs = list(docs)
    if not docs:
        return Units(docs, unit)
    for u_name, cached_docs, cached in _UNITS_CACHE:
        if u_name == unit and len(cached_docs) == len(docs) and all(a is b for a, b in zip(cached_docs, docs)):
            return cached
    units = Units(docs, unit)
    _UNITS_CACHE.insert(0, (unit, docs, units))
    del _UNITS_CACHE[4:]
    return units


class TableBuilder:
    def __init__(self, task: str, fields: Sequence[str], units: Sequence[str]) -> None:
        self.task, self.fields, self.units = task, tuple(fields), tuple(units)
        self._index = {f: i for i, f in enumerate(self.fields)}
        self._values = np.zeros((len(self.units), len(self.fields)))

    def add(self, row: int, field: str, amount: float = 1.0) -> None:
        self._values[row, self._index[field]] += amount

    def build(self) -> CountTable:
        return CountTable(self.task, self.fields, self.units, self._values)


class UnitTables:
    """Tables for several unit systems filled at once, a whole column of counts per call.

    Counts are placed by row arrays (one per unit system, see ``Units.rows``) and
    summed with ``np.bincount``; fields a table does not keep are skipped.
    """

    def __init__(self, task: str, fields: Sequence[str], units: Sequence[Units],
                 wanted: Sequence[Sequence[str] | None]) -> None:
        self.task, self.units = task, tuple(units)
        self.fields: list[tuple[str, ...]] = []
        for w in wanted:
            keep = set(fields) if w is None else set(w)
            unknown = keep - set(fields)
            if unknown:
                raise ValueError(f"unknown {task} fields {sorted(unknown)}")
            self.fields.append(tuple(f for f in fields if f in keep))
        self._index = [{f: i for i, f in enumerate(fs)} for fs in self.fields]
        # column-major while filling: counts are added a whole column at a time
        self._values = [np.zeros((len(u.ids), len(fs)), order="F") for u, fs in zip(self.units, self.fields)]

    def wants(self, k: int, field: str) -> bool:
        return field in self._index[k]

    def add(self, k: int, fields: str | Sequence[str], rows: np.ndarray, weights: np.ndarray | None = None) -> None:
        """Count rows (weighted) into table k's column for each of ``fields`` (one field or several)."""
        names = (fields,) if isinstance(fields, str) else fields
        cols = [c for c in map(self._index[k].get, names) if c is not None]
        if not cols or len(rows) == 0:
            return
        self.add_counts(k, names, np.bincount(rows, weights, minlength=len(self._values[k])))

    def add_counts(self, k: int, fields: Sequence[str], counts: np.ndarray) -> None:
        """Add a column of per-row counts to table k's column for each of ``fields``."""
        values = self._values[k]
        for col in map(self._index[k].get, fields):
            if col is not None:
                values[:, col] += counts

    def by_category(self, k: int, rows: np.ndarray, category: np.ndarray, n: int) -> np.ndarray:
        """(rows of table k, n) counts of (row, category) pairs: one pass instead of n."""
        n_rows = len(self._values[k])
        if n_rows * n <= 1 << 24:
            return np.bincount(rows * n + category, minlength=n_rows * n).reshape(n_rows, n)
        out = np.zeros((n_rows, n), np.int64)  # a big table: per category, to bound memory
        for c in range(n):
            out[:, c] = np.bincount(rows[category == c], minlength=n_rows)
        return out

    def build(self) -> tuple[CountTable, ...]:
        out = []
        for u, fs, values in zip(self.units, self.fields, self._values):
            values = np.ascontiguousarray(values)
            values.flags.writeable = False  # handed over to the table, not copied again
            out.append(CountTable(self.task, fs, tuple(u.ids), values))
        self._values = []
        return tuple(out)


def align(docs: Sequence[Document], layers: Sequence[Annotations], role: str) -> list[Annotations]:
    """Annotations in document order; a clear error when a document has none."""
    if len(layers) == len(docs) and all(a.doc_id == d.doc_id for a, d in zip(layers, docs)):
        return list(layers)  # already aligned, as evaluate passes them
    by_id: Mapping[str, Annotations] = {a.doc_id: a for a in layers}
    missing = [d.doc_id for d in docs if d.doc_id not in by_id]
    if missing:
        raise ValueError(f"{role} annotations missing for documents {missing}")
    return [by_id[d.doc_id] for d in docs]


def layer(ann: Annotations, name: str, role: str) -> tuple:
    value = getattr(ann, name)
    if value is None:
        raise ValueError(f"{role} layer {name!r} is None for {ann.doc_id}: task not produced")
    return value


@dataclass(frozen=True, slots=True)
class Link:
    """One gold item, one predicted item or a matched pair, with the scorer's outcome
    for it (nervaluate's EvaluationIndices, one record per item).  Scorers build the
    links of a document with the same matching their counts come from, so what
    ``bench report`` shows adds up to the result file."""

    outcome: str
    gold: object | None
    pred: object | None
    strict: bool = False  # timex: the gold span has a prediction with identical offsets
    detail: tuple = ()  # task-specific extras (stance: the evidence links of a pair)

    @property
    def start(self) -> int:
        return min(x.start for x in (self.gold, self.pred) if x is not None)

    def order(self) -> tuple:
        first = self.gold if self.gold is not None else self.pred
        return (self.start, self.gold is None, first.end)


def overlap(a, b) -> int:
    """Characters shared by two end-exclusive spans (objects with start/end)."""
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def iou(a, b) -> float:
    """Intersection over union of two spans, in characters."""
    inter = overlap(a, b)
    return inter / (max(a.end, b.end) - min(a.start, b.start)) if inter else 0.0


def max_overlap_match(gold: Sequence, pred: Sequence, min_iou: float = 0.0) -> list[tuple[int, int]]:
    """A maximum-cardinality one-to-one matching of overlapping spans: (gold, pred) index pairs.

    Two spans may pair when they overlap (and, with ``min_iou``, when their IoU is at
    least that).  Of all matchings with the most pairs, the one with the most
    identical-offset pairs wins, then the one with the largest total overlap; what
    ties after that is settled by the deterministic assignment solver on spans in
    the caller's order.  Adding a prediction can never lower the number of pairs.
    """
    cand = []
    for gi, g in enumerate(gold):  # ``overlap`` and ``iou`` written out: stance scoring calls this per pair
        g_start, g_end = g.start, g.end
        for pi, p in enumerate(pred):
            inter = min(g_end, p.end) - max(g_start, p.start)
            if inter > 0 and (min_iou <= 0 or inter / (max(g_end, p.end) - min(g_start, p.start)) >= min_iou):
                cand.append((gi, pi, inter, g_start == p.start and g_end == p.end))
    if not cand:
        return []
    gs = sorted({c[0] for c in cand})
    ps = sorted({c[1] for c in cand})
    if len(cand) == 1 or (len(gs) == len(cand) and len(ps) == len(cand)):
        return sorted((gi, pi) for gi, pi, _, _ in cand)  # disjoint pairs: nothing to choose
    from scipy.optimize import linear_sum_assignment

    # lexicographic objective in integer weights: pairs >> identical spans >> overlap
    total_overlap = sum(c[2] for c in cand) + 1
    per_pair = (len(cand) + 1) * total_overlap
    weight = np.zeros((len(gs), len(ps)), dtype=np.float64)
    gi_pos, pi_pos = {g: i for i, g in enumerate(gs)}, {p: i for i, p in enumerate(ps)}
    for gi, pi, ov, exact in cand:
        weight[gi_pos[gi], pi_pos[pi]] = per_pair + total_overlap * exact + ov
    rows, cols = linear_sum_assignment(weight, maximize=True)
    return sorted((gs[r], ps[c]) for r, c in zip(rows, cols) if weight[r, c] > 0)
