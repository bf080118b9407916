"""Score a predictions file against a dataset folder one chunk of documents at a time,
the chunks counted side by side in worker processes.

Held whole, a corpus and its predictions as Python objects take several times the bytes
of their files (100,000 documents, 560 MB of JSON: over 2 GB).  When the predictions file
holds one line per document in dataset order (as `bench predict` writes it) and the stance
file one line per (document, claim), grouped by document in that order, the three files
are read in lockstep by position: this process only finds where their lines start (a scan
for newlines, no parsing) and hands each worker byte ranges: the next documents, their
stance lines and their prediction lines.  Parsing, checking and counting happen in a
worker (or here, with one worker), and the count tables (stored compact) are what comes
back and grows.  Counts are per document, so the result does not depend on the chunks or
the workers.

Every line goes through the parsing and checks of the whole-file path (`bench.corpus`,
`bench.predictions`), and a worker checks that each stance and prediction line belongs to
one of its documents, once.  Anything else (another order, any error, a label scheme the
first chunk cannot tell) gives None, and the caller takes the whole-file path, which
reports the canonical error or gives the same result: tests check that both paths agree
byte for byte.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bench.io import DataError, record_line

MAX_WORKERS = 4  # each holds one chunk's objects (a few hundred MB at most)
_READ_BLOCK = 1 << 24  # bytes scanned for newlines at a time


class _Fallback(Exception):
    """The files are not in lockstep order: take the whole-file path."""


@dataclass(frozen=True)
class _Span:
    """``n`` record lines of a file, as the bytes [start, end) and the first one's line number."""

    path: str
    start: int
    end: int
    lineno: int
    n: int

    def lines(self) -> list[tuple[int, bytes]]:
        """(line number, bytes) of the record lines, as ``bench.io.raw_lines`` yields them."""
        if self.n == 0:
            return []
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.start)
                data = fh.read(self.end - self.start)
        except OSError:
            raise _Fallback from None  # gone since it was scanned: the whole-file path reports it
        out = [(i, rec) for i, line in enumerate(data.split(b"\n"), self.lineno)
               if (rec := record_line(i, line)) is not None]
        if len(out) != self.n:
            raise _Fallback  # the file changed since it was scanned
        return out


class _Records:
    """Where a JSONL file's record lines are (every line but blank ones, as
    ``bench.io.raw_lines`` has it), found without parsing: a scan for newlines, and a look
    at the few lines that do not start with "{"; then taken ``n`` at a time, in order."""

    def __init__(self, path: Path, skip: int = 0) -> None:
        self.path = str(path)
        try:
            with open(path, "rb") as fh:
                starts, ends, keep = _record_lines(fh)
        except OSError:
            raise _Fallback from None  # the whole-file path reports it
        rows = np.flatnonzero(keep)[skip:]
        self.starts, self.ends, self.linenos = starts[rows], ends[rows], rows + 1
        self.next = 0

    def left(self) -> int:
        return len(self.starts) - self.next

    def take(self, n: int) -> _Span:
        a, b = self.next, min(self.next + n, len(self.starts))
        self.next = b
        if a == b:
            return _Span(self.path, 0, 0, 1, 0)
        return _Span(self.path, int(self.starts[a]), int(self.ends[b - 1]), int(self.linenos[a]), b - a)


def _record_lines(fh) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, end, is a record) of each line of an open file, end exclusive of the newline."""
    breaks, firsts, size, pending = [], [], 0, True  # pending: a line starts at the next byte
    while block := fh.read(_READ_BLOCK):
        arr = np.frombuffer(block, np.uint8)
        nl = np.flatnonzero(arr == 10)
        if pending:
            firsts.append(arr[:1])
        inside = nl[nl + 1 < len(arr)]
        firsts.append(arr[inside + 1])  # the first byte of the line after each newline
        pending = len(inside) < len(nl)  # the block ends with a newline
        breaks.append(nl + size)
        size += len(block)
    nl = np.concatenate(breaks) if breaks else np.zeros(0, np.int64)
    starts = np.concatenate(([0], nl + 1)).astype(np.int64)
    ends = np.concatenate((nl, [size])).astype(np.int64)
    first = np.concatenate(firsts) if firsts else np.zeros(0, np.uint8)
    first = np.concatenate((first, np.full(len(starts) - len(first), 10, np.uint8)))  # an empty last line
    keep = first == ord("{")
    for i in np.flatnonzero(~keep & (starts < ends)).tolist():  # blank, indented, a BOM: rare
        fh.seek(int(starts[i]))
        keep[i] = record_line(i + 1, fh.read(int(ends[i] - starts[i]))) is not None
    return starts, ends, keep


@dataclass(frozen=True)
class _Chunk:
    docs: _Span
    stances: _Span
    preds: _Span


@dataclass(frozen=True)
class _Context:
    """What a worker needs besides its chunk (small: sent with every chunk)."""

    root: str
    path: str
    claims: tuple
    declared: str | None
    scheme: str | None  # None: the chunk's own labels tell it, when they can


@dataclass(frozen=True)
class _Counted:
    doc_ids: tuple[str, ...]
    layers: frozenset[str]
    labels: frozenset[str]
    tasks: tuple[str, ...]
    scheme: str | None  # None: the chunk's labels fit both schemes; not counted
    parts: tuple  # per task: (document table, sub-unit table), compact


def _count(ctx: _Context, chunk: _Chunk) -> _Counted:
    """Parse, check and count one chunk (in a worker process, or in this one)."""
    from bench.evaluate import paused_gc

    with paused_gc():
        return _count_chunk(ctx, chunk)


def _parsed(span: _Span, path: str) -> Iterator[tuple[str, dict]]:
    from bench.io import parse_line

    for lineno, raw in span.lines():
        yield f"{path}:{lineno}", parse_line(raw, path, lineno)


def _row(obj: dict, index: dict[str, int]) -> int:
    """The chunk's row of the document a stance or prediction line names."""
    doc_id = obj.get("doc_id")
    i = index.get(doc_id) if type(doc_id) is str else None
    if i is None:
        raise _Fallback  # not one of this chunk's documents: another order (or an error)
    return i


def _count_chunk(ctx: _Context, chunk: _Chunk) -> _Counted:
    from bench.corpus import check_gold, gold_document, gold_stance
    from bench.evaluate import count_chunk, scheme_of_labels
    from bench.predictions import annotations_from_row, line_layers, tasks_of
    from bench.scoring import get_task, task_order
    from bench.types import Annotations, GoldCorpus

    claim_ids = {c.claim_id for c in ctx.claims}
    docs, metas, ents, tmxs = [], [], [], []
    for where, obj in _parsed(chunk.docs, f"{ctx.root}/documents/test.jsonl"):
        doc, meta, e, t = gold_document(obj, where, ())  # distinct doc_ids: checked below, and across chunks
        docs.append(doc)
        metas.append(meta)
        ents.append(e)
        tmxs.append(t)
    index = {d.doc_id: i for i, d in enumerate(docs)}
    if len(index) < len(docs):
        raise _Fallback  # a repeated doc_id
    stances: list[list] = [[] for _ in docs]
    pairs: set[tuple[str, str]] = set()  # the checks below see every pair of these documents once
    for where, obj in _parsed(chunk.stances, f"{ctx.root}/stance/test.jsonl"):
        i = _row(obj, index)
        stances[i].append(gold_stance(obj, where, docs[i].doc_id, claim_ids, pairs))
    gold = tuple(Annotations(d.doc_id, e, t, tuple(sorted(s, key=lambda s: s.claim_id)))
                 for d, e, t, s in zip(docs, ents, tmxs, stances))
    check_gold(GoldCorpus(tuple(docs), gold, ctx.claims, "", tuple(metas)), Path(ctx.root))
    preds: list = [None] * len(docs)
    layers: frozenset[str] | None = None
    for where, obj in _parsed(chunk.preds, ctx.path):
        i = _row(obj, index)
        if preds[i] is not None:
            raise _Fallback  # a repeated line
        layers = line_layers(obj, where, layers)
        preds[i] = annotations_from_row(obj, where, docs[i], claim_ids)
    if any(p is None for p in preds) or not layers:
        raise _Fallback  # missing, or no layer at all
    labels = frozenset(e.label for p in preds for e in (p.entities or ()))
    tasks = tuple(task_order(tasks_of(preds)))
    scheme = ctx.scheme
    if scheme is None:
        try:
            scheme = scheme_of_labels(labels, "entities" in layers, ctx.declared, ctx.path)
        except DataError:
            return _Counted(tuple(index), layers, labels, tasks, None, ())  # the first chunk will tell
    shared: dict = {}
    parts = tuple(count_chunk(get_task(task), ctx.claims, gold, preds, docs, scheme, shared) for task in tasks)
    return _Counted(tuple(index), layers, labels, tasks, scheme, parts)


def default_workers() -> int:
    """Worker processes for a big file: this machine's CPUs (as many as this process may
    use), at most MAX_WORKERS."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS))


def stream_score_file(path: Path, root: Path, run, label_scheme: str | None = None, name: str | None = None,
                      progress: bool = False, workers: int = 1):
    """``runner.score_file`` of a whole dataset folder without holding it: an Outcome (no
    predictions kept), or None when the whole-file path must score it.  ``workers``: worker
    processes once there is more than one chunk (1: count here; the result is the same)."""
    from bench.evaluate import paused_gc

    try:
        with paused_gc():
            return _score(Path(path), Path(root), run, label_scheme, name, progress, workers)
    except (_Fallback, DataError):
        return None


def _chunks(docs: _Records, stances: _Records, preds: _Records, n_claims: int) -> Iterator[_Chunk]:
    """Each chunk of documents with the stance lines (one per claim) and prediction lines
    (one) that the lockstep order puts beside them; a worker checks that they belong."""
    from bench.evaluate import CHUNK_DOCS

    while docs.left():
        d = docs.take(CHUNK_DOCS)
        yield _Chunk(d, stances.take(d.n * n_claims), preds.take(d.n))
    if stances.left() or preds.left():
        raise _Fallback  # lines the lockstep never reached


class _Inline:
    """The executor interface, run here: one worker needs no process."""

    @staticmethod
    def submit(fn, *args):
        from concurrent.futures import Future

        f: Future = Future()
        try:
            f.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed over as a pool's future would
            f.set_exception(exc)
        return f

    def shutdown(self, **_) -> None:
        pass


def _executor(workers: int):
    if workers <= 1:
        return _Inline()
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:  # spawn: a fresh interpreter, not a fork of one that may hold threads and big objects
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    except (ImportError, NotImplementedError, OSError):  # no process pools here (no sem_open): count here
        return _Inline()


def _score(path: Path, root: Path, run, label_scheme: str | None, name: str | None, progress: bool, workers: int):
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    from tqdm import tqdm

    from bench.corpus import check_data_files, fingerprint, read_claims
    from bench.count_store import encode_tables
    from bench.evaluate import finish_tasks, join_chunks, run_record, scheme_of_labels
    from bench.predictions import declared_label_scheme
    from bench.runner import Outcome, declared_scheme, file_run_info
    from bench.scoring import get_task

    t_start = time.perf_counter()
    check_data_files(root)
    header = declared_label_scheme(path)
    declared = declared_scheme(path, label_scheme, header)
    ctx = _Context(str(root), str(path), read_claims(root), declared, declared)
    chunks = _chunks(_Records(root / "documents/test.jsonl"), _Records(root / "stance/test.jsonl"),
                     _Records(path, skip=int(header is not None)), len(ctx.claims))
    first = next(chunks, None)
    if first is None:
        raise _Fallback  # no documents
    second = next(chunks, None)
    executor = _executor(workers if second is not None else 1)
    bar = tqdm(desc="score", unit="doc", disable=not progress, leave=False)
    futures: list = []
    jobs: list[_Chunk | None] = []  # kept until counted: a chunk may need counting again
    try:
        for chunk in _chain(first, second, chunks):
            # bounded: a chunk's raw lines wait in memory only while workers are busy
            while sum(not f.done() for f in futures) >= 2 * workers:
                wait([f for f in futures if not f.done()], return_when=FIRST_COMPLETED)
            if any(f.done() and f.exception() is not None for f in futures):
                break  # a bad chunk: the whole-file path will report it, so read no further
            ctx = replace(ctx, scheme=declared or (_known_scheme(futures[0]) if futures else None))
            for i, f in enumerate(futures):
                if jobs[i] is not None and _known_scheme(f) is not None:
                    jobs[i] = None
            futures.append(executor.submit(_count, ctx, chunk))
            jobs.append(chunk)
            futures[-1].add_done_callback(lambda f: bar.update(len(getattr(_result(f), "doc_ids", ()))))
        counted = [f.result() for f in futures]
        scheme = declared or counted[0].scheme
        if scheme is None:
            raise _Fallback  # the first chunk's labels fit both schemes
        # a chunk counted before the first one told the scheme, whose own labels could not, is counted again
        again = {i: executor.submit(_count, replace(ctx, scheme=scheme), jobs[i])
                 for i, c in enumerate(counted) if c.scheme is None}
        counted = [again[i].result() if i in again else c for i, c in enumerate(counted)]
    finally:
        executor.shutdown(cancel_futures=True)
        bar.close()
    del futures, jobs
    tasks, layers = counted[0].tasks, counted[0].layers
    if any(c.layers != layers or c.scheme != scheme for c in counted):
        raise _Fallback  # lines with other layers, or labels of another scheme, in a later chunk
    labels = set().union(*(c.labels for c in counted))
    if scheme_of_labels(labels, "entities" in layers, declared, str(path)) != scheme:
        raise _Fallback  # a later chunk's labels tell another scheme than the first one's
    parts = {task: [c.parts[i] for c in counted] for i, task in enumerate(tasks)}
    n_docs = sum(len(c.doc_ids) for c in counted)
    if len(set().union(*(c.doc_ids for c in counted))) < n_docs:
        raise _Fallback  # a doc_id in two chunks
    del counted
    info, file_run = file_run_info(path, run, scheme, tasks, name)
    read_s = time.perf_counter() - t_start  # reading and counting: side by side in the workers
    t1 = time.perf_counter()
    counted_tables = join_chunks(tasks, parts)
    with ThreadPoolExecutor(max_workers=1) as pool:  # the sidecar needs only the tables: encoded meanwhile
        sidecar = pool.submit(encode_tables, [(c.task, get_task(c.task).sub_unit, c.doc_table, c.sub_table)
                                              for c in counted_tables])
        results = finish_tasks(counted_tables, scheme, run.seed, run.n_resamples, progress)
        rec = run_record(file_run, info, fingerprint(root), n_docs, results)
        counts = sidecar.result()
    return Outcome(rec, [], {"read_s": read_s, "score_s": time.perf_counter() - t1}, scheme, counts)


def _result(f):
    """A finished future's result, or None (an error, or cancelled)."""
    return f.result() if f.done() and not f.cancelled() and f.exception() is None else None


def _known_scheme(f) -> str | None:
    """The label scheme a finished chunk was counted with (None: not finished, failed or untold)."""
    return getattr(_result(f), "scheme", None)


def _chain(first: _Chunk, second: _Chunk | None, rest: Iterator[_Chunk]) -> Iterator[_Chunk]:
    yield first
    if second is not None:
        yield second
        yield from rest
