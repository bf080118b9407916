"""Run an extractor (or read a predictions file), score every task, build the run record."""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bench import __version__
from bench.io import DataError
from bench.results import ExtractorInfo, RunRecord, Score, TaskResult, float_rows
from bench.types import CONLL_LABELS, ENTITY_LABELS, TASKS, Annotations, Claim, Document, GoldCorpus

LAYER_OF = {"entities": "entities", "timex": "timexes", "stance": "stances"}
DEFAULT_SEED = 12345
DEFAULT_RESAMPLES = 1000


@dataclass(frozen=True)
class Settings:
    seed: int = DEFAULT_SEED
    n_resamples: int = DEFAULT_RESAMPLES
    partial: bool = False
    progress: bool = False
    # store the per-sentence counts behind the sentence intervals: `bench merge-results`
    # recomputes every interval from them, `bench compare --unit sentence` pairs them
    sentence_counts: bool = True


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


def run_extractor(extractor, docs: Sequence[Document], claims: Sequence[Claim],
                  progress: bool = False) -> list[Annotations]:
    from tqdm import tqdm

    from bench.predictions import check_output

    out = []
    claim_ids = {c.claim_id for c in claims}
    for doc in tqdm(docs, desc=f"predict {extractor.name}", unit="doc", disable=not progress, leave=False):
        ann = extractor.extract(doc, claims)
        if getattr(ann, "doc_id", None) != doc.doc_id:
            raise DataError(f"{extractor.name}: returned predictions for {getattr(ann, 'doc_id', ann)!r} "
                            f"when given {doc.doc_id!r}")
        # held to the rules of a predictions file: a model cannot score with spans a file could not
        out.append(check_output(ann, doc, claim_ids, f"{extractor.name} on {doc.doc_id}"))
    return out


def infer_label_scheme(preds: Sequence[Annotations], declared: str | None = None, where: str = "predictions") -> str:
    """The entity label scheme of predictions: the declared one, checked against the labels,
    or the one the labels imply.  Labels that fit both schemes (only ORG and LOC, or none)
    must be declared: guessing would score a CoNLL system on the wrong view."""
    labels = {e.label for p in preds for e in (p.entities or ())}
    conll_only = labels & (set(CONLL_LABELS) - set(ENTITY_LABELS))
    fine_only = labels & (set(ENTITY_LABELS) - set(CONLL_LABELS))
    if conll_only and fine_only:
        raise DataError(f"{where}: mixes CoNLL labels {sorted(conll_only)} with OntoNotes labels {sorted(fine_only)}")
    implied = "conll" if conll_only else "ontonotes" if fine_only else None
    if declared is not None:
        if implied is not None and implied != declared:
            found = sorted(conll_only or fine_only)
            raise DataError(f"{where}: declared label scheme {declared!r} but the labels {found} are {implied}")
        return declared
    if implied is None and any(p.entities is not None for p in preds):
        shown = ", ".join(sorted(labels)) or "no entity labels at all"
        raise DataError(f"{where}: entity labels ({shown}) fit both the OntoNotes and the CoNLL scheme; declare "
                        'it with --label-scheme ontonotes|conll or a first line {"label_scheme": "conll"}')
    return implied or "ontonotes"


@dataclass(frozen=True)
class TaskCounts:
    """One task's tables: per document (every field) and per sentence (bootstrap fields),
    with the document index of each sentence-table row."""

    task: str
    doc_table: object  # bench.scoring.CountTable
    sent_table: object
    headline: tuple
    sent_docs: object = None  # np.ndarray of int, one per sentence-table row


def _count(task: str, corpus: GoldCorpus, gold: list[Annotations], preds: list[Annotations],
           docs: list[Document], label_scheme: str) -> TaskCounts:
    import numpy as np

    from bench.scoring import get_scorer
    from bench.scoring.base import units_for

    scorer = get_scorer(task)
    opts = {"label_scheme": label_scheme} if task == "entities" else {}
    # the sentence table only feeds the bootstrap: keep just the headline metrics' fields
    (empty,) = scorer.count_units([], [], [], corpus.claims, ("document",), **opts)
    needed = {f for m in scorer.headline_metrics(empty) for f in m.fields}
    table, sent_table = scorer.count_units(docs, gold, preds, corpus.claims, ("document", "sentence"),
                                           (None, tuple(f for f in empty.fields if f in needed)), **opts)
    sizes = [len(corpus.claims)] * len(docs) if task == "stance" else units_for(docs, "sentence").per_document()
    return TaskCounts(task, table, sent_table, scorer.headline_metrics(table),
                      np.repeat(np.arange(len(docs)), sizes))


def _task_result(c: TaskCounts, label_scheme: str, doc_ci: dict, sent_ci: dict, more: tuple = ()) -> TaskResult:
    from bench.scoring import get_scorer

    scorer, table = get_scorer(c.task), c.doc_table
    points = scorer.evaluate(table)
    scores = []
    for name, value in points.items():
        d, t = doc_ci.get(name), sent_ci.get(name)
        scores.append((name, Score(_defined(value), *_bounds(d), *_bounds(t))))
    # each metric on every row at once: the same arithmetic as Metric.point on one row
    per_metric = [(m.name, m(table.values[:, table.columns(m.fields)]).tolist()) for m in c.headline]
    per_doc = tuple((doc_id, tuple((name, vals[i]) for name, vals in per_metric))
                    for i, doc_id in enumerate(table.units))
    extra: tuple = ()
    if c.task == "stance":
        from bench.scoring.stance import confusion_matrix
        from bench.types import STANCE_LABELS

        cm = confusion_matrix(table)
        extra = (("confusion_matrix", {"labels": list(STANCE_LABELS), "rows_gold_cols_pred": cm.astype(int).tolist()}),)
    main = scorer.main_score if scorer.main_score in points else "conll.strict.micro_f1"
    return TaskResult(
        c.task, TASKS[c.task], main, label_scheme, tuple(scores), per_doc, table.fields,
        tuple(zip(table.units, float_rows(table.values, tuple))), extra + more,
    )


def _defined(x: float | None) -> float | None:
    return None if x is None or x != x else float(x)  # NaN = undefined


def _bounds(ci) -> tuple[float | None, float | None]:
    return (None, None) if ci is None else (_defined(ci.low), _defined(ci.high))


def _sentence_counts(c: TaskCounts) -> tuple:
    """("sentence_counts", {"fields", "documents": {doc_id: [row per sentence]}}) for a shard result."""
    import numpy as np

    cuts = np.searchsorted(c.sent_docs, np.arange(len(c.doc_table.units) + 1))
    rows = float_rows(c.sent_table.values) if len(c.sent_docs) else []
    docs = {d: rows[cuts[i]:cuts[i + 1]] for i, d in enumerate(c.doc_table.units)}
    return (("sentence_counts", {"fields": list(c.sent_table.fields), "documents": docs}),)


def finish_tasks(counted: list[TaskCounts], label_scheme: str, s: Settings) -> tuple[TaskResult, ...]:
    """Bootstrap intervals and task results from the count tables of every task."""
    from bench.stats import bootstrap_many

    # every task's tables at once: those over the same units share one set of resamples
    jobs = [(c.doc_table, c.headline) for c in counted] + [(c.sent_table, c.headline) for c in counted]
    intervals = bootstrap_many(jobs, s.n_resamples, s.seed)
    more = [_sentence_counts(c) if s.sentence_counts else () for c in counted]
    del jobs  # the sentence tables are the biggest arrays; nothing needs them any more
    counted = [replace(c, sent_table=None, sent_docs=None) for c in counted]
    return tuple(_task_result(c, label_scheme, intervals[i], intervals[len(counted) + i], more[i])
                 for i, c in enumerate(counted))


def score_predictions(corpus: GoldCorpus, preds: list[Annotations], tasks: Sequence[str], label_scheme: str,
                      info: ExtractorInfo, dataset_path: str, s: Settings) -> RunRecord:
    by_id = {p.doc_id: p for p in preds}
    pairs = [(d, g) for d, g in zip(corpus.documents, corpus.gold) if d.doc_id in by_id]
    docs, gold = [d for d, _ in pairs], [g for _, g in pairs]
    aligned = [by_id[d.doc_id] for d in docs]
    counted = []
    for task in sorted(tasks, key=list(TASKS).index):
        missing = [p.doc_id for p in aligned if getattr(p, LAYER_OF[task]) is None]
        if missing:
            raise DataError(f"{info.name}: declares task {task!r} but produced no {LAYER_OF[task]} for {missing[0]}")
        counted.append(_count(task, corpus, gold, aligned, docs, label_scheme))
    results = finish_tasks(counted, label_scheme, s)
    from bench.environment import environment

    return RunRecord(info, dataset_path, corpus.fingerprint, len(docs), __version__, s.seed, s.n_resamples,
                     s.partial, results, environment=environment())


def evaluate_extractor(extractor, corpus: GoldCorpus, dataset_path: str, s: Settings) -> tuple[RunRecord, list[Annotations], dict]:
    t0 = time.perf_counter()
    preds = run_extractor(extractor, corpus.documents, corpus.claims, s.progress)
    t1 = time.perf_counter()
    cfg = extractor.config() if hasattr(extractor, "config") else {}
    info = ExtractorInfo(extractor.name, extractor.version, extractor.label_scheme,
                         tuple(sorted(extractor.tasks, key=list(TASKS).index)),
                         tuple(sorted((str(k), str(v)) for k, v in cfg.items())))
    with paused_gc():
        rec = score_predictions(corpus, preds, info.tasks, extractor.label_scheme, info, dataset_path, s)
    t2 = time.perf_counter()
    return rec, preds, {"predict_s": t1 - t0, "score_s": t2 - t1, "docs_per_s": len(preds) / max(t1 - t0, 1e-9)}


def evaluate_file(path: Path, corpus: GoldCorpus, dataset_path: str, s: Settings,
                  label_scheme: str | None = None, name: str | None = None) -> tuple[RunRecord, dict]:
    import hashlib

    from bench.predictions import declared_label_scheme, read_predictions, tasks_of

    t0 = time.perf_counter()
    with paused_gc():
        preds = read_predictions(path, corpus, partial=s.partial)
    header = declared_label_scheme(path)
    if label_scheme is not None and header is not None and label_scheme != header:
        raise DataError(f"{path}: --label-scheme {label_scheme} contradicts the file's header ({header})")
    scheme = infer_label_scheme(preds, label_scheme or header, str(path))
    tasks = tuple(t for t in TASKS if t in tasks_of(preds))
    with open(path, "rb") as fh:  # streamed: the file may be large
        digest = hashlib.file_digest(fh, "sha256").hexdigest()[:16]
    info = ExtractorInfo(name or f"file:{Path(path).name}", "file", scheme, tasks,
                         (("predictions_sha256", digest),))
    t1 = time.perf_counter()
    with paused_gc():
        rec = score_predictions(corpus, preds, tasks, scheme, info, dataset_path, s)
    return rec, {"read_s": t1 - t0, "score_s": time.perf_counter() - t1}
