"""Prediction engines: where `bench predict` runs the extractor.

``local`` is this process (``bench.runner.extract``).  ``ray`` hands the documents to Ray
Data: ``map_batches`` over a pool of actors, each of which loads the extractor once (from
the same ``--model`` spec and args, through the same registry) and runs
``bench.runner.extract`` on its batches, so every output is checked exactly as in the
local run.  Batches come back as prediction lines with their input position and are put
back in input order, so the file written is byte-identical to the local engine's.

Without ``address`` a local cluster is started for the call (``num_workers`` CPUs, a
bounded object store) and stopped after it; with ``address`` the command joins an
existing cluster (``ray://host:10001`` or ``auto``), which must have this package and the
extractor installed, and leaves it running.  Ray is an optional dependency (extra ``ray``)
and is imported only here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from bench.io import DataError
from bench.types import Annotations, Claim, Document

ENGINES = ("local", "ray")
LOCAL_OBJECT_STORE_BYTES = 512 * 1024**2  # a local cluster's shared memory: batches are small


@dataclass(frozen=True)
class RayOptions:
    address: str | None = None  # None: start (and stop) a local cluster
    num_workers: int = 2  # actors, each with its own copy of the extractor
    batch_size: int = 64  # documents per batch handed to an actor
    cpus_per_worker: float = 1.0
    gpus_per_worker: float = 0.0

    def check(self) -> None:
        if self.num_workers < 1 or self.batch_size < 1:
            raise DataError(f"--workers and --batch-size must be at least 1, got {self.num_workers} and {self.batch_size}")
        if self.cpus_per_worker <= 0 or self.gpus_per_worker < 0:
            raise DataError("--cpus-per-worker must be > 0 and --gpus-per-worker >= 0")


@dataclass(frozen=True)
class Prediction:
    """What an engine returns: the predictions in input order and what the extractor said of itself."""

    annotations: list[Annotations]
    name: str
    label_scheme: str
    tasks: frozenset[str]
    diagnostics: tuple[tuple[str, int], ...]


def _say(exc: BaseException) -> str:
    """An error in one line, as `bench` prints it (its own errors as they are)."""
    from bench.extractors import ExtractorError

    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    text = lines[0] if lines else ""
    return text if isinstance(exc, (DataError, ExtractorError)) else f"{type(exc).__name__}: {text}".rstrip(": ")


class _Worker:
    """One Ray actor: the extractor, loaded once, run on batches of documents.  Errors come
    back as data (Ray would wrap them in tracebacks and retry advice), first one wins."""

    def __init__(self, model: str, model_args: tuple[tuple[str, str], ...], claims: tuple[tuple[str, str], ...]):
        from bench.extractors import load_extractor

        self.claims = tuple(Claim(c, t) for c, t in claims)
        self.before: dict[str, int] = {}
        self.extractor, self.error = None, ""
        try:
            self.extractor = load_extractor(model, **dict(model_args))
        except Exception as exc:  # reported with the first batch
            self.error = _say(exc)

    def __call__(self, batch):
        from bench.predictions import prediction_row
        from bench.runner import extract, extractor_diagnostics

        ids, n = batch["i"].to_pylist(), batch.num_rows
        error, lines, meta = self.error, [""] * n, ""
        if not error:
            docs = [Document(d, t, c) for d, t, c in zip(batch["doc_id"].to_pylist(), batch["text"].to_pylist(),
                                                        batch["dct"].to_pylist())]
            try:
                anns = extract(self.extractor, docs, self.claims)
                lines = [json.dumps(prediction_row(a), ensure_ascii=False) for a in anns]
                now = dict(extractor_diagnostics(self.extractor))
            except Exception as exc:
                error = _say(exc)
            else:
                delta = {k: v - self.before.get(k, 0) for k, v in now.items() if v != self.before.get(k, 0)}
                self.before = now
                ex = self.extractor
                meta = json.dumps({"name": ex.name, "label_scheme": ex.label_scheme, "tasks": sorted(ex.tasks),
                                   "diagnostics": delta}, sort_keys=True)
        return {"i": ids, "line": lines, "error": [error] * n,
                "meta": [meta] + [""] * (n - 1)}  # once per batch: diagnostics add up


def predict_ray(model: str, model_args: tuple[tuple[str, str], ...], docs: Sequence[Document],
                claims: Sequence[Claim], options: RayOptions, progress: bool = False) -> Prediction:
    options.check()
    try:
        import ray
    except ImportError:
        raise DataError("--engine ray needs Ray: pip install 'kursk-ie-bench[ray]'") from None
    import logging

    from bench.predictions import annotations_from_row

    for name in ("ray", "ray.data"):  # its progress and INFO lines are not ours to print
        logging.getLogger(name).setLevel(logging.WARNING)
    if options.address is None:
        ray.init(num_cpus=max(1, int(options.num_workers * options.cpus_per_worker + 0.999)),
                 object_store_memory=LOCAL_OBJECT_STORE_BYTES, include_dashboard=False,
                 logging_level=logging.WARNING, configure_logging=True, log_to_driver=False)
    else:
        ray.init(address=options.address, logging_level=logging.WARNING, log_to_driver=False)
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = progress
        ctx.print_on_execution_start = False
        ctx.verbose_progress = False
        items = [{"i": k, "doc_id": d.doc_id, "text": d.text, "dct": d.dct} for k, d in enumerate(docs)]
        out = ray.data.from_items(items, override_num_blocks=max(1, min(len(items), 4 * options.num_workers))) \
            .map_batches(_Worker, batch_format="pyarrow", batch_size=options.batch_size,
                         compute=ray.data.ActorPoolStrategy(size=options.num_workers), num_cpus=options.cpus_per_worker,
                         num_gpus=options.gpus_per_worker or None,
                         fn_constructor_kwargs={"model": model, "model_args": tuple(model_args),
                                                "claims": tuple((c.claim_id, c.text) for c in claims)}) \
            .to_arrow_refs()
        tables = ray.get(out)
    except Exception as exc:  # the cluster's own failures (workers' come back as data)
        raise DataError(f"--engine ray: {_say(exc)}") from None
    finally:
        ray.shutdown()  # a local cluster stops; an existing one is only left
    rows = sorted((i, line, meta, error) for t in tables for i, line, meta, error in
                  zip(*(t.column(c).to_pylist() for c in ("i", "line", "meta", "error"))))
    error = next((e for *_, e in rows if e), None)
    if error:
        raise DataError(f"--engine ray: {error}")
    if [r[0] for r in rows] != list(range(len(docs))):
        raise DataError(f"--engine ray: got {len(rows)} predictions back for {len(docs)} documents")
    claim_ids = {c.claim_id for c in claims}
    anns = [annotations_from_row(json.loads(line), f"worker output for {d.doc_id}", d, claim_ids)
            for d, (_, line, _, _) in zip(docs, rows)]
    metas = [json.loads(m) for _, _, m, _ in rows if m]
    diagnostics: dict[str, int] = {}
    for m in metas:
        for k, v in m["diagnostics"].items():
            diagnostics[k] = diagnostics.get(k, 0) + v
    first = metas[0] if metas else None
    if first is None:  # no documents: nothing ran
        from bench.extractors import load_extractor

        ex = load_extractor(model, **dict(model_args))
        first = {"name": ex.name, "label_scheme": ex.label_scheme, "tasks": sorted(ex.tasks)}
    return Prediction(anns, first["name"], first["label_scheme"], frozenset(first["tasks"]),
                      tuple(sorted((k, v) for k, v in diagnostics.items() if v)))
