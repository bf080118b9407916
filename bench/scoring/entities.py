"""Named-entity scoring.

Main figures (``{view}.strict.*``): set-based strict P/R/F1, as conlleval, seqeval
and spaCy's scorer define them.  A prediction is correct when a gold span with the
identical (start, end, label) exists, whatever else was predicted; predictions are
a set (a duplicate counts once).  So adding a wrong span can never lower recall,
and on flat BIO input the figures equal seqeval's exactly (tested on random data).

Secondary, nervaluate-compatible figures (``{view}.nervaluate.{scheme}.*``): the
four MUC/SemEval-2013 schemes as nervaluate 1.2 defines them, with the outcome of
each prediction (COR/INC/PAR/SPU) and each unmatched gold span (MIS):

* strict  - exact span and type;
* exact   - exact span, any type;
* partial - exact span = COR, any overlap = PAR (credit 0.5), any type;
* type    - any overlap with the correct type (nervaluate's ``ent_type``).

nervaluate's matching is greedy and order-dependent (spans sorted by (start, end,
label); each prediction in turn scans the unmatched gold spans, see ``_match``), so
with overlapping predictions its strict figure can fall below the set-based one;
its maintainers call overlapping predictions unsupported.  The one difference from
nervaluate: its default 1 % minimum-overlap threshold only matters for gold spans
over 100 units long; here any overlap counts (the SemEval definition).

Views: ``ontonotes`` (OntoNotes labels; only for extractors whose label_scheme is
"ontonotes") and ``conll`` (gold mapped with FINE_TO_CONLL, fine predictions too).
Predicted labels outside the view's label set are kept (they count as wrong).
Per-label nervaluate figures re-run the matching on the spans of that label only,
exactly as nervaluate's per-entity results do (so they need not add up).
Fields per view and label L (L = "ALL" for all labels together): ``.tp``, ``.pos``
(gold spans) and ``.act`` (predicted spans; distinct ones for the set-based
figures); nervaluate's ALL also keeps the raw ``cor inc par mis spu`` counts, and
its tp is COR + 0.5 PAR.  A matched prediction is counted in its gold span's unit.

Macro P/R/F1 average the per-label figures over the view's labels that occur in
the gold or the predictions of the units scored (pos + act > 0), like seqeval's
macro average (an undefined per-label P or R counts as 0 inside it); undefined
when no label occurs.  Main score: ``ontonotes.strict.micro_f1``.

``align_document`` gives, for ``bench report``, each span's outcome under the
main (set-based strict) figure: correct, or a false positive / false negative
paired by ``base.max_overlap_match`` into wrong label / wrong boundary / both.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter, itemgetter
from typing import NamedTuple

import numpy as np

from bench.scoring.base import (
    CountTable, Link, Metric, Units, UnitTables, align, layer, max_overlap_match, nan_to_zero, prf,
    prf_metrics, ratio, units_for,
)
from bench.scoring.task import Breakdown, Column, ReportSpec, Task
from bench.types import CONLL_LABELS, ENTITY_LABELS, FINE_TO_CONLL, Annotations, Document, Entity

SCHEMES: tuple[str, ...] = ("strict", "exact", "partial", "type")
NV = "nervaluate"  # namespace of the nervaluate-compatible fields and metrics
VIEWS: dict[str, tuple[str, ...]] = {"ontonotes": ENTITY_LABELS, "conll": CONLL_LABELS}
RAW = ("cor", "inc", "par", "mis", "spu")
_CREDIT = {"COR": 1.0, "PAR": 0.5, "INC": 0.0, "SPU": 0.0}


def view_fields(view: str) -> tuple[str, ...]:
    out = [f"{view}.strict.{lab}.{k}" for lab in ("ALL",) + VIEWS[view] for k in ("tp", "pos", "act")]
    for scheme in SCHEMES:
        out += [f"{view}.{NV}.{scheme}.ALL.{k}" for k in ("tp", "pos", "act") + RAW]
        out += [f"{view}.{NV}.{scheme}.{lab}.{k}" for lab in VIEWS[view] for k in ("tp", "pos", "act")]
    return tuple(out)


def _match(gold: Sequence[Entity], pred: Sequence[Entity], scheme: str) -> list[tuple[str, int | None]]:
    """(outcome, matched gold index) for each prediction, following nervaluate's strategies."""
    used: set[int] = set()
    out: list[tuple[str, int | None]] = []
    starts = [g.start for g in gold]
    longest = max((g.end - g.start for g in gold), default=0)
    for p in pred:
        hit = fallback = None
        best_dist = None
        # only overlapping gold spans can match; gold is sorted by start, so they lie in this window
        for gi in range(bisect_right(starts, p.start - longest), bisect_left(starts, p.end)):
            g = gold[gi]
            if gi in used:
                continue
            overlaps = p.start < g.end and g.start < p.end
            same_span = p.start == g.start and p.end == g.end
            if scheme == "type":
                # correct type with closest boundaries wins; else first overlapping gold
                if overlaps and p.label == g.label:
                    dist = abs(p.start - g.start) + abs(p.end - g.end)
                    if best_dist is None or dist < best_dist:
                        hit, best_dist = gi, dist
                elif overlaps and fallback is None:
                    fallback = gi
                continue
            if same_span and (scheme != "strict" or p.label == g.label):
                hit = gi
                break
            if overlaps and fallback is None:
                fallback = gi
        if hit is not None:
            out.append(("COR", hit))
            used.add(hit)
        elif fallback is not None:
            out.append(("PAR" if scheme == "partial" else "INC", fallback))
            used.add(fallback)
        else:
            out.append(("SPU", None))
    return out


# ---- corpus-wide counting ------------------------------------------------------
#
# ``_match`` decides each prediction from the gold spans that overlap it and from which
# of them earlier predictions took, so it decomposes over *clusters*: maximal runs of
# mutually chained overlapping spans (gold and pred together) of one document, or of one
# (document, label) group for per-label figures.  Nearly all clusters are trivial (one
# gold and one pred, or only one side) and are decided with array operations; the rest
# go through ``_match`` itself on the cluster's spans, in the same (start, end, label)
# order, so every count equals that of running ``_match`` on whole documents.  Spans
# with start >= end or start < 0 put their whole group through ``_match``.

_COR, _INC, _SPU = 0, 1, 2  # PAR is the partial scheme's name for an INC of exact matching
_KIND = {"COR": _COR, "INC": _INC, "PAR": _INC, "SPU": _SPU}
_MODE_SCHEMES = {"strict": ("strict",), "exact": ("exact", "partial"), "type": ("type",)}
# per label, strict matching equals exact matching (all labels agree)
_LABEL_MODE_SCHEMES = {"exact": ("strict", "exact", "partial"), "type": ("type",)}


class _Span(NamedTuple):
    start: int
    end: int
    label: int


@dataclass(frozen=True)
class _Flat:
    """Spans of one role over all documents: parallel int64 arrays."""

    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    label: np.ndarray  # index into the raw label vocabulary


_START, _END, _LABEL = attrgetter("start"), attrgetter("end"), attrgetter("label")


def _flatten(anns: Sequence[Annotations], role: str, vocab: dict[str, int]) -> _Flat:
    per_doc = [layer(a, "entities", role) for a in anns]
    counts = [len(ents) for ents in per_doc]
    flat = list(chain.from_iterable(per_doc))
    starts, ends = _offsets(map(_START, flat), len(flat), role), _offsets(map(_END, flat), len(flat), role)
    labels = list(map(_LABEL, flat))
    for label in dict.fromkeys(labels):
        vocab.setdefault(label, len(vocab))
    codes = itemgetter(*labels)(vocab) if len(labels) > 1 else [vocab[x] for x in labels]
    return _Flat(np.repeat(np.arange(len(anns), dtype=np.int64), counts), starts, ends,
                 np.array(codes, dtype=np.int64))


def _offsets(values, n: int, role: str) -> np.ndarray:
    """int64 offsets; anything but whole numbers (as the loaders guarantee) is an error."""
    try:
        arr = np.fromiter(values, np.float64, n)  # exact for |x| < 2**53
    except (TypeError, ValueError):
        raise ValueError(f"{role} entity offsets must be int") from None
    if n and not (np.abs(arr).max() < 2.0 ** 53 and np.array_equal(arr, np.floor(arr))):
        raise ValueError(f"{role} entity offsets must be int")
    return arr.astype(np.int64)


@dataclass(frozen=True)
class _Clusters:
    g_id: np.ndarray  # cluster of each gold span
    p_id: np.ndarray  # cluster of each pred span
    fast_p: np.ndarray  # preds alone in a cluster with exactly one gold ...
    fast_g: np.ndarray  # ... and that gold
    slow: np.ndarray  # bool per cluster: decided by _match


def _clusters(g_key: np.ndarray, g: _Flat, p_key: np.ndarray, p: _Flat) -> _Clusters:
    ng = len(g_key)
    key = np.concatenate([g_key, p_key])
    start, end = np.concatenate([g.start, p.start]), np.concatenate([g.end, p.end])
    n = len(key)
    if n == 0:
        e = np.zeros(0, np.int64)
        return _Clusters(e, e, e, e, np.zeros(0, bool))
    irregular_key = np.zeros(int(key.max()) + 1, bool)
    irregular_key[key[(start >= end) | (start < 0)]] = True
    lo = min(int(start.min()), int(end.min()))
    width = max(int(start.max()), int(end.max())) - lo + 1
    if (int(key.max()) + 1) * width >= 2 ** 62:  # keys would overflow: one cluster per group
        irregular_key[:] = True
        order = np.lexsort((start, key))
        k = key[order]
        new = np.concatenate(([True], k[1:] != k[:-1]))
    else:
        # each group owns the key range [key * width, (key + 1) * width), so one running
        # maximum of ends over the sorted spans finds every cluster boundary
        ks = key * width + (start - lo)
        order = np.argsort(ks, kind="stable")
        k, ks = key[order], ks[order]
        ke = key[order] * width + (end[order] - lo)
        new = np.ones(n, bool)
        new[1:] = ks[1:] >= np.maximum.accumulate(ke)[:-1]
        new[1:] |= k[1:] != k[:-1]
        new[1:] &= ~irregular_key[k[1:]] | (k[1:] != k[:-1])
    ids = np.empty(n, np.int64)
    ids[order] = np.cumsum(new) - 1
    n_clusters = int(ids.max()) + 1
    g_id, p_id = ids[:ng], ids[ng:]
    n_g = np.bincount(g_id, minlength=n_clusters)
    n_p = np.bincount(p_id, minlength=n_clusters)
    irregular = np.zeros(n_clusters, bool)
    irregular[ids[irregular_key[key]]] = True
    fast = (n_g == 1) & (n_p == 1) & ~irregular
    gold_of = np.full(n_clusters, -1, np.int64)
    gold_of[g_id] = np.arange(ng)
    fast_p = np.flatnonzero(fast[p_id])
    return _Clusters(g_id, p_id, fast_p, gold_of[p_id[fast_p]], (n_g > 0) & (n_p > 0) & ~fast)


def _slow_groups(cl: _Clusters, g: _Flat, gl: np.ndarray, p: _Flat, pl: np.ndarray):
    """(gold indices, gold spans, pred indices, pred spans) per slow cluster, each side
    in (start, end, label) order; labels are view codes ranked like the label strings."""
    sides = []
    for ids, f, lab in ((cl.g_id, g, gl), (cl.p_id, p, pl)):
        sel = np.flatnonzero(cl.slow[ids])
        sel = sel[np.lexsort((lab[sel], f.end[sel], f.start[sel], ids[sel]))]
        cuts = np.flatnonzero(np.diff(ids[sel])) + 1
        rows = list(zip(sel.tolist(), f.start[sel].tolist(), f.end[sel].tolist(), lab[sel].tolist()))
        bounds = [0, *cuts.tolist(), len(rows)]
        sides.append([rows[a:b] for a, b in zip(bounds, bounds[1:])])
    out = []
    for gs, ps in zip(*sides):
        out.append(([r[0] for r in gs], [_Span(*r[1:]) for r in gs], [r[0] for r in ps], [_Span(*r[1:]) for r in ps]))
    return out


def _outcomes(cl: _Clusters, slow, g: _Flat, gl: np.ndarray, p: _Flat, pl: np.ndarray,
              mode: str) -> tuple[np.ndarray, np.ndarray]:
    """(outcome code, matched gold index or -1) of every prediction under one matching mode."""
    kind = np.full(len(p.start), _SPU, np.int8)
    match = np.full(len(p.start), -1, np.int64)
    fp, fg = cl.fast_p, cl.fast_g
    if mode == "type":
        ok = gl[fg] == pl[fp]  # a lone overlapping gold: right type wins, else the fallback
    else:
        ok = (g.start[fg] == p.start[fp]) & (g.end[fg] == p.end[fp])
        if mode == "strict":
            ok &= gl[fg] == pl[fp]
    kind[fp] = np.where(ok, _COR, _INC)
    match[fp] = fg
    for g_idx, g_spans, p_idx, p_spans in slow:
        for pi, (outcome, gi) in zip(p_idx, _match(g_spans, p_spans, mode)):
            kind[pi] = _KIND[outcome]
            if gi is not None:
                match[pi] = g_idx[gi]
    return kind, match


class _Rows:
    """Unit rows of gold and pred spans for each requested unit system."""

    def __init__(self, units: Sequence[Units], g: _Flat, p: _Flat) -> None:
        self.n_gold = len(g.start)
        self.g = [u.rows(g.doc, g.start) for u in units]
        self.p = [u.rows(p.doc, p.start) for u in units]

    def pred(self, k: int, match: np.ndarray) -> np.ndarray:
        """A matched prediction counts in its gold span's unit."""
        if len(self.g[k]) == 0:
            return self.p[k]
        return np.where(match >= 0, self.g[k][np.maximum(match, 0)], self.p[k])


def _add_all(t: UnitTables, rows: _Rows, view: str, schemes: tuple[str, ...], kind: np.ndarray,
             match: np.ndarray) -> None:
    """Overall counts of the schemes that share one matching (pos is counted once, elsewhere)."""
    matched = np.zeros(rows.n_gold, bool)
    matched[match[match >= 0]] = True
    pre = [f"{view}.{NV}.{s}.ALL" for s in schemes]
    for k in range(len(t.units)):
        by_kind = t.by_category(k, rows.pred(k, match), kind.astype(np.int64), 3)
        cor, inc, spu = by_kind[:, _COR], by_kind[:, _INC], by_kind[:, _SPU]
        t.add_counts(k, [f"{x}.act" for x in pre], by_kind.sum(axis=1))
        t.add_counts(k, [f"{x}.cor" for x in pre], cor)
        t.add_counts(k, [f"{x}.spu" for x in pre], spu)
        for s, x in zip(schemes, pre):
            if s == "partial":  # an INC of exact matching is partial's PAR, worth half
                t.add_counts(k, [f"{x}.tp"], cor + 0.5 * inc)
                t.add_counts(k, [f"{x}.par"], inc)
            else:
                t.add_counts(k, [f"{x}.tp"], cor)
                t.add_counts(k, [f"{x}.inc"], inc)
        t.add(k, [f"{x}.mis" for x in pre], rows.g[k][~matched])


def _add_labels(t: UnitTables, rows: _Rows, view: str, schemes: tuple[str, ...], kind: np.ndarray,
                match: np.ndarray, p_code: np.ndarray, labels: list[str]) -> None:
    """Per-label act and tp of the schemes that share one per-label matching.
    ``p_code`` is each pred's index in ``labels`` (-1: a label without per-label fields)."""
    keep = p_code >= 0
    category = p_code[keep] * 2 + (kind[keep] == _INC)  # COR and SPU both count 1 in act, INC too
    cor = (kind[keep] == _COR)
    for k in range(len(t.units)):
        pr = rows.pred(k, match)[keep]
        act = t.by_category(k, pr, p_code[keep], len(labels))
        tp = t.by_category(k, pr[cor], p_code[keep][cor], len(labels))
        inc = t.by_category(k, pr, category, 2 * len(labels))[:, 1::2] if "partial" in schemes else None
        for j, lab in enumerate(labels):
            pre = [f"{view}.{NV}.{s}.{lab}" for s in schemes]
            t.add_counts(k, [f"{x}.act" for x in pre], act[:, j])
            t.add_counts(k, [f"{x}.tp" for x in pre if not x.startswith(f"{view}.{NV}.partial.")], tp[:, j])
            if inc is not None:
                t.add_counts(k, [f"{view}.{NV}.partial.{lab}.tp"], tp[:, j] + 0.5 * inc[:, j])


def _subset(f: _Flat, idx: np.ndarray) -> _Flat:
    return _Flat(f.doc[idx], f.start[idx], f.end[idx], f.label[idx])


class _PerLabel:
    """Per-label matching (each label's spans alone, nervaluate's per-entity results).

    A same-label cluster lies inside one overall cluster, so the overall clusters decide
    it: a lone gold/pred pair of one label stays a pair, of two labels becomes two
    loners (MIS, SPU); clusters of one side stay unmatched.  Only the spans of the
    complex overall clusters are clustered again, grouped by (document, label).
    """

    def __init__(self, cl: _Clusters, g: _Flat, gl: np.ndarray, p: _Flat, pl: np.ndarray, n_codes: int) -> None:
        self.cl, self.g, self.gl, self.p, self.pl = cl, g, gl, p, pl
        self.sel_g, self.sel_p = np.flatnonzero(cl.slow[cl.g_id]), np.flatnonzero(cl.slow[cl.p_id])
        self.sg, self.sp = _subset(g, self.sel_g), _subset(p, self.sel_p)
        self.sgl, self.spl = gl[self.sel_g], pl[self.sel_p]
        self.sub = _clusters(self.sg.doc * n_codes + self.sgl, self.sg, self.sp.doc * n_codes + self.spl, self.sp)
        self.sub_slow = _slow_groups(self.sub, self.sg, self.sgl, self.sp, self.spl)

    def outcomes(self, mode: str) -> tuple[np.ndarray, np.ndarray]:
        g, p = self.g, self.p
        kind = np.full(len(p.start), _SPU, np.int8)
        match = np.full(len(p.start), -1, np.int64)
        same = self.gl[self.cl.fast_g] == self.pl[self.cl.fast_p]
        fp, fg = self.cl.fast_p[same], self.cl.fast_g[same]
        ok = np.ones(len(fp), bool) if mode == "type" else (g.start[fg] == p.start[fp]) & (g.end[fg] == p.end[fp])
        kind[fp] = np.where(ok, _COR, _INC)
        match[fp] = fg
        if len(self.sel_p):
            k2, m2 = _outcomes(self.sub, self.sub_slow, self.sg, self.sgl, self.sp, self.spl, mode)
            kind[self.sel_p] = k2
            match[self.sel_p] = np.where(m2 >= 0, self.sel_g[np.maximum(m2, 0)], -1)
        return kind, match


def _row_keys(keys: np.ndarray) -> np.ndarray:
    """One int64 per (doc, start, end, label) row, equal exactly when the rows are: a mixed-radix
    number when it fits in 63 bits (sorting one array is far faster than sorting rows),
    else the rows' rank among the distinct rows."""
    if len(keys) == 0:
        return np.zeros(0, np.int64)
    lo = keys.min(axis=0)
    span = (keys.max(axis=0) - lo + 1).astype(np.float64)
    if float(np.prod(span)) < 2.0 ** 62:
        shifted = keys - lo
        out = shifted[:, 0].astype(np.int64)
        for j in range(1, keys.shape[1]):
            out = out * int(span[j]) + shifted[:, j]
        return out
    _, inverse = np.unique(keys, axis=0, return_inverse=True)
    return inverse.ravel().astype(np.int64)


def strict_hits(g_keys: np.ndarray, p_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Set-based strict matching of (doc, start, end, label) rows: (distinct gold rows,
    distinct pred rows, bool per distinct pred row: an identical gold row exists)."""
    both = _row_keys(np.concatenate([g_keys, p_keys])) if len(g_keys) + len(p_keys) else np.zeros(0, np.int64)
    # one stable sort of gold and pred together: in each run of equal keys the gold rows
    # come first, then the pred rows, each in their order
    order = np.argsort(both, kind="stable")
    keys = both[order]
    new = np.ones(len(keys), bool)
    new[1:] = keys[1:] != keys[:-1]
    is_g = order < len(g_keys)
    after_g = np.zeros(len(keys), bool)
    after_g[1:] = is_g[:-1]
    first_p = ~is_g & (new | after_g)  # the first pred row of its run: a hit when gold rows precede it
    p_first = order[first_p] - len(g_keys)
    by_row = np.argsort(p_first)
    return np.sort(order[new & is_g]), p_first[by_row], ~new[first_p][by_row]


def _add_strict(t: UnitTables, units: Sequence[Units], view: str, g: _Flat, gl: np.ndarray, p: _Flat,
                pl: np.ndarray, index: np.ndarray, labels: list[str]) -> None:
    """Set-based strict counts (the main figures); a hit lands in its gold span's unit,
    which is its own (identical start)."""
    g_first, p_first, hit = strict_hits(np.stack([g.doc, g.start, g.end, gl], axis=1),
                                        np.stack([p.doc, p.start, p.end, pl], axis=1))
    g_code, p_code = index[gl[g_first]], index[pl[p_first]]
    for k, u in enumerate(units):
        g_rows, p_rows = u.rows(g.doc[g_first], g.start[g_first]), u.rows(p.doc[p_first], p.start[p_first])
        t.add(k, f"{view}.strict.ALL.pos", g_rows)
        t.add(k, f"{view}.strict.ALL.act", p_rows)
        t.add(k, f"{view}.strict.ALL.tp", p_rows[hit])
        if not labels:
            continue
        ok_g, ok_p = g_code >= 0, p_code >= 0  # labels outside the view have no per-label fields
        pos = t.by_category(k, g_rows[ok_g], g_code[ok_g], len(labels))
        act = t.by_category(k, p_rows[ok_p], p_code[ok_p], len(labels))
        tp = t.by_category(k, p_rows[ok_p & hit], p_code[ok_p & hit], len(labels))
        for j, lab in enumerate(labels):
            t.add_counts(k, [f"{view}.strict.{lab}.pos"], pos[:, j])
            t.add_counts(k, [f"{view}.strict.{lab}.act"], act[:, j])
            t.add_counts(k, [f"{view}.strict.{lab}.tp"], tp[:, j])


# ---- one document's outcomes, for the report ------------------------------------------

OUTCOMES: tuple[tuple[str, str], ...] = (
    ("correct", "correct"), ("wrong_label", "wrong label"), ("wrong_boundary", "wrong boundary"),
    ("wrong_both", "wrong label and boundary"), ("missed", "missed (gold only)"),
    ("spurious", "spurious (predicted only)"),
)


def in_view(ents: Sequence[Entity], label_scheme: str) -> list[Entity]:
    """Entities in the run's main view: CoNLL runs are judged on CoNLL labels."""
    if label_scheme != "conll":
        return list(ents)
    return [Entity(e.start, e.end, FINE_TO_CONLL.get(e.label, e.label), e.text, e.entity_id) for e in ents]


def align_document(g_ann: Annotations, p_ann: Annotations, label_scheme: str) -> tuple[Link, ...]:
    """Outcomes under the main figure: ``correct`` links are the set-based strict hits;
    the other gold and distinct predicted spans are paired by maximum overlap matching
    to tell a wrong label from a wrong boundary, and the rest are missed / spurious."""
    gold: dict[tuple, Entity] = {}
    for e in sorted(in_view(layer(g_ann, "entities", "gold"), label_scheme)):
        gold.setdefault((e.start, e.end, e.label), e)
    pred: dict[tuple, Entity] = {}
    for e in sorted(layer(p_ann, "entities", "pred"), key=lambda e: (e.start, e.end, e.label, e.text)):
        pred.setdefault((e.start, e.end, e.label), e)  # a set: a duplicate counts once
    links = [Link("correct", gold[k], e) for k, e in pred.items() if k in gold]
    rest_g = [e for k, e in gold.items() if k not in pred]
    rest_p = [e for k, e in pred.items() if k not in gold]
    paired_g, paired_p = set(), set()
    for gi, pi in max_overlap_match(rest_g, rest_p):
        ge, pe = rest_g[gi], rest_p[pi]
        same_span, same_label = (ge.start, ge.end) == (pe.start, pe.end), ge.label == pe.label
        links.append(Link("wrong_label" if same_span else "wrong_boundary" if same_label else "wrong_both", ge, pe))
        paired_g.add(gi)
        paired_p.add(pi)
    links += [Link("missed", e, None) for i, e in enumerate(rest_g) if i not in paired_g]
    links += [Link("spurious", None, e) for i, e in enumerate(rest_p) if i not in paired_p]
    return tuple(sorted(links, key=Link.order))


def link_counts(links: Sequence[Link], view: str) -> dict[str, float]:
    """The main figure's ALL counts of one document, from its links."""
    return {f"{view}.strict.ALL.tp": float(sum(x.outcome == "correct" for x in links)),
            f"{view}.strict.ALL.pos": float(sum(x.gold is not None for x in links)),
            f"{view}.strict.ALL.act": float(sum(x.pred is not None for x in links))}


def count(docs: Sequence[Document], gold: Sequence[Annotations], pred: Sequence[Annotations],
          claims: Sequence, units: tuple[str, ...], fields: tuple, label_scheme: str = "ontonotes"
          ) -> tuple[CountTable, ...]:
    if label_scheme not in ("ontonotes", "conll"):
        raise ValueError(f"label_scheme must be 'ontonotes' or 'conll', got {label_scheme!r}")
    views = ("ontonotes", "conll") if label_scheme == "ontonotes" else ("conll",)
    unit_objs = [units_for(docs, u) for u in units]  # type: ignore[arg-type]
    t = UnitTables("entities", [f for v in views for f in view_fields(v)], unit_objs, fields)
    vocab: dict[str, int] = {}
    g = _flatten(align(docs, gold, "gold"), "gold", vocab)
    p = _flatten(align(docs, pred, "pred"), "pred", vocab)
    rows = _Rows(unit_objs, g, p)
    raw = list(vocab)
    all_clusters = _clusters(g.doc, g, p.doc, p)  # the same for both views: labels play no part
    for k in range(len(unit_objs)):  # every nervaluate pos is the gold count
        t.add(k, [f"{v}.{NV}.{s}.ALL.pos" for v in views for s in SCHEMES], rows.g[k])
    for view in views:
        conll = view == "conll"
        g_names = [FINE_TO_CONLL.get(r, r) if conll else r for r in raw]
        p_names = [FINE_TO_CONLL.get(r, r) if conll and label_scheme == "ontonotes" else r for r in raw]
        # view codes rank like the label strings, so sorting by code sorts by label
        rank = {name: i for i, name in enumerate(sorted(set(g_names) | set(p_names)))}
        gl = np.array([rank[x] for x in g_names], np.int64)[g.label] if raw else g.label
        pl = np.array([rank[x] for x in p_names], np.int64)[p.label] if raw else p.label
        labels = [lab for lab in VIEWS[view] if lab in rank]
        index = np.full(len(rank), -1, np.int64)  # view code -> index in labels
        index[[rank[lab] for lab in labels]] = np.arange(len(labels))
        _add_strict(t, unit_objs, view, g, gl, p, pl, index, labels)
        slow = _slow_groups(all_clusters, g, gl, p, pl)
        for mode, schemes in _MODE_SCHEMES.items():
            kind, match = _outcomes(all_clusters, slow, g, gl, p, pl, mode)
            _add_all(t, rows, view, schemes, kind, match)
        g_code, p_code = index[gl], index[pl]
        for k in range(len(unit_objs)):
            pos = t.by_category(k, rows.g[k][g_code >= 0], g_code[g_code >= 0], len(labels))
            for j, lab in enumerate(labels):
                t.add_counts(k, [f"{view}.{NV}.{s}.{lab}.pos" for s in SCHEMES], pos[:, j])
        per_label = _PerLabel(all_clusters, g, gl, p, pl, max(len(rank), 1))
        for mode, schemes in _LABEL_MODE_SCHEMES.items():
            kind, match = per_label.outcomes(mode)
            _add_labels(t, rows, view, schemes, kind, match, p_code, labels)
    return t.build()


def _macro(view: str, pre: str, k: int) -> Metric:
    labels = VIEWS[view]
    fields = tuple(f"{pre}.{lab}.{c}" for lab in labels for c in ("tp", "pos", "act"))

    def fn(s: np.ndarray) -> np.ndarray:
        s = s.reshape(len(s), len(labels), 3)
        vals = nan_to_zero(prf(s[..., 0], s[..., 1], s[..., 2])[k])
        present = (s[..., 1] + s[..., 2]) > 0
        return ratio((vals * present).sum(axis=1), present.sum(axis=1))  # NaN: no label occurs

    return Metric(f"{pre}.macro_{('p', 'r', 'f1')[k]}", fields, fn)


def _metrics() -> tuple[Metric, ...]:
    out: list[Metric] = []
    for view, labels in VIEWS.items():
        for pre in [f"{view}.strict"] + [f"{view}.{NV}.{scheme}" for scheme in SCHEMES]:
            out += prf_metrics(f"{pre}.micro_", f"{pre}.ALL.tp", f"{pre}.ALL.pos", f"{pre}.ALL.act")
            out += [_macro(view, pre, k) for k in range(3)]
            for lab in labels:
                out += prf_metrics(f"{pre}.{lab}.", f"{pre}.{lab}.tp", f"{pre}.{lab}.pos", f"{pre}.{lab}.act")
    return tuple(out)


HEADLINE = tuple(
    f"{view}.{name}" for view in VIEWS for name in (
        "strict.micro_p", "strict.micro_r", "strict.micro_f1", "strict.macro_f1",
        *(f"{NV}.{scheme}.micro_f1" for scheme in SCHEMES),
    )
)

def _align(doc: Document, gold: Annotations, pred: Annotations, claims: Sequence, label_scheme: str):
    return align_document(gold, pred, label_scheme)


def _view(label_scheme: str) -> str:
    return "conll" if label_scheme == "conll" else "ontonotes"


TASK = Task(
    name="entities",
    version="entities-v2",
    layer="entities",
    title="Named entities",
    fields=view_fields("ontonotes") + view_fields("conll"),
    metrics=_metrics(),
    headline=HEADLINE,
    counter=count,
    main_scores={"ontonotes": "ontonotes.strict.micro_f1", "conll": "conll.strict.micro_f1"},
    main_title="entities strict F1",
    main_note="set-based strict micro-F1 (conlleval/seqeval) on OntoNotes labels, on the CoNLL view for "
              "CoNLL-label extractors (labels column)",
    columns=(
        Column(("ontonotes.strict.micro_f1",), "entities strict F1 OntoNotes", "strict F1 OntoNotes",
               "ontonotes.strict.micro_f1"),
        Column(("conll.strict.micro_f1",), "entities strict F1 CoNLL", "strict F1 CoNLL", "conll.strict.micro_f1"),
        # nervaluate's exact and partial ignore the label: the CoNLL view gives the same figure
        # for CoNLL extractors
        Column(("ontonotes.nervaluate.exact.micro_f1", "conll.nervaluate.exact.micro_f1"),
               "entities nervaluate exact F1", "nervaluate exact F1", "nervaluate.exact.micro_f1"),
        Column(("ontonotes.nervaluate.partial.micro_f1", "conll.nervaluate.partial.micro_f1"),
               "entities nervaluate partial F1", "nervaluate partial F1", "nervaluate.partial.micro_f1"),
        Column(("ontonotes.nervaluate.type.micro_f1", "conll.nervaluate.type.micro_f1"),
               "entities nervaluate type F1", "nervaluate type F1", "nervaluate.type.micro_f1"),
    ),
    breakdowns=(
        Breakdown("ontonotes", ENTITY_LABELS, "ontonotes.strict.{label}.f1", ("ontonotes.strict.{label}.pos",),
                  "per-label strict F1, OntoNotes labels"),
        Breakdown("conll", CONLL_LABELS, "conll.strict.{label}.f1", ("conll.strict.{label}.pos",),
                  "per-label strict F1, CoNLL view"),
    ),
    report=ReportSpec(
        kind="spans", outcomes=OUTCOMES, align=_align,
        link_counts=lambda links, text, scheme: link_counts(links, _view(scheme)),
        shown_fields=lambda scheme: tuple(f"{_view(scheme)}.strict.ALL.{k}" for k in ("tp", "pos", "act")),
    ),
)
