"""TIMEX3 scoring as TempEval-3 defines it (UzZaman et al. 2013).

* strict  - identical offsets: tp = gold spans for which a prediction with the same
  offsets exists (set intersection, so another prediction can never undo a hit);
* relaxed - any overlap, one-to-one: the maximum-cardinality matching of overlapping
  spans (``base.max_overlap_match``: most pairs, then most identical spans, then the
  largest overlap), so adding a prediction can never lower relaxed recall;
* type / value - on that relaxed matching: accuracy = attribute matches / relaxed
  matches; P and R = accuracy x relaxed P and R (TempEval-3's attribute F1), i.e.
  tp = relaxed matches with the correct attribute, P = tp / #pred, R = tp / #gold.

Main score: ``value.f1``, because it needs both the span and the normalisation,
which is what a user of a temporal tagger cares about.  A matched prediction is
counted in its gold span's unit.  ``align_document`` returns exactly the matching
the counts come from (for ``bench report``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from bench.scoring.base import (
    CountTable, Link, UnitTables, align, layer, max_overlap_match, prf_metrics, ratio_metric, units_for,
)
from bench.scoring.task import Column, ReportSpec, Task
from bench.types import Annotations, Document, Timex

FIELDS = ("gold", "pred", "strict.tp", "relaxed.tp", "type.correct", "value.correct")
# outcome of each link, in display order
OUTCOMES: tuple[tuple[str, str], ...] = (
    ("correct", "correct (span, type and value)"), ("wrong_value", "same span, wrong value or type"),
    ("wrong_boundary", "overlapping span (relaxed match)"), ("missed", "missed (gold only)"),
    ("spurious", "spurious (predicted only)"),
)


def _sorted(ts: Sequence[Timex]) -> list[Timex]:
    return sorted(ts, key=lambda t: (t.start, t.end, t.type, t.value, t.text))


def match(g: Sequence[Timex], p: Sequence[Timex]) -> tuple[list[tuple[int, int]], list[bool]]:
    """(relaxed pairs (gold index, pred index), strict hit per gold span) of sorted spans.

    A strict hit uses up one prediction with the same offsets, so strict.tp never exceeds
    the predictions even for gold that repeats a span (which validated gold never does:
    there it is simply "some prediction has these offsets")."""
    left = Counter((t.start, t.end) for t in p)
    strict = []
    for t in g:
        key = (t.start, t.end)
        strict.append(left[key] > 0)
        left[key] -= 1
    return (max_overlap_match(g, p) if g and p else []), strict


def _outcome(g: Timex, p: Timex) -> str:
    if (g.start, g.end) != (p.start, p.end):
        return "wrong_boundary"
    return "correct" if (g.type, g.value) == (p.type, p.value) else "wrong_value"


def align_document(g_ann: Annotations, p_ann: Annotations) -> tuple[Link, ...]:
    """Every gold and predicted timex of one document with its outcome; ``strict`` marks
    gold spans that a prediction hits with identical offsets."""
    g, p = _sorted(layer(g_ann, "timexes", "gold")), _sorted(layer(p_ann, "timexes", "pred"))
    pairs, strict = match(g, p)
    mg, mp = {gi for gi, _ in pairs}, {pi for _, pi in pairs}
    links = [Link(_outcome(g[gi], p[pi]), g[gi], p[pi], strict=strict[gi]) for gi, pi in pairs]
    links += [Link("missed", t, None, strict=strict[i]) for i, t in enumerate(g) if i not in mg]
    links += [Link("spurious", None, t) for i, t in enumerate(p) if i not in mp]
    return tuple(sorted(links, key=Link.order))


def link_counts(links: Sequence[Link]) -> dict[str, float]:
    """The count fields of one document, from its links (what the report shows)."""
    pairs = [x for x in links if x.gold is not None and x.pred is not None]
    return {
        "gold": float(sum(x.gold is not None for x in links)), "pred": float(sum(x.pred is not None for x in links)),
        "strict.tp": float(sum(x.strict for x in links if x.gold is not None)), "relaxed.tp": float(len(pairs)),
        "type.correct": float(sum(x.gold.type == x.pred.type for x in pairs)),
        "value.correct": float(sum(x.gold.value == x.pred.value for x in pairs)),
    }


def count(docs: Sequence[Document], gold: Sequence[Annotations], pred: Sequence[Annotations],
          claims: Sequence, units: tuple[str, ...], fields: tuple, label_scheme: str = "ontonotes"
          ) -> tuple[CountTable, ...]:
    # label_scheme is accepted (and ignored) so callers can pass it to every scorer
    unit_objs = [units_for(docs, u) for u in units]  # type: ignore[arg-type]
    # where each count lands: (document index, offset); a matched pred lands at its gold
    g_doc, g_at, p_doc, p_at, s_doc, s_at = [], [], [], [], [], []
    m_doc, m_at, m_type, m_value = [], [], [], []
    for i, (g_ann, p_ann) in enumerate(zip(align(docs, gold, "gold"), align(docs, pred, "pred"))):
        g = _sorted(layer(g_ann, "timexes", "gold"))
        p = _sorted(layer(p_ann, "timexes", "pred"))
        pairs, strict = match(g, p)
        to_gold = {pi: gi for gi, pi in pairs}
        g_doc += [i] * len(g)
        g_at += [t.start for t in g]
        p_doc += [i] * len(p)
        p_at += [g[to_gold[pi]].start if pi in to_gold else t.start for pi, t in enumerate(p)]
        s_doc += [i] * sum(strict)
        s_at += [t.start for t, hit in zip(g, strict) if hit]
        for gi, pi in pairs:
            m_doc.append(i)
            m_at.append(g[gi].start)
            m_type.append(float(g[gi].type == p[pi].type))
            m_value.append(float(g[gi].value == p[pi].value))
    t = UnitTables("timex", FIELDS, unit_objs, fields)
    for k, u in enumerate(unit_objs):
        t.add(k, "gold", u.rows(g_doc, g_at))
        t.add(k, "pred", u.rows(p_doc, p_at))
        t.add(k, "strict.tp", u.rows(s_doc, s_at))
        m_rows = u.rows(m_doc, m_at)
        t.add(k, "relaxed.tp", m_rows)
        for name, flags in (("type.correct", m_type), ("value.correct", m_value)):
            t.add(k, name, m_rows, np.asarray(flags, dtype=np.float64))
    return t.build()


METRICS = tuple(
    prf_metrics("strict.", "strict.tp", "gold", "pred")
    + prf_metrics("relaxed.", "relaxed.tp", "gold", "pred")
    + prf_metrics("type.", "type.correct", "gold", "pred")
    + prf_metrics("value.", "value.correct", "gold", "pred")
    + [ratio_metric("type.accuracy", "type.correct", "relaxed.tp"),
       ratio_metric("value.accuracy", "value.correct", "relaxed.tp")]
)

def _align(doc: Document, gold: Annotations, pred: Annotations, claims: Sequence, label_scheme: str):
    return align_document(gold, pred)


TASK = Task(
    name="timex",
    version="timex-v2",
    layer="timexes",
    title="Temporal expressions (TIMEX3)",
    fields=FIELDS,
    metrics=METRICS,
    headline=("strict.f1", "relaxed.p", "relaxed.r", "relaxed.f1", "type.f1", "value.f1", "value.accuracy"),
    counter=count,
    main_scores={"ontonotes": "value.f1"},
    main_title="timex value F1",
    columns=(
        Column(("strict.f1",), "timex strict F1", "strict F1", "strict.f1"),
        Column(("relaxed.f1",), "timex relaxed F1", "relaxed F1", "relaxed.f1"),
        Column(("value.accuracy",), "timex value accuracy", "value accuracy", "value.accuracy"),
    ),
    report=ReportSpec(kind="spans", outcomes=OUTCOMES, align=_align,
                      link_counts=lambda links, text, scheme: link_counts(links), shown_fields=lambda scheme: FIELDS),
)
