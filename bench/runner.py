"""The one place that runs extractors: a ``RunSpec`` in, predictions and a run record out.

`bench evaluate`, `bench predict`, `bench leaderboard --update-runs/--check` and
`bench evaluate --from-result` all come through here; the leaderboard and the report
otherwise only read result files.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bench.evaluate import DEFAULT_RESAMPLES, DEFAULT_SEED, infer_label_scheme, score_predictions
from bench.io import DataError
from bench.results import ExtractorInfo, RunInfo, RunRecord
from bench.types import Annotations, Claim, Document, GoldCorpus

MAX_RESAMPLES = 1_000_000  # beyond this the resample matrices would exhaust memory
MAX_SEED = 2 ** 32 - 1


@dataclass(frozen=True)
class RunSpec:
    """Everything a run depends on; a result's ``run`` block turns back into one."""

    model: str | None = None  # registered name, "module:Class" or "hf:<model>"
    model_args: tuple[tuple[str, str], ...] = ()
    predictions: Path | None = None  # score this predictions file instead of a model
    dataset: str | None = None  # a built-in dataset's name or a folder; None = the benchmark
    seed: int = DEFAULT_SEED
    n_resamples: int = DEFAULT_RESAMPLES
    partial: bool = False  # score only the documents a predictions file covers
    shard: str | None = None  # "i/n": documents i, i+n, ... only
    label_scheme: str | None = None  # declared entity label scheme of a predictions file
    progress: bool = False
    name: str | None = None  # a predictions run's name (default "file:<file name>")
    # processes that count a big predictions file's chunks (0: one per CPU, at most 4); they are
    # spawned, so a script that asks for more than 1 needs the `if __name__ == "__main__":` guard
    workers: int = 1

    def check(self) -> None:
        if (self.model is None) == (self.predictions is None):
            raise DataError("pass exactly one of --model or --predictions")
        if not 0 <= self.seed <= MAX_SEED:
            raise DataError(f"--seed must be between 0 and {MAX_SEED}, got {self.seed}")
        if not 1 <= self.n_resamples <= MAX_RESAMPLES:
            raise DataError(f"--resamples must be between 1 and {MAX_RESAMPLES:,}, got {self.n_resamples}")
        if self.label_scheme not in (None, "ontonotes", "conll"):
            raise DataError(f"--label-scheme must be ontonotes or conll, got {self.label_scheme!r}")
        if self.partial and self.model is not None:
            raise DataError("--partial applies to --predictions only")
        if self.partial and self.shard is not None:
            raise DataError("--partial and --shard do not combine")
        if self.model_args and self.model is None:
            raise DataError("--model-args applies to --model only")
        if not 0 <= self.workers <= 256:
            raise DataError(f"--workers must be between 0 (one per CPU) and 256, got {self.workers}")


@dataclass(frozen=True)
class Outcome:
    record: RunRecord
    predictions: list[Annotations]
    timings: dict[str, float]
    label_scheme: str
    counts: bytes | None = None  # the record's count sidecar, when encoded while its intervals were computed


def parse_model_args(text: str | None) -> tuple[tuple[str, str], ...]:
    """'key=value,key=value' (a value may hold '=' and, in {...} or [...], commas)."""
    if not text:
        return ()
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += (ch in "{[") - (ch in "}]")
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    pairs = []
    for item in (x.strip() for x in out if x.strip()):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise DataError(f"--model-args: expected key=value, got {item!r}")
        pairs.append((key.strip(), value.strip()))
    keys = [k for k, _ in pairs]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise DataError(f"--model-args: {', '.join(dup)} given twice")
    return tuple(sorted(pairs))


def load_corpus(spec: RunSpec) -> tuple[GoldCorpus, str]:
    from bench.corpus import load_dataset_dir, resolve_dataset
    from bench.evaluate import paused_gc

    root, name = resolve_dataset(spec.dataset)
    with paused_gc():
        corpus = load_dataset_dir(root)
    if spec.shard is not None:
        from bench.shards import Shard, restrict

        corpus = restrict(corpus, Shard.parse(spec.shard))
    return corpus, name


def load_model(spec: RunSpec):
    from bench.extractors import load_extractor

    return load_extractor(spec.model, **dict(spec.model_args))


def extract(extractor, docs: Sequence[Document], claims: Sequence[Claim], progress: bool = False) -> list[Annotations]:
    """The extractor's predictions for every document, each held to the rules of a line of
    a predictions file; ``extract_batch`` when the extractor has one, else one at a time."""
    from tqdm import tqdm

    from bench.predictions import check_output

    claim_ids = {c.claim_id for c in claims}
    batch = getattr(extractor, "extract_batch", None)
    if callable(batch):
        anns = list(batch(list(docs), claims))
        if len(anns) != len(docs):
            raise DataError(f"{extractor.name}: extract_batch returned {len(anns)} results for {len(docs)} documents")
    else:
        anns = (extractor.extract(d, claims) for d in tqdm(docs, desc=f"predict {extractor.name}", unit="doc",
                                                           disable=not progress, leave=False))
    out = []
    for doc, ann in zip(docs, anns):
        if getattr(ann, "doc_id", None) != doc.doc_id:
            raise DataError(f"{extractor.name}: returned predictions for {getattr(ann, 'doc_id', ann)!r} "
                            f"when given {doc.doc_id!r}")
        # a model cannot score with spans a predictions file could not
        out.append(check_output(ann, doc, claim_ids, f"{extractor.name} on {doc.doc_id}"))
    return out


def _shard_of(spec: RunSpec) -> tuple[int, int] | None:
    if spec.shard is None:
        return None
    from bench.shards import Shard

    s = Shard.parse(spec.shard)
    return s.index, s.count


def evaluate(spec: RunSpec, keep_predictions: bool = True) -> Outcome:
    """Run a model, or read a predictions file, and score it.  Without ``keep_predictions``
    a whole-dataset predictions file is scored a chunk at a time when its order allows
    (``bench.streaming``), and the outcome holds no predictions."""
    spec.check()
    if spec.predictions is not None and not keep_predictions and not spec.partial and spec.shard is None:
        from bench.corpus import resolve_dataset
        from bench.streaming import default_workers, stream_score_file

        root, dataset_name = resolve_dataset(spec.dataset)
        run = RunInfo(None, (), None, dataset_name, spec.seed, spec.n_resamples, False, None)
        streamed = stream_score_file(Path(spec.predictions), root, run, spec.label_scheme, spec.name, spec.progress,
                                     spec.workers or default_workers())
        if streamed is not None:
            return streamed
    corpus, dataset_name = load_corpus(spec)
    run = RunInfo(spec.model, spec.model_args, None, dataset_name, spec.seed, spec.n_resamples, spec.partial,
                  _shard_of(spec))
    if spec.model is not None:
        return score_extractor(load_model(spec), corpus, run, spec.progress)
    return score_file(Path(spec.predictions), corpus, run, spec.label_scheme, spec.name, spec.progress)


def score_extractor(extractor, corpus: GoldCorpus, run: RunInfo, progress: bool = False) -> Outcome:
    """An extractor object run on a corpus and scored (``run`` says how it was asked for)."""
    from bench.scoring import task_order

    t0 = time.perf_counter()
    preds = extract(extractor, corpus.documents, corpus.claims, progress)
    t1 = time.perf_counter()
    cfg = extractor.config() if hasattr(extractor, "config") else {}
    info = ExtractorInfo(extractor.name, extractor.version, extractor.label_scheme,
                         tuple(task_order(extractor.tasks)), tuple(sorted((str(k), str(v)) for k, v in cfg.items())))
    rec = score_predictions(corpus, preds, info.tasks, extractor.label_scheme, info, run, progress)
    diagnostics = extractor_diagnostics(extractor)
    if diagnostics:
        rec = replace(rec, diagnostics=diagnostics)
    timings = {"predict_s": t1 - t0, "docs_per_s": len(preds) / max(t1 - t0, 1e-9),
               "score_s": time.perf_counter() - t1, **extractor_usage(extractor)}
    return Outcome(rec, preds, timings, extractor.label_scheme)


_DIAGNOSTIC_NAME = re.compile(r"[a-z0-9_.-]{1,100}")


def extractor_diagnostics(extractor) -> tuple[tuple[str, int], ...]:
    """An extractor's optional ``diagnostics()``: counts of what it could not use (an LLM's
    parse failures, unaligned strings), stamped on the result; checked like any input."""
    fn = getattr(extractor, "diagnostics", None)
    if not callable(fn):
        return ()
    got = fn()
    if not isinstance(got, dict) or len(got) > 1000 or not all(
            isinstance(k, str) and _DIAGNOSTIC_NAME.fullmatch(k) and type(v) is int and v >= 0 for k, v in got.items()):
        raise DataError(f"{extractor.name}: diagnostics() must return names ([a-z0-9_.-]) to counts >= 0")
    return tuple(sorted(got.items()))


def extractor_usage(extractor) -> dict[str, float]:
    """An extractor's optional ``usage()`` (requests, tokens): added to the timings file, which
    is kept apart from the result because it differs between a first run and a cached rerun."""
    fn = getattr(extractor, "usage", None)
    if not callable(fn):
        return {}
    got = fn()
    if not isinstance(got, dict) or not all(isinstance(k, str) and type(v) in (int, float) and math.isfinite(v)
                                            for k, v in got.items()):
        raise DataError(f"{extractor.name}: usage() must return names to numbers")
    return {k: float(v) for k, v in got.items()}


def score_file(path: Path, corpus: GoldCorpus, run: RunInfo, label_scheme: str | None = None,
               name: str | None = None, progress: bool = False) -> Outcome:
    """A predictions file read (strictly) and scored; its label scheme declared or implied."""
    from bench.evaluate import paused_gc
    from bench.predictions import declared_label_scheme, read_predictions, tasks_of

    path = Path(path)
    t0 = time.perf_counter()
    with paused_gc():  # millions of acyclic objects: collections would only walk them, again and again
        preds = read_predictions(path, corpus, partial=run.partial)
        declared = declared_scheme(path, label_scheme, declared_label_scheme(path))
        scheme = infer_label_scheme(preds, declared, str(path))
        info, file_run = file_run_info(path, run, scheme, tasks_of(preds), name)
        t1 = time.perf_counter()
        rec = score_predictions(corpus, preds, info.tasks, scheme, info, file_run, progress)
    return Outcome(rec, preds, {"read_s": t1 - t0, "score_s": time.perf_counter() - t1}, scheme)


def declared_scheme(path: Path, label_scheme: str | None, header: str | None) -> str | None:
    """The label scheme declared for a predictions file: --label-scheme or its header line."""
    if label_scheme is not None and header is not None and label_scheme != header:
        raise DataError(f"{path}: --label-scheme {label_scheme} contradicts the file's header ({header})")
    return label_scheme or header


def file_run_info(path: Path, run: RunInfo, scheme: str, tasks, name: str | None) -> tuple[ExtractorInfo, RunInfo]:
    """(extractor, run) blocks of a scored predictions file: named after it, its digest kept."""
    from bench.scoring import task_order

    with open(path, "rb") as fh:  # streamed: the file may be large
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    info = ExtractorInfo(name or f"file:{path.name}", "file", scheme, tuple(task_order(tasks)), ())
    return info, RunInfo(None, (), (path.name, digest), run.dataset, run.seed, run.n_resamples, run.partial, run.shard)


def predict(spec: RunSpec, documents: Sequence[Document], claims: Sequence[Claim]) -> tuple[object, list[Annotations]]:
    """(extractor, predictions) of a model on any documents (`bench predict`)."""
    if spec.model is None:
        raise DataError("bench predict needs --model")
    extractor = load_model(spec)
    return extractor, extract(extractor, documents, claims, spec.progress)


def spec_from_result(rec: RunRecord, **overrides) -> RunSpec:
    """The RunSpec that repeats a model run (`bench evaluate --from-result`)."""
    if rec.run.model is None:
        raise DataError(f"the result of {rec.extractor.name} scored a predictions file, not a model: "
                        "score that file again with --predictions")
    shard = None if rec.run.shard is None else f"{rec.run.shard[0]}/{rec.run.shard[1]}"
    base = dict(model=rec.run.model, model_args=rec.run.model_args, dataset=rec.run.dataset, seed=rec.run.seed,
                n_resamples=rec.run.n_resamples, shard=shard)
    base.update({k: v for k, v in overrides.items() if v is not None})
    return RunSpec(**base)
