"""Sharded runs whose results merge exactly.

Shard ``i/n`` holds the dataset's documents ``i, i+n, i+2n, ...`` (dataset order).
``bench evaluate --shard i/n`` scores just those and writes an ordinary result whose
``run.shard`` names the shard (every result keeps the per-sub-unit counts behind the
sentence-level intervals).  ``bench merge-results`` checks that the shards belong
together (same dataset fingerprint, extractor, configuration, package version, seed
and resamples; every shard present once, each complete: counts for every one of its
documents in every task), puts the per-document and per-sub-unit counts back in
dataset order and recomputes every score, interval and per-document figure with the
code ``bench evaluate`` uses, so the merged file is byte-identical to an unsharded run.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bench.io import DataError
from bench.types import GoldCorpus


T = TypeVar("T")


@dataclass(frozen=True)
class Shard:
    index: int
    count: int

    @classmethod
    def parse(cls, spec: str) -> Shard:
        m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", spec or "")
        if not m or not 0 <= int(m.group(1)) < int(m.group(2)):
            raise DataError(f"--shard must be i/n with 0 <= i < n (e.g. 0/4), got {spec!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def select(self, items: Sequence[T]) -> list[T]:
        """Items i, i+n, i+2n, ... of a sequence in dataset order."""
        return list(items[self.index::self.count])

    def file_suffix(self) -> str:
        return f"shard-{self.index}-of-{self.count}"


def restrict(corpus: GoldCorpus, shard: Shard) -> GoldCorpus:
    """The shard's documents and gold; the fingerprint stays the whole dataset's."""
    keep = shard.select(range(len(corpus.documents)))
    if not keep:
        raise DataError(f"shard {shard} has no documents: the dataset has only {len(corpus.documents)}")
    meta = tuple(corpus.meta[i] for i in keep) if len(corpus.meta) == len(corpus.documents) else corpus.meta
    return GoldCorpus(tuple(corpus.documents[i] for i in keep), tuple(corpus.gold[i] for i in keep),
                      corpus.claims, corpus.fingerprint, meta)


def _same(path: Path, what: str, mine, first) -> None:
    if mine != first:
        raise DataError(f"{path}: {what} differs from the first shard's ({mine!r} vs {first!r}); "
                        "shards must come from one run configuration")


def _interleave(lists: Sequence[Sequence[T]]) -> list[T]:
    """Back to dataset order: shard i's k-th item is document i + k*n."""
    out: list[T] = []
    for k in range(max((len(x) for x in lists), default=0)):
        out.extend(x[k] for x in lists if k < len(x))
    return out


def _read(path: Path):
    from bench.results import read_result

    rec = read_result(path)
    if rec.run.shard is None:
        raise DataError(f"{path}: not a shard result (no run.shard); make it with `bench evaluate --shard i/n`")
    return rec


def _check_complete(path: Path, rec) -> None:
    """Every task holds counts (and sub-unit counts) for each of the shard's documents."""
    for t in rec.tasks:
        docs = t.counts.units
        subs = {u.rsplit("#", 1)[0] for u in t.sub_counts.units}
        if len(docs) != rec.n_documents:
            raise DataError(f"{path}: task {t.task!r} has counts for {len(docs)} documents, "
                            f"the shard has {rec.n_documents}")
        extra = sorted(subs - set(docs))
        if extra:
            raise DataError(f"{path}: task {t.task!r} has sub-unit counts for unknown document {extra[0]!r}")


def merge(paths: Sequence[Path]):
    """The RunRecord an unsharded run would have produced, from all its shard results."""
    from dataclasses import replace

    from bench.evaluate import finish_tasks

    if not paths:
        raise DataError("no shard results given")
    shards = sorted(((_read(Path(p)), Path(p)) for p in paths), key=lambda x: x[0].run.shard[0])
    n = shards[0][0].run.shard[1]
    indices = [rec.run.shard[0] for rec, _ in shards]
    for rec, path in shards:
        _same(path, "shard count", rec.run.shard[1], n)
    if indices != list(range(n)):
        missing = sorted(set(range(n)) - set(indices))
        dup = sorted({i for i in indices if indices.count(i) > 1})
        raise DataError(f"need each of the {n} shards exactly once; missing {missing}, repeated {dup}")
    recs = [rec for rec, _ in shards]
    first = recs[0]
    for rec, path in shards:
        ex, fx = rec.extractor, first.extractor
        _same(path, "extractor", (ex.name, ex.version, ex.label_scheme, ex.tasks, ex.config),
              (fx.name, fx.version, fx.label_scheme, fx.tasks, fx.config))
        for what in ("dataset_fingerprint", "package_version"):
            _same(path, what.replace("_", " "), getattr(rec, what), getattr(first, what))
        _same(path, "run", replace(rec.run, shard=None, predictions=None), replace(first.run, shard=None, predictions=None))
        _same(path, "tasks", [(t.task, t.version, t.main_score, t.label_scheme, t.counts.fields, t.sub_counts.fields)
                              for t in rec.tasks],
              [(t.task, t.version, t.main_score, t.label_scheme, t.counts.fields, t.sub_counts.fields)
               for t in first.tasks])
        _check_complete(path, rec)
    if first.partial:
        raise DataError("shards of a --partial run cannot be merged into a full result")
    total = sum(r.n_documents for r in recs)
    for rec, path in shards:
        expected = len(range(rec.run.shard[0], total, n))
        if rec.n_documents != expected:
            raise DataError(f"{path}: shard {rec.run.shard[0]}/{n} has {rec.n_documents} documents; "
                            f"{expected} expected for {total} documents in {n} shards")
    counted = _merged_counts(first, recs)
    predictions = None
    if first.run.predictions is not None:  # one run "file:x.jsonl" over its shard files
        h = hashlib.sha256(",".join(r.run.predictions[1] for r in recs).encode()).hexdigest()
        predictions = (re.sub(r"\.shard-\d+-of-\d+(?=\.jsonl$|$)", "", first.run.predictions[0]), "shards:" + h)
    results = finish_tasks(counted, first.extractor.label_scheme, first.seed, first.n_resamples)
    diagnostics: dict[str, int] = {}
    for rec in recs:  # counts over documents: the whole run's are the shards' sums
        for k, v in rec.diagnostics:
            diagnostics[k] = diagnostics.get(k, 0) + v
    return replace(first, run=replace(first.run, shard=None, predictions=predictions), n_documents=total,
                   tasks=results, diagnostics=tuple(sorted(diagnostics.items())))


def _merged_counts(first, recs) -> list:
    """Every task's document and sub-unit tables in dataset order."""
    import numpy as np

    from bench.count_store import sub_unit_ids
    from bench.evaluate import TaskCounts
    from bench.scoring import get_task
    from bench.scoring.base import CountTable

    counted = []
    for k, ref in enumerate(first.tasks):
        parts = [rec.tasks[k] for rec in recs]
        doc_ids = _interleave([list(t.counts.units) for t in parts])
        if len(set(doc_ids)) != len(doc_ids):
            raise DataError(f"task {ref.task}: a document appears in two shards")
        doc_rows = _interleave([list(t.counts.values) for t in parts])
        # each document's sub-unit rows, then all of them in dataset order
        per_doc = _interleave([_rows_by_doc(t) for t in parts])
        sub_docs = [d for d, rows in per_doc for _ in rows]
        sub_values = np.array([r for _, rows in per_doc for r in rows], dtype=np.float64)
        doc_table = CountTable(ref.task, ref.counts.fields, tuple(doc_ids), np.array(doc_rows, dtype=np.float64))
        sub_table = CountTable(ref.task, ref.sub_counts.fields, sub_unit_ids(sub_docs, ref.sub_unit),
                               sub_values.reshape(len(sub_values), len(ref.sub_counts.fields)))
        counted.append(TaskCounts(ref.task, doc_table, sub_table, get_task(ref.task).headline_metrics(doc_table)))
    return counted


def _rows_by_doc(t) -> list:
    """(doc_id, its sub-unit rows) for each document of a task result, in its order."""
    rows: dict[str, list] = {d: [] for d in t.counts.units}
    for unit, row in zip(t.sub_counts.units, t.sub_counts.values):
        rows[unit.rsplit("#", 1)[0]].append(row)
    return list(rows.items())
