"""Task scorers: gold + pred -> additive count tables -> metrics (see base.py)."""

from __future__ import annotations

from bench.scoring.base import CountTable, Metric, TaskScorer
from bench.scoring.entities import SCORER as _ENTITIES
from bench.scoring.stance import SCORER as _STANCE
from bench.scoring.timex import SCORER as _TIMEX

SCORERS: dict[str, TaskScorer] = {s.task: s for s in (_ENTITIES, _TIMEX, _STANCE)}

__all__ = ["SCORERS", "CountTable", "Metric", "TaskScorer", "get_scorer"]


def get_scorer(task: str) -> TaskScorer:
    try:
        return SCORERS[task]
    except KeyError:
        raise ValueError(f"unknown task {task!r}; known: {sorted(SCORERS)}") from None
