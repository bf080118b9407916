"""TIMEX3 scoring in the TempEval-3 style.

* strict  - identical offsets, one-to-one;
* relaxed - any overlap, one-to-one, greedy by largest overlap (exact spans
  first on ties, then earliest; see ``base.greedy_overlap_match``);
* type / value accuracy - share of relaxed-matched pairs whose type / normalised
  value is identical;
* type / value F1 - TempEval-3 attribute F1: tp = relaxed matches with the correct
  attribute, P = tp / #pred, R = tp / #gold.

Main score: ``value.f1``, because it needs both the span and the normalisation,
which is what a user of a temporal tagger cares about.
A matched prediction is counted in its gold span's unit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bench.scoring.base import (
    CountTable, TaskScorer, UnitTables, align, greedy_overlap_match, layer, prf_metrics, ratio_metric, units_for,
)
from bench.types import TASKS, Annotations, Document, Timex

FIELDS = ("gold", "pred", "strict.tp", "relaxed.tp", "type.correct", "value.correct")


def _sorted(ts: Sequence[Timex]) -> list[Timex]:
    return sorted(ts, key=lambda t: (t.start, t.end, t.type, t.value))


def count(docs: Sequence[Document], gold: Sequence[Annotations], pred: Sequence[Annotations],
          claims: Sequence, units: tuple[str, ...], fields: tuple, label_scheme: str = "ontonotes"
          ) -> tuple[CountTable, ...]:
    # label_scheme is accepted (and ignored) so callers can pass it to every scorer
    unit_objs = [units_for(docs, u) for u in units]  # type: ignore[arg-type]
    # where each count lands: (document index, offset); a matched pred lands at its gold
    g_doc, g_at, p_doc, p_at = [], [], [], []
    m_doc, m_at, m_strict, m_type, m_value = [], [], [], [], []
    for i, (g_ann, p_ann) in enumerate(zip(align(docs, gold, "gold"), align(docs, pred, "pred"))):
        g = _sorted(layer(g_ann, "timexes", "gold"))
        p = _sorted(layer(p_ann, "timexes", "pred"))
        pairs = greedy_overlap_match(g, p) if g and p else []
        to_gold = {pi: gi for gi, pi in pairs}
        g_doc += [i] * len(g)
        g_at += [t.start for t in g]
        p_doc += [i] * len(p)
        p_at += [g[to_gold[pi]].start if pi in to_gold else t.start for pi, t in enumerate(p)]
        for gi, pi in pairs:
            m_doc.append(i)
            m_at.append(g[gi].start)
            m_strict.append(float(g[gi].start == p[pi].start and g[gi].end == p[pi].end))
            m_type.append(float(g[gi].type == p[pi].type))
            m_value.append(float(g[gi].value == p[pi].value))
    t = UnitTables("timex", FIELDS, unit_objs, fields)
    for k, u in enumerate(unit_objs):
        t.add(k, "gold", u.rows(g_doc, g_at))
        t.add(k, "pred", u.rows(p_doc, p_at))
        m_rows = u.rows(m_doc, m_at)
        t.add(k, "relaxed.tp", m_rows)
        for name, flags in (("strict.tp", m_strict), ("type.correct", m_type), ("value.correct", m_value)):
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

SCORER = TaskScorer(
    task="timex",
    version=TASKS["timex"],
    main_score="value.f1",
    fields=FIELDS,
    metrics=METRICS,
    headline=("strict.f1", "relaxed.p", "relaxed.r", "relaxed.f1", "type.f1", "value.f1", "value.accuracy"),
    counter=count,
)
