"""Named-entity scoring: the four MUC/SemEval-2013 schemes as nervaluate 1.2 defines them.

Views: ``fine`` (OntoNotes labels; only for extractors whose label_scheme is
"ontonotes") and ``conll`` (gold mapped with FINE_TO_CONLL, fine predictions too).
Schemes, with the outcome of each prediction (COR/INC/PAR/SPU) and each unmatched
gold span (MIS):

* strict  - exact span and type;
* exact   - exact span, any type;
* partial - exact span = COR, any overlap = PAR (credit 0.5), any type;
* type    - any overlap with the correct type (nervaluate's ``ent_type``).

Matching replicates nervaluate: spans are sorted by (start, end, label); each
prediction in turn scans the unmatched gold spans (see ``_match``).  The one
difference: nervaluate's default 1 % minimum-overlap threshold only matters for
gold spans over 100 units long; here any overlap counts (the SemEval definition).
Predicted labels outside the view's label set are kept (they count as wrong).

Per-label figures re-run the matching on the spans of that label only, exactly
as nervaluate's per-entity results do (so they need not add up to the overall).
Fields per view, scheme and label L (L = "ALL" for all labels together):
``{view}.{scheme}.{L}.tp`` (COR + 0.5 PAR), ``.pos`` (gold spans) and ``.act``
(predicted spans); ALL also keeps the raw ``cor inc par mis spu`` counts.
A matched prediction is counted in its gold span's unit, so no unit has tp > act.

Macro P/R/F1 average the per-label figures over the view's labels (ENTITY_LABELS
or CONLL_LABELS) that occur in the gold or the predictions of the sample scored
(pos + act > 0), like seqeval's macro average; 0.0 when none occurs.
Main score: ``fine.strict.micro_f1``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

import numpy as np

from bench.scoring.base import (
    CountTable, Metric, TableBuilder, TaskScorer, Units, align, layer, prf, prf_metrics,
)
from bench.types import CONLL_LABELS, ENTITY_LABELS, FINE_TO_CONLL, TASKS, Annotations, Document, Entity

SCHEMES: tuple[str, ...] = ("strict", "exact", "partial", "type")
VIEWS: dict[str, tuple[str, ...]] = {"fine": ENTITY_LABELS, "conll": CONLL_LABELS}
RAW = ("cor", "inc", "par", "mis", "spu")
_CREDIT = {"COR": 1.0, "PAR": 0.5, "INC": 0.0, "SPU": 0.0}


def view_fields(view: str) -> tuple[str, ...]:
    out = []
    for scheme in SCHEMES:
        out += [f"{view}.{scheme}.ALL.{k}" for k in ("tp", "pos", "act") + RAW]
        out += [f"{view}.{scheme}.{lab}.{k}" for lab in VIEWS[view] for k in ("tp", "pos", "act")]
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


def _add(b: TableBuilder, prefix: str, gold, pred, grow, prow, scheme: str, raw: bool) -> None:
    outcomes = _match(gold, pred, scheme)
    matched = {gi for _, gi in outcomes if gi is not None}
    for (kind, gi), row in zip(outcomes, prow):
        row = grow[gi] if gi is not None else row
        b.add(row, f"{prefix}.act")
        b.add(row, f"{prefix}.tp", _CREDIT[kind])
        if raw:
            b.add(row, f"{prefix}.{kind.lower()}")
    for gi, row in enumerate(grow):
        b.add(row, f"{prefix}.pos")
        if raw and gi not in matched:
            b.add(row, f"{prefix}.mis")


def _sorted(ents: Sequence[Entity], mapping: dict[str, str] | None) -> list[Entity]:
    if mapping is not None:
        ents = [Entity(e.start, e.end, mapping.get(e.label, e.label), e.text, e.entity_id) for e in ents]
    return sorted(ents, key=lambda e: (e.start, e.end, e.label))


def count(docs: Sequence[Document], gold: Sequence[Annotations], pred: Sequence[Annotations],
          claims: Sequence, unit: str, label_scheme: str = "ontonotes") -> CountTable:
    if label_scheme not in ("ontonotes", "conll"):
        raise ValueError(f"label_scheme must be 'ontonotes' or 'conll', got {label_scheme!r}")
    views = ("fine", "conll") if label_scheme == "ontonotes" else ("conll",)
    units = Units(docs, unit)  # type: ignore[arg-type]
    b = TableBuilder("entities", [f for v in views for f in view_fields(v)], units.ids)
    for i, (g_ann, p_ann) in enumerate(zip(align(docs, gold, "gold"), align(docs, pred, "pred"))):
        g_raw, p_raw = layer(g_ann, "entities", "gold"), layer(p_ann, "entities", "pred")
        for view in views:
            conll = view == "conll"
            g = _sorted(g_raw, FINE_TO_CONLL if conll else None)
            p = _sorted(p_raw, FINE_TO_CONLL if conll and label_scheme == "ontonotes" else None)
            for scheme in SCHEMES:
                _add(b, f"{view}.{scheme}.ALL", g, p, [units.row(i, e.start) for e in g],
                     [units.row(i, e.start) for e in p], scheme, raw=True)
                for lab in VIEWS[view]:
                    gl = [e for e in g if e.label == lab]
                    pl = [e for e in p if e.label == lab]
                    _add(b, f"{view}.{scheme}.{lab}", gl, pl, [units.row(i, e.start) for e in gl],
                         [units.row(i, e.start) for e in pl], scheme, raw=False)
    return b.build()


def _macro(view: str, scheme: str, k: int) -> Metric:
    labels = VIEWS[view]
    fields = tuple(f"{view}.{scheme}.{lab}.{c}" for lab in labels for c in ("tp", "pos", "act"))

    def fn(s: np.ndarray) -> np.ndarray:
        s = s.reshape(len(s), len(labels), 3)
        vals = prf(s[..., 0], s[..., 1], s[..., 2])[k]
        present = (s[..., 1] + s[..., 2]) > 0
        n = present.sum(axis=1)
        return np.divide((vals * present).sum(axis=1), n, out=np.zeros(len(s)), where=n > 0)

    return Metric(f"{view}.{scheme}.macro_{('p', 'r', 'f1')[k]}", fields, fn)


def _metrics() -> tuple[Metric, ...]:
    out: list[Metric] = []
    for view, labels in VIEWS.items():
        for scheme in SCHEMES:
            pre = f"{view}.{scheme}"
            out += prf_metrics(f"{pre}.micro_", f"{pre}.ALL.tp", f"{pre}.ALL.pos", f"{pre}.ALL.act")
            out += [_macro(view, scheme, k) for k in range(3)]
            for lab in labels:
                out += prf_metrics(f"{pre}.{lab}.", f"{pre}.{lab}.tp", f"{pre}.{lab}.pos", f"{pre}.{lab}.act")
    return tuple(out)


HEADLINE = tuple(
    f"{view}.{name}" for view in VIEWS for name in (
        "strict.micro_p", "strict.micro_r", "strict.micro_f1", "strict.macro_f1",
        "exact.micro_f1", "partial.micro_f1", "type.micro_f1",
    )
)

SCORER = TaskScorer(
    task="entities",
    version=TASKS["entities"],
    main_score="fine.strict.micro_f1",
    fields=view_fields("fine") + view_fields("conll"),
    metrics=_metrics(),
    headline=HEADLINE,
    counter=count,
)
