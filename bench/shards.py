"""Sharded runs whose results merge exactly.

Shard ``i/n`` holds the dataset's documents ``i, i+n, i+2n, ...`` (dataset order).
``bench evaluate --shard i/n`` scores just those and writes a *shard result*: an
ordinary result file plus a top-level ``"shard"`` entry and, per task, the
per-sentence counts behind the sentence-level intervals.  ``bench merge-results``
checks that the shards belong together (same dataset fingerprint, extractor,
configuration, package version, seed and resamples; every shard present once),
puts the per-document (and per-sentence) counts back in dataset order and
recomputes every score, interval and per-document figure with the code
``bench evaluate`` uses, so the merged file is byte-identical to an unsharded run.
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

SHARD_KEY = "shard"
SENTENCE_COUNTS = "sentence_counts"
# config entries that name an input file rather than a setting: they differ per shard
PER_SHARD_CONFIG = ("predictions_sha256",)

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


def write_shard_result(path: Path, rec, shard: Shard, timings: dict[str, float] | None = None) -> None:
    """A result file for one shard (``rec`` scored with ``Settings(sentence_counts=True)``)."""
    import json

    from bench.io import atomic_write_text
    from bench.jsonfast import dumps
    from bench.results import timings_path, to_json

    obj = to_json(rec)
    obj[SHARD_KEY] = {"index": shard.index, "count": shard.count}
    atomic_write_text(Path(path), dumps(obj, indent=1) + "\n")
    if timings is not None:
        atomic_write_text(timings_path(Path(path)), json.dumps({k: round(v, 3) for k, v in timings.items()}, indent=1) + "\n")


def _read(path: Path) -> tuple[Shard, dict, object]:
    import json

    from bench.results import from_json

    try:
        obj = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror}") from None
    except (ValueError, RecursionError) as exc:
        raise DataError(f"{path}: invalid JSON: {exc}") from None
    if not isinstance(obj, dict) or not isinstance(obj.get(SHARD_KEY), dict):
        raise DataError(f"{path}: not a shard result (no {SHARD_KEY!r} entry); make it with `bench evaluate --shard i/n`")
    spec = obj[SHARD_KEY]
    try:
        shard = Shard.parse(f"{spec.get('index')}/{spec.get('count')}")
    except DataError:
        raise DataError(f"{path}: malformed {SHARD_KEY!r} entry {spec!r}") from None
    return shard, obj, from_json(obj, str(path))


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


def merge(paths: Sequence[Path]):
    """The RunRecord an unsharded run would have produced, from all its shard results."""
    from bench.evaluate import Settings, finish_tasks
    from bench.results import ExtractorInfo, RunRecord

    if not paths:
        raise DataError("no shard results given")
    shards = sorted((_read(Path(p)) + (Path(p),) for p in paths), key=lambda x: x[0].index)
    n = shards[0][0].count
    indices = [s.index for s, *_ in shards]
    for shard, _, _, path in shards:
        _same(path, "shard count", shard.count, n)
    if indices != list(range(n)):
        missing = sorted(set(range(n)) - set(indices))
        dup = sorted({i for i in indices if indices.count(i) > 1})
        raise DataError(f"need each of the {n} shards exactly once; missing {missing}, repeated {dup}")
    recs = [rec for _, _, rec, _ in shards]
    first = recs[0]
    for _, _, rec, path in shards:
        ex, fx = rec.extractor, first.extractor
        # predictions files: name them x.shard-i-of-n.jsonl to make them parts of one run "file:x.jsonl"
        _same(path, "extractor", (ex.name, ex.version, ex.label_scheme, ex.tasks),
              (fx.name, fx.version, fx.label_scheme, fx.tasks))
        _same(path, "extractor config", {k: v for k, v in ex.config if k not in PER_SHARD_CONFIG},
              {k: v for k, v in fx.config if k not in PER_SHARD_CONFIG})
        for what in ("dataset_path", "dataset_fingerprint", "package_version", "seed", "n_resamples", "partial"):
            _same(path, what.replace("_", " "), getattr(rec, what), getattr(first, what))
        _same(path, "tasks", [(t.task, t.version, t.main_score, t.label_scheme, t.count_fields) for t in rec.tasks],
              [(t.task, t.version, t.main_score, t.label_scheme, t.count_fields) for t in first.tasks])
    if first.partial:
        raise DataError("shards of a --partial run cannot be merged into a full result")
    total = sum(r.n_documents for r in recs)
    for shard, _, rec, path in shards:
        if rec.n_documents != len(range(shard.index, total, n)):
            raise DataError(f"{path}: shard {shard} has {rec.n_documents} documents; "
                            f"{len(range(shard.index, total, n))} expected for {total} documents in {n} shards")

    try:
        counted, schemes = _merged_counts(first, recs)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"malformed shard result: {type(exc).__name__}: {exc}") from None
    config = dict(first.extractor.config)
    for key in PER_SHARD_CONFIG:  # one file per shard: record which ones, in shard order
        values = [dict(r.extractor.config).get(key) for r in recs]
        if key in config and len(set(values)) > 1:
            config[key] = "shards:" + hashlib.sha256(",".join(map(str, values)).encode()).hexdigest()[:16]
    info = ExtractorInfo(first.extractor.name, first.extractor.version, first.extractor.label_scheme,
                         first.extractor.tasks, tuple(config.items()))
    settings = Settings(first.seed, first.n_resamples)
    results = finish_tasks(counted, schemes.pop() if schemes else first.extractor.label_scheme, settings)
    return RunRecord(info, first.dataset_path, first.dataset_fingerprint, total, first.package_version,
                     first.seed, first.n_resamples, False, results, environment=first.environment)


def _merged_counts(first, recs) -> tuple[list, set]:
    """Every task's document and sentence tables in dataset order."""
    import numpy as np

    from bench.evaluate import TaskCounts
    from bench.scoring import get_scorer
    from bench.scoring.base import CountTable

    counted, schemes = [], set()
    for k, ref in enumerate(first.tasks):
        parts = [rec.tasks[k] for rec in recs]
        doc_rows = _interleave([t.doc_counts for t in parts])
        doc_ids = [d for d, _ in doc_rows]
        if len(set(doc_ids)) != len(doc_ids):
            raise DataError(f"task {ref.task}: a document appears in two shards")
        sent = [dict(t.extra).get(SENTENCE_COUNTS) for t in parts]
        if any(not isinstance(s, dict) for s in sent):
            raise DataError(f"task {ref.task}: a shard result lacks {SENTENCE_COUNTS!r}")
        fields = tuple(sent[0]["fields"])
        per_doc = _interleave([[(d, s["documents"][d]) for d, _ in t.doc_counts] for s, t in zip(sent, parts)])
        sizes = [len(rows) for _, rows in per_doc]
        sent_values = np.array([row for _, rows in per_doc for row in rows], dtype=np.float64)
        doc_table = CountTable(ref.task, ref.count_fields, tuple(doc_ids),
                               np.array([row for _, row in doc_rows], dtype=np.float64))
        sent_table = CountTable(ref.task, fields, tuple(f"{d}#{i}" for d, rows in per_doc for i in range(len(rows))),
                                sent_values.reshape(len(sent_values), len(fields)))
        scorer = get_scorer(ref.task)
        counted.append(TaskCounts(ref.task, doc_table, sent_table, scorer.headline_metrics(doc_table),
                                  np.repeat(np.arange(len(doc_ids)), sizes)))
        schemes.add(ref.label_scheme)
    if len(schemes) > 1:
        raise DataError(f"tasks disagree on the label scheme: {sorted(schemes)}")
    return counted, schemes
