"""Score predictions against gold, task by task, and build the run record.

A generic loop over the registered tasks (``bench.scoring.TASKS``): each task counts
per document and per sub-unit (sentence, or (document, claim) pair), the bootstrap
resamples those counts, and every figure of the record derives from them.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bench import __version__
from bench.io import DataError
from bench.results import ExtractorInfo, RunInfo, RunRecord, Score, TaskResult
from bench.types import CONLL_LABELS, ENTITY_LABELS, Annotations, GoldCorpus

if TYPE_CHECKING:  # numpy stays out of `bench --help`, which imports this module for its defaults
    from bench.scoring.base import CountTable

DEFAULT_SEED = 12345
DEFAULT_RESAMPLES = 1000


@contextlib.contextmanager
def paused_gc():
    """No cyclic garbage collection while loading or scoring a corpus.  Those steps build
    millions of small objects and no reference cycles; each allocation burst would
    otherwise trigger full collections over everything alive (~40% of load time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def infer_label_scheme(preds: Sequence[Annotations], declared: str | None = None, where: str = "predictions") -> str:
    """The entity label scheme of predictions: the declared one, checked against the labels,
    or the one the labels imply.  Labels that fit both schemes (only ORG and LOC, or none)
    must be declared: guessing would score a CoNLL system on the wrong view."""
    labels = {e.label for p in preds for e in (p.entities or ())}
    return scheme_of_labels(labels, any(p.entities is not None for p in preds), declared, where)


def scheme_of_labels(labels: set[str], has_entities: bool, declared: str | None, where: str) -> str:
    """``infer_label_scheme`` from the set of entity labels of all predictions."""
    conll_only = labels & (set(CONLL_LABELS) - set(ENTITY_LABELS))
    ontonotes_only = labels & (set(ENTITY_LABELS) - set(CONLL_LABELS))
    if conll_only and ontonotes_only:
        raise DataError(f"{where}: mixes CoNLL labels {sorted(conll_only)} with OntoNotes labels {sorted(ontonotes_only)}")
    implied = "conll" if conll_only else "ontonotes" if ontonotes_only else None
    if declared is not None:
        if implied is not None and implied != declared:
            found = sorted(conll_only or ontonotes_only)
            raise DataError(f"{where}: declared label scheme {declared!r} but the labels {found} are {implied}")
        return declared
    if implied is None and has_entities:
        shown = ", ".join(sorted(labels)) or "no entity labels at all"
        raise DataError(f"{where}: entity labels ({shown}) fit both the OntoNotes and the CoNLL scheme; declare "
                        'it with --label-scheme ontonotes|conll or a first line {"label_scheme": "conll"}')
    return implied or "ontonotes"


@dataclass(frozen=True)
class TaskCounts:
    """One task's tables: per document (every field) and per sub-unit (bootstrap fields)."""

    task: str
    doc_table: object  # bench.scoring.CountTable
    sub_table: object
    headline: tuple


CHUNK_DOCS = 4096  # documents counted at a time: bounds the float64 tables the scorers build


def count_task(task: str, corpus: GoldCorpus, gold: Sequence[Annotations], preds: Sequence[Annotations],
               docs: Sequence, label_scheme: str) -> TaskCounts:
    return count_tasks([task], corpus, gold, preds, docs, label_scheme)[0]


def count_tasks(tasks: Sequence[str], corpus: GoldCorpus, gold: Sequence[Annotations],
                preds: Sequence[Annotations], docs: Sequence, label_scheme: str,
                progress: bool = False) -> list[TaskCounts]:
    """Every task's tables, counted a chunk of documents at a time and stored compact.
    Counts are per document, so the joined chunks are the tables of one whole pass; the
    chunks are what keeps a 100,000-document run from holding float64 sentence tables
    of several GB."""
    from tqdm import tqdm

    from bench.scoring import get_task

    starts = range(0, len(docs), CHUNK_DOCS) if docs else range(1)
    parts: dict[str, list[tuple[CountTable, CountTable]]] = {task: [] for task in tasks}
    bar = tqdm(total=len(starts) * len(tasks), desc="count", unit="chunk", disable=not progress, leave=False)
    for a in starts:
        chunk, ids = slice(a, a + CHUNK_DOCS), {}
        for task in tasks:  # tasks inside: the chunk's sentence units are split once, shared
            parts[task].append(count_chunk(get_task(task), corpus.claims, gold[chunk], preds[chunk], docs[chunk],
                                           label_scheme, ids))
            bar.update()
    bar.close()
    return join_chunks(tasks, parts)


def join_chunks(tasks: Sequence[str], parts: dict[str, list[tuple[CountTable, CountTable]]]) -> list[TaskCounts]:
    """Each task's chunk tables (``count_chunk``, in document order) joined into its tables."""
    from bench.scoring import get_task

    out: list[TaskCounts] = []
    units: dict = {}
    for task in tasks:
        done = parts.pop(task)  # the chunks go as soon as they are joined
        table, sub_table = _joined(task, [p[0] for p in done], units), _joined(task, [p[1] for p in done], units)
        del done
        out.append(TaskCounts(task, table, sub_table, get_task(task).headline_metrics(table)))
    return out


def count_chunk(t, claims: Sequence, gold: Sequence[Annotations], preds: Sequence[Annotations],
                docs: Sequence, label_scheme: str, shared_ids: dict) -> tuple[CountTable, CountTable]:
    """One task's (document, sub-unit) tables of a chunk of documents, stored compact;
    ``shared_ids``: one dict per chunk, in which tasks share their unit ids."""
    from bench.count_store import sub_unit_ids
    from bench.scoring.base import CountTable

    # the sub-unit table only feeds the bootstrap: keep just the headline metrics' fields
    (empty,) = t.count_units([], [], [], claims, ("document",), label_scheme=label_scheme)
    needed = {f for m in t.headline_metrics(empty) for f in m.fields}
    table, sub_table = t.count_units(docs, gold, preds, claims, ("document", "sentence"),
                                     (None, tuple(f for f in empty.fields if f in needed)), label_scheme=label_scheme)
    key = (t.sub_unit, sub_table.units)  # tasks with the same sub-units share one tuple of ids
    ids = shared_ids.get(key)
    if ids is None:
        ids = shared_ids[key] = sub_unit_ids([u.rsplit("#", 1)[0] for u in sub_table.units], t.sub_unit)
    doc_ids = shared_ids.setdefault(("document", table.units), table.units)  # and one tuple of document ids
    return (CountTable(t.name, table.fields, doc_ids, table.values).compact(),
            CountTable(t.name, sub_table.fields, ids, sub_table.values).compact())


def _joined(task: str, tables: list[CountTable], units: dict) -> CountTable:
    """The tables one under the other; ``units``: joined unit ids by the parts' ids, so that
    tasks whose chunks shared sub-unit ids share the joined ids (and their sidecar rows)."""
    import numpy as np

    from bench.scoring.base import CountTable

    if len(tables) == 1:
        return tables[0]
    dtype = np.result_type(*(x.values.dtype for x in tables))  # uint8 + uint16: uint16; any float64: float64
    values = np.concatenate([x.values for x in tables]).astype(dtype, copy=False)
    values.flags.writeable = False
    key = tuple(id(x.units) for x in tables)  # the parts are alive while joined: ids are not reused
    if key not in units:
        units[key] = (tuple(u for x in tables for u in x.units), [x.units for x in tables])
    # the parts hold disjoint documents, and "<doc_id>#<sub_unit><k>" names one (document, k):
    # their ids stay distinct, so the million-id check is not made again
    return CountTable._stacked(task, tables[0].fields, units[key][0], values)


def _defined(x: float | None) -> float | None:
    return None if x is None or x != x else float(x)  # NaN = undefined


def _bounds(ci) -> tuple[float | None, float | None]:
    return (None, None) if ci is None else (_defined(ci.low), _defined(ci.high))


def _task_result(c: TaskCounts, label_scheme: str, doc_ci: dict, sub_ci: dict) -> TaskResult:
    from bench.scoring import get_task

    t, table = get_task(c.task), c.doc_table
    points = t.evaluate(table)
    scores = tuple((name, Score(_defined(v), *_bounds(doc_ci.get(name)), *_bounds(sub_ci.get(name))))
                   for name, v in points.items())
    confusion = None
    if t.confusion is not None:
        labels, matrix = t.confusion(table)
        confusion = (tuple(labels), tuple(tuple(int(x) for x in row) for row in matrix))
    return TaskResult(c.task, t.version, t.main_score(label_scheme), label_scheme, scores, table, t.sub_unit,
                      c.sub_table, confusion)


def finish_tasks(counted: list[TaskCounts], label_scheme: str, seed: int, n_resamples: int,
                 progress: bool = False) -> tuple[TaskResult, ...]:
    """Bootstrap intervals and task results from the count tables of every task."""
    from bench.stats import bootstrap_many

    # every task's tables at once: those over the same units share one set of resamples
    jobs = [(c.doc_table, c.headline) for c in counted] + [(c.sub_table, c.headline) for c in counted]
    intervals = bootstrap_many(jobs, n_resamples, seed, progress=progress)
    del jobs
    return tuple(_task_result(c, label_scheme, intervals[i], intervals[len(counted) + i])
                 for i, c in enumerate(counted))


def score_predictions(corpus: GoldCorpus, preds: Sequence[Annotations], tasks: Sequence[str], label_scheme: str,
                      info: ExtractorInfo, run: RunInfo, progress: bool = False) -> RunRecord:
    """Score aligned predictions for the given tasks (documents without predictions are
    left out only in a --partial run; the caller checks completeness).  ``progress``: bars
    over the tasks counted and the bootstrap resamples."""
    from bench.scoring import get_task, task_order

    with paused_gc():
        by_id = {p.doc_id: p for p in preds}
        pairs = [(d, g) for d, g in zip(corpus.documents, corpus.gold) if d.doc_id in by_id]
        docs, gold = [d for d, _ in pairs], [g for _, g in pairs]
        aligned = [by_id[d.doc_id] for d in docs]
        del by_id, pairs
        for task in task_order(tasks):
            layer = get_task(task).layer
            missing = [p.doc_id for p in aligned if getattr(p, layer) is None]
            if missing:
                raise DataError(f"{info.name}: declares task {task!r} but produced no {layer} for {missing[0]}")
        counted = count_tasks(task_order(tasks), corpus, gold, aligned, docs, label_scheme, progress)
        results = finish_tasks(counted, label_scheme, run.seed, run.n_resamples, progress)
    return run_record(run, info, corpus.fingerprint, len(docs), results)


def run_record(run: RunInfo, info: ExtractorInfo, fingerprint: str, n_docs: int,
               results: tuple[TaskResult, ...]) -> RunRecord:
    """A run's record, stamped with this package's version and the environment."""
    from bench.environment import environment

    return RunRecord(run, info, fingerprint, n_docs, __version__, results, environment=environment())


def with_run(rec: RunRecord, **changes) -> RunRecord:
    return replace(rec, run=replace(rec.run, **changes))
