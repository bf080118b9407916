r"""Claim-stance scoring over (document, claim) pairs.

Every claim is scored against every document; a pair with no stance (gold or
pred) counts as "unrelated" with no evidence.  Fields: the 4x4 confusion counts
``cm.{gold}.{pred}``, per-class ``{label}.tp/fp/fn``, ``n``, the FNC-1 weighted
score and its maximum, and evidence counts.

* FNC-1: +0.25 when gold and pred agree on related (support/refute/discuss) vs
  unrelated, +0.75 more when gold is related and the label is exact; ``fnc1`` is
  score / max score.
* Evidence: gold and pred evidence of the same pair are matched one-to-one where
  their intersection over union (in characters) is at least 0.5, by a
  maximum-cardinality matching (``base.max_overlap_match``); P = matched / #pred,
  R = matched / #gold; holder and polarity accuracy are over matched pairs.
  Holders compare case-insensitively with whitespace collapsed.  IoU >= 0.5 (the
  PASCAL VOC criterion, used for spans by e.g. relaxed NER matching) because gold
  evidence is a clause or sentence: a prediction must cover most of it, and a
  one-character span or a whole paragraph cannot pass for it.  A secondary,
  graded figure is SQuAD-style token overlap (``evidence.token_*``): the word tokens
  (``\w+``) touched by the pair's gold evidence vs its predicted evidence, summed
  over pairs: P = shared / predicted tokens, R = shared / gold tokens.
* macro_f1 averages the per-class F1 over the classes that have gold support in the
  units scored (tp + fn > 0), like sklearn's ``f1_score(average="macro")`` with the
  labels present in y_true; inside the average a class's undefined precision counts
  as 0 (zero_division=0).  On a subset without, e.g., any "refute" pair, refute is
  left out rather than averaged in as 0.

Main score: ``macro_f1``.  Sentence units are the (doc, claim) pairs, "doc#claim".
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

import numpy as np

from bench.scoring.base import (
    CountTable, Link, Metric, UnitTables, align, layer, max_overlap_match, nan_to_zero, prf, prf_metrics,
    ratio, ratio_metric,
)
from bench.scoring.task import Breakdown, Column, ReportSpec, Task
from bench.types import STANCE_LABELS, Annotations, Claim, Document, Stance

RELATED = frozenset({"support", "refute", "discuss"})
CM = tuple(f"cm.{g}.{p}" for g in STANCE_LABELS for p in STANCE_LABELS)
EVIDENCE = tuple(f"evidence.{k}" for k in ("gold", "pred", "matched", "holder_correct", "polarity_correct",
                                            "tokens_gold", "tokens_pred", "tokens_shared"))
EVIDENCE_MIN_IOU = 0.5
_WORD = re.compile(r"\w+")
_START = re.Match.start  # mapped in C: no Python frame per token
_NO_EVIDENCE = (0,) * len(EVIDENCE)
FIELDS = ("n",) + CM + tuple(f"{c}.{k}" for c in STANCE_LABELS for k in ("tp", "fp", "fn")) \
    + ("fnc1.score", "fnc1.max") + EVIDENCE


def _by_claim(stances: Sequence[Stance], claim_ids: set[str], role: str, doc_id: str) -> dict[str, Stance]:
    out: dict[str, Stance] = {}
    for s in stances:
        if s.claim_id not in claim_ids:
            raise ValueError(f"{role} stance for unknown claim {s.claim_id!r} in {doc_id}")
        if s.label not in STANCE_LABELS:
            raise ValueError(f"{role} stance label {s.label!r} in {doc_id}; expected one of {STANCE_LABELS}")
        if s.claim_id in out:
            raise ValueError(f"{role} has two stances for claim {s.claim_id!r} in {doc_id}")
        out[s.claim_id] = s
    return out


def _holder(h: str) -> str:
    return " ".join(h.casefold().split())


_LABEL_INDEX = {c: i for i, c in enumerate(STANCE_LABELS)}
_RELATED = np.array([c in RELATED for c in STANCE_LABELS])


class _Words:
    """The word tokens (``\\w+``) of a document that spans touch, each known by its start
    offset; only the text around the spans is scanned (evidence is short, documents long)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _is_word(self, i: int) -> bool:
        return 0 <= i < len(self.text) and _WORD.match(self.text, i, i + 1) is not None

    def touched(self, spans) -> set[int]:
        """Start offsets of the tokens that overlap any of the spans."""
        out: set[int] = set()
        for sp in spans:
            if sp.end <= sp.start:
                continue
            s = sp.start
            while self._is_word(s) and self._is_word(s - 1):  # a token running into the span
                s -= 1
            out.update(map(_START, _WORD.finditer(self.text, s, sp.end)))
        return out


def match_evidence(ge: Sequence, pe: Sequence) -> list[tuple[int, int]]:
    """(gold, pred) evidence pairs: IoU >= 0.5, one-to-one, maximum cardinality."""
    return max_overlap_match(ge, pe, EVIDENCE_MIN_IOU) if ge and pe else []


def _sorted_evidence(st: Stance | None) -> list:
    return sorted(st.evidence if st else (), key=lambda e: (e.start, e.end, e.holder, e.polarity))


def _evidence(g: Stance | None, p: Stance | None, words: _Words) -> tuple[int, ...]:
    """The EVIDENCE counts of one (document, claim) pair."""
    ge, pe = _sorted_evidence(g), _sorted_evidence(p)
    pairs = match_evidence(ge, pe)
    tg, tp = words.touched(ge), words.touched(pe)
    return (len(ge), len(pe), len(pairs), sum(_holder(ge[i].holder) == _holder(pe[j].holder) for i, j in pairs),
            sum(ge[i].polarity == pe[j].polarity for i, j in pairs), len(tg), len(tp), len(tg & tp))


def align_document(doc: Document, g_ann: Annotations, p_ann: Annotations, claims: Sequence[Claim],
                   label_scheme: str = "ontonotes") -> tuple[Link, ...]:
    """One link per claim: gold and predicted stance (a missing one is "unrelated"),
    outcome "agree" or "disagree", and in ``detail`` the evidence links (outcome
    matched / missed / spurious; a matched one carries (holder ok, polarity ok))."""
    known = {c.claim_id for c in claims}
    g = _by_claim(layer(g_ann, "stances", "gold"), known, "gold", doc.doc_id)
    p = _by_claim(layer(p_ann, "stances", "pred"), known, "pred", doc.doc_id)
    out = []
    for c in claims:
        gs, ps = g.get(c.claim_id, Stance(c.claim_id, "unrelated")), p.get(c.claim_id, Stance(c.claim_id, "unrelated"))
        ge, pe = _sorted_evidence(gs), _sorted_evidence(ps)
        pairs = match_evidence(ge, pe)
        ev = [Link("matched", ge[i], pe[j], detail=(_holder(ge[i].holder) == _holder(pe[j].holder),
                                                    ge[i].polarity == pe[j].polarity)) for i, j in pairs]
        ev += [Link("missed", e, None) for i, e in enumerate(ge) if i not in {a for a, _ in pairs}]
        ev += [Link("spurious", None, e) for j, e in enumerate(pe) if j not in {b for _, b in pairs}]
        out.append(Link("agree" if gs.label == ps.label else "disagree", gs, ps,
                        detail=tuple(sorted(ev, key=Link.order))))
    return tuple(out)


def link_counts(links: Sequence[Link], text: str) -> dict[str, float]:
    """The count fields of one document, from its links (what the report shows)."""
    out = {f: 0.0 for f in FIELDS}
    words = _Words(text)
    for link in links:
        gl, pl = link.gold.label, link.pred.label
        out["n"] += 1
        out[f"cm.{gl}.{pl}"] += 1
        if gl == pl:
            out[f"{gl}.tp"] += 1
        else:
            out[f"{pl}.fp"] += 1
            out[f"{gl}.fn"] += 1
        out["fnc1.max"] += 1.0 if gl in RELATED else 0.25
        out["fnc1.score"] += 0.25 * ((gl in RELATED) == (pl in RELATED)) + 0.75 * (gl in RELATED and gl == pl)
        for name, value in zip(EVIDENCE, _evidence(link.gold, link.pred, words)):
            out[name] += value
    return out


class _PairUnits:
    """Units for stance tables: documents, or (document, claim) pairs ("doc#claim")."""

    def __init__(self, docs: Sequence[Document], claim_ids: Sequence[str], unit: str) -> None:
        self.n_claims = len(claim_ids)
        self.per_pair = unit != "document"
        self.ids = ([f"{d.doc_id}#{c}" for d in docs for c in claim_ids] if self.per_pair
                    else [d.doc_id for d in docs])

    def rows(self, pair: np.ndarray) -> np.ndarray:
        return pair if self.per_pair else pair // max(self.n_claims, 1)


def count(docs: Sequence[Document], gold: Sequence[Annotations], pred: Sequence[Annotations],
          claims: Sequence[Claim], units: tuple[str, ...], fields: tuple, label_scheme: str = "ontonotes"
          ) -> tuple[CountTable, ...]:
    # label_scheme is accepted (and ignored) so callers can pass it to every scorer
    claim_ids = [c.claim_id for c in claims]
    if len(set(claim_ids)) != len(claim_ids):
        raise ValueError("duplicate claim ids")
    known = set(claim_ids)
    g_lab, p_lab, ev = [], [], []
    for doc, g_ann, p_ann in zip(docs, align(docs, gold, "gold"), align(docs, pred, "pred")):
        g = _by_claim(layer(g_ann, "stances", "gold"), known, "gold", doc.doc_id)
        p = _by_claim(layer(p_ann, "stances", "pred"), known, "pred", doc.doc_id)
        words = _Words(doc.text) if any(s.evidence for s in (*g.values(), *p.values())) else None
        for cid in claim_ids:
            gs, ps = g.get(cid), p.get(cid)
            g_lab.append(_LABEL_INDEX[gs.label] if gs else _LABEL_INDEX["unrelated"])
            p_lab.append(_LABEL_INDEX[ps.label] if ps else _LABEL_INDEX["unrelated"])
            ev.append(_evidence(gs, ps, words) if words is not None else _NO_EVIDENCE)
    gl, pl = np.array(g_lab, np.int64), np.array(p_lab, np.int64)
    evidence = np.array(ev, np.float64).reshape(len(ev), len(EVIDENCE))
    pair = np.arange(len(gl))
    related_g, related_p = _RELATED[gl], _RELATED[pl]
    same = gl == pl
    unit_objs = [_PairUnits(docs, claim_ids, u) for u in units]
    t = UnitTables("stance", FIELDS, unit_objs, fields)  # type: ignore[arg-type]
    for k, u in enumerate(unit_objs):
        rows = u.rows(pair)
        t.add(k, "n", rows)
        for gi, gname in enumerate(STANCE_LABELS):
            for pi, pname in enumerate(STANCE_LABELS):
                t.add(k, f"cm.{gname}.{pname}", rows[(gl == gi) & (pl == pi)])
            t.add(k, f"{gname}.tp", rows[same & (gl == gi)])
            t.add(k, f"{gname}.fp", rows[~same & (pl == gi)])
            t.add(k, f"{gname}.fn", rows[~same & (gl == gi)])
        t.add(k, "fnc1.max", rows, np.where(related_g, 1.0, 0.25))
        t.add(k, "fnc1.score", rows, 0.25 * (related_g == related_p) + 0.75 * (related_g & same))
        for j, name in enumerate(EVIDENCE):
            t.add(k, name, rows, evidence[:, j])
    return t.build()


def confusion_matrix(table: CountTable) -> np.ndarray:
    """4x4 gold x pred counts, rows and columns in STANCE_LABELS order."""
    return table.total()[table.columns(CM)].reshape(len(STANCE_LABELS), len(STANCE_LABELS))


def _class_fields(c: str) -> tuple[str, str, str]:
    return (f"{c}.tp", f"{c}.fp", f"{c}.fn")


def _macro(k: int) -> Metric:
    fields = tuple(f for c in STANCE_LABELS for f in _class_fields(c))

    def fn(s: np.ndarray) -> np.ndarray:
        s = s.reshape(len(s), len(STANCE_LABELS), 3)
        tp, fp, fn_ = s[..., 0], s[..., 1], s[..., 2]
        supported = (tp + fn_) > 0  # classes with gold support in these units
        vals = nan_to_zero(prf(tp, tp + fn_, tp + fp)[k]) * supported
        return ratio(vals.sum(axis=1), supported.sum(axis=1))  # NaN: no pair at all

    return Metric(f"macro_{('p', 'r', 'f1')[k]}", fields, fn)


def _class_metrics(c: str) -> list[Metric]:
    fields = _class_fields(c)
    return [Metric(f"{c}.{name}", fields, lambda s, k=k: prf(s[:, 0], s[:, 0] + s[:, 2], s[:, 0] + s[:, 1])[k])
            for k, name in enumerate(("p", "r", "f1"))]


METRICS = tuple(
    [Metric("accuracy", tuple(f"cm.{c}.{c}" for c in STANCE_LABELS) + ("n",),
            lambda s: ratio(s[:, :-1].sum(axis=1), s[:, -1])),
     *(_macro(k) for k in range(3)),
     ratio_metric("fnc1", "fnc1.score", "fnc1.max")]
    + [m for c in STANCE_LABELS for m in _class_metrics(c)]
    + prf_metrics("evidence.", "evidence.matched", "evidence.gold", "evidence.pred")
    + prf_metrics("evidence.token_", "evidence.tokens_shared", "evidence.tokens_gold", "evidence.tokens_pred")
    + [ratio_metric("evidence.holder_acc", "evidence.holder_correct", "evidence.matched"),
       ratio_metric("evidence.polarity_acc", "evidence.polarity_correct", "evidence.matched")]
)

def _confusion(table: CountTable) -> tuple[tuple[str, ...], list[list[int]]]:
    return STANCE_LABELS, confusion_matrix(table).astype(int).tolist()


TASK = Task(
    name="stance",
    version="stance-v2",
    layer="stances",
    title="Claim stance",
    fields=FIELDS,
    metrics=METRICS,
    headline=("accuracy", "macro_f1", "fnc1", "evidence.f1", "evidence.token_f1"),
    counter=count,
    main_scores={"ontonotes": "macro_f1"},
    main_title="stance macro-F1",
    sub_unit="pair",
    columns=(
        Column(("accuracy",), "stance accuracy", "accuracy", "accuracy"),
        Column(("fnc1",), "stance FNC-1 score", "FNC-1 score", "fnc1"),
        Column(("evidence.f1",), "stance evidence F1", "evidence F1 (IoU>=0.5)", "evidence.f1"),
        Column(("evidence.token_f1",), "stance evidence token F1", "evidence token F1", "evidence.token_f1"),
    ),
    breakdowns=(Breakdown("stance", STANCE_LABELS, "{label}.f1", ("{label}.tp", "{label}.fn"), "per-class F1"),),
    report=ReportSpec(kind="pairs", outcomes=(("agree", "agree"), ("disagree", "disagree")), align=align_document,
                      link_counts=lambda links, text, scheme: link_counts(links, text),
                      shown_fields=lambda scheme: ("n", "evidence.gold", "evidence.pred", "evidence.matched",
                                                   "evidence.holder_correct", "evidence.polarity_correct")),
    confusion=_confusion,
)
