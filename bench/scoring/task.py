"""A task's whole definition in one object (as mteb's TaskMetadata and spaCy's registered
scorers): what it reads, how it counts, its metrics and main score, and how results
show it.  `evaluate`, `compare`, the summary, the leaderboard and the report are loops
over registered tasks; adding a task is its own module plus a ``register`` line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from bench.scoring.base import CountTable, Metric
from bench.types import Annotations, Document


@dataclass(frozen=True)
class Column:
    """A secondary figure of the task: a leaderboard column and a summary line."""

    metrics: tuple[str, ...]  # the first one a result has wins (e.g. the OntoNotes, then the CoNLL view)
    header: str  # in the wide Markdown table and the summary (task-prefixed)
    short: str  # in the task's own HTML table
    key: str  # in leaderboard.json


@dataclass(frozen=True)
class Breakdown:
    """Per-label figures on the leaderboard page: ``metric`` and gold ``support`` fields are
    format strings over ``{label}``; support is the sum of those count fields."""

    key: str  # leaderboard.json / HTML view id
    labels: tuple[str, ...]
    metric: str
    support: tuple[str, ...]
    title: str


@dataclass(frozen=True)
class ReportSpec:
    """How `bench report` shows the task: from the scorer's own alignment, so its counts
    are the result file's."""

    kind: str  # "spans" (marked in the text) or "pairs" (a document x claim grid)
    outcomes: tuple[tuple[str, str], ...]  # (outcome, title) in display order
    # (document, gold, pred, claims, label_scheme) -> the document's links (base.Link)
    align: Callable[[Document, Annotations, Annotations, Sequence, str], tuple]
    # (links, document text, label_scheme) -> count fields, summed into the result's counts
    link_counts: Callable[[Sequence, str, str], Mapping[str, float]]
    shown_fields: Callable[[str], tuple[str, ...]]  # label_scheme -> fields shown beside the outcomes


@dataclass(frozen=True)
class Task:
    name: str  # e.g. "entities"; the result key and the `tasks` an extractor declares
    version: str  # e.g. "entities-v2": bumped whenever gold or scoring semantics change
    layer: str  # the Annotations attribute / predictions-file key it reads
    title: str
    fields: tuple[str, ...]  # every field any table of this task may have
    metrics: tuple[Metric, ...]
    headline: tuple[str, ...]  # metric names that get confidence intervals
    # counter(docs, gold, pred, claims, units, fields, label_scheme=...) -> one table per unit
    counter: Callable[..., tuple[CountTable, ...]]
    main_scores: Mapping[str, str]  # label scheme -> main metric
    sub_unit: str = "sentence"  # the unit below a document: "sentence", or "pair" (document, claim)
    columns: tuple[Column, ...] = ()
    breakdowns: tuple[Breakdown, ...] = ()
    report: ReportSpec | None = None
    # (document table) -> (labels, gold x pred matrix) for classification tasks
    confusion: Callable[[CountTable], tuple[tuple[str, ...], list[list[int]]]] | None = None
    main_title: str = field(default="")  # the main score's column header; default "<task> main"
    main_note: str = ""  # one line on what the main score is, for legends

    def main_score(self, label_scheme: str) -> str:
        return self.main_scores.get(label_scheme) or next(iter(self.main_scores.values()))

    def main_header(self) -> str:
        return self.main_title or f"{self.name} main"

    def count(self, docs: Sequence[Document], gold: Sequence[Annotations], pred: Sequence[Annotations],
              claims: Sequence, unit: str = "document", **options: str) -> CountTable:
        return self.count_units(docs, gold, pred, claims, (unit,), **options)[0]

    def count_units(self, docs: Sequence[Document], gold: Sequence[Annotations], pred: Sequence[Annotations],
                    claims: Sequence, units: Sequence[str], fields: Sequence[Sequence[str] | None] | None = None,
                    **options: str) -> tuple[CountTable, ...]:
        """One table per unit from a single matching pass; ``fields[k]`` keeps only those
        fields in table k (e.g. what the bootstrap needs), in the task's field order."""
        for unit in units:
            if unit not in ("document", "sentence"):
                raise ValueError(f"unit must be 'document' or 'sentence', got {unit!r}")
        wanted = tuple(fields) if fields is not None else (None,) * len(units)
        if len(wanted) != len(units):
            raise ValueError("pass one field list (or None) per unit")
        return self.counter(docs, gold, pred, claims, tuple(units), wanted, **options)

    def applicable(self, table: CountTable) -> tuple[Metric, ...]:
        """Metrics whose fields the table has (a CoNLL-only table has no ontonotes.* metrics)."""
        return tuple(m for m in self.metrics if m.applies_to(table))

    def headline_metrics(self, table: CountTable) -> tuple[Metric, ...]:
        return tuple(m for m in self.applicable(table) if m.name in self.headline)

    def metric(self, name: str) -> Metric:
        for m in self.metrics:
            if m.name == name:
                return m
        raise KeyError(f"{self.name} has no metric {name!r}")

    def evaluate(self, table: CountTable) -> dict[str, float]:
        if table.task != self.name:
            raise ValueError(f"table is for {table.task!r}, task is {self.name!r}")
        return {m.name: m.point(table) for m in self.applicable(table)}
