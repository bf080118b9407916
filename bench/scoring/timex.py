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

from bench.scoring.base import (
    CountTable, TableBuilder, TaskScorer, Units, align, greedy_overlap_match, layer, prf_metrics, ratio_metric,
)
from bench.types import TASKS, Annotations, Document, Timex

FIELDS = ("gold", "pred", "strict.tp", "relaxed.tp", "type.correct", "value.correct")


def _sorted(ts: Sequence[Timex]) -> list[Timex]:
    return sorted(ts, key=lambda t: (t.start, t.end, t.type, t.value))


def count(docs: Sequence[Document], gold: Sequence[Annotations], pred: Sequence[Annotations],
          claims: Sequence, unit: str, label_scheme: str = "ontonotes") -> CountTable:
    # label_scheme is accepted (and ignored) so callers can pass it to every scorer
    units = Units(docs, unit)  # type: ignore[arg-type]
    b = TableBuilder("timex", FIELDS, units.ids)
    for i, (g_ann, p_ann) in enumerate(zip(align(docs, gold, "gold"), align(docs, pred, "pred"))):
        g = _sorted(layer(g_ann, "timexes", "gold"))
        p = _sorted(layer(p_ann, "timexes", "pred"))
        pairs = greedy_overlap_match(g, p)
        to_gold = {pi: gi for gi, pi in pairs}
        for t in g:
            b.add(units.row(i, t.start), "gold")
        for pi, t in enumerate(p):
            b.add(units.row(i, g[to_gold[pi]].start if pi in to_gold else t.start), "pred")
        for gi, pi in pairs:
            row = units.row(i, g[gi].start)
            b.add(row, "relaxed.tp")
            b.add(row, "strict.tp", float(g[gi].start == p[pi].start and g[gi].end == p[pi].end))
            b.add(row, "type.correct", float(g[gi].type == p[pi].type))
            b.add(row, "value.correct", float(g[gi].value == p[pi].value))
    return b.build()


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
