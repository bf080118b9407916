"""Score a predictions file against a dataset folder one chunk of documents at a time,
the chunks counted side by side in worker processes.

Held whole, a corpus and its predictions as Python objects take several times the bytes
of their files (100,000 documents, 560 MB of JSON: over 2 GB).  When the predictions file
lists the documents in dataset order (as `bench predict` writes it) and the stance file
groups its lines by document in that order, the three files are read in lockstep: this
process only splits them into chunks of raw lines, routed by a scan for each line's
doc_id; parsing, checking and counting a chunk happen in a worker (or here, with one
worker), and the count tables (stored compact) are what comes back and grows.  Counts
are per document, so the result does not depend on the chunks or the workers.

Every line goes through the parsing and checks of the whole-file path (`bench.corpus`,
`bench.predictions`), and a worker checks that each line's parsed doc_id is the scanned
one.  Anything else (another order, any error, a label scheme the first chunk cannot
tell) gives None, and the caller takes the whole-file path, which reports the canonical
error or gives the same result: tests check that both paths agree byte for byte.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from bench.io import DataError

MAX_WORKERS = 4  # each holds one chunk's objects (a few hundred MB at most)


class _Fallback(Exception):
    """The files are not in lockstep order: take the whole-file path."""


# The first "doc_id": "..." of a line.  A guess that only routes lines: a worker checks it
# against the parsed line, and a wrong guess (a nested doc_id first) means the fallback.
_DOC_ID = re.compile(rb'"doc_id"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _scanned_id(raw: bytes) -> str | None:
    m = _DOC_ID.search(raw)
    if m is None:
        return None
    value = m.group(1)
    try:
        if b"\\" not in value:
            return value.decode("utf-8")
        import orjson

        return orjson.loads(b'"' + value + b'"')
    except ValueError:  # bad UTF-8 or escape: the line's own parse reports it
        return None


Line = tuple[int, bytes, str]  # (line number, raw line, scanned doc_id)


class _Lines:
    """A JSONL file's non-blank lines in order, with one line of look-ahead (a later
    chunk's line waits)."""

    def __init__(self, path: Path, header: bool = False) -> None:
        self._lines = self._read(path, header)
        self._held: Line | None = None

    @staticmethod
    def _read(path: Path, header: bool) -> Iterator[Line]:
        from bench.io import raw_lines

        lines = raw_lines(path)
        if header:  # the caller has read the header line
            next(lines, None)
        for lineno, raw in lines:
            doc_id = _scanned_id(raw)
            if doc_id is None:
                raise _Fallback  # no doc_id to route by (or a header line out of place)
            yield lineno, raw, doc_id

    def peek(self) -> Line | None:
        if self._held is None:
            self._held = next(self._lines, None)
        return self._held

    def take(self) -> Line | None:
        item, self._held = self.peek(), None
        return item

    def of(self, index: dict[str, int], seen: set[str] | None = None) -> list[Line]:
        """The next lines whose doc_id is in ``index`` (and, with ``seen``, not yet taken: a
        repeated line stays); the first other line stays for a later chunk, or for the end."""
        out = []
        while (item := self.peek()) is not None and item[2] in index:
            if seen is not None:
                if item[2] in seen:
                    break
                seen.add(item[2])
            out.append(self.take())
        return out


@dataclass(frozen=True)
class _Chunk:
    docs: list[Line]
    stances: list[Line]
    preds: list[Line]


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
    n_docs: int
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


def _parsed(lines: list[Line], path: str) -> Iterator[tuple[str, str, dict]]:
    from bench.io import parse_line

    for lineno, raw, doc_id in lines:
        obj = parse_line(raw, path, lineno)
        if obj.get("doc_id") != doc_id:
            raise _Fallback  # the scan guessed wrong
        yield f"{path}:{lineno}", doc_id, obj


def _count_chunk(ctx: _Context, chunk: _Chunk) -> _Counted:
    from bench.corpus import check_gold, gold_document, gold_stance
    from bench.evaluate import count_chunk, scheme_of_labels
    from bench.predictions import annotations_from_row, line_layers, tasks_of
    from bench.scoring import get_task, task_order
    from bench.types import Annotations, GoldCorpus

    claim_ids = {c.claim_id for c in ctx.claims}
    docs, metas, ents, tmxs = [], [], [], []
    for where, _, obj in _parsed(chunk.docs, f"{ctx.root}/documents/test.jsonl"):
        doc, meta, e, t = gold_document(obj, where, ())  # the caller saw the doc_ids are distinct
        docs.append(doc)
        metas.append(meta)
        ents.append(e)
        tmxs.append(t)
    index = {d.doc_id: i for i, d in enumerate(docs)}
    stances: list[list] = [[] for _ in docs]
    pairs: set[tuple[str, str]] = set()  # a document's stance lines all come in its chunk
    for where, doc_id, obj in _parsed(chunk.stances, f"{ctx.root}/stance/test.jsonl"):
        stances[index[doc_id]].append(gold_stance(obj, where, doc_id, claim_ids, pairs))
    gold = tuple(Annotations(d.doc_id, e, t, tuple(sorted(s, key=lambda s: s.claim_id)))
                 for d, e, t, s in zip(docs, ents, tmxs, stances))
    check_gold(GoldCorpus(tuple(docs), gold, ctx.claims, "", tuple(metas)), Path(ctx.root))
    preds: list = [None] * len(docs)
    layers: frozenset[str] | None = None
    for where, doc_id, obj in _parsed(chunk.preds, ctx.path):
        layers = line_layers(obj, where, layers)
        preds[index[doc_id]] = annotations_from_row(obj, where, docs[index[doc_id]], claim_ids)
    if any(p is None for p in preds) or not layers:
        raise _Fallback  # missing, out of order, or no layer at all
    labels = frozenset(e.label for p in preds for e in (p.entities or ()))
    tasks = tuple(task_order(tasks_of(preds)))
    scheme = ctx.scheme
    if scheme is None:
        try:
            scheme = scheme_of_labels(labels, "entities" in layers, ctx.declared, ctx.path)
        except DataError:
            return _Counted(len(docs), layers, labels, tasks, None, ())  # the first chunk will tell
    shared: dict = {}
    parts = tuple(count_chunk(get_task(task), ctx.claims, gold, preds, docs, scheme, shared) for task in tasks)
    return _Counted(len(docs), layers, labels, tasks, scheme, parts)


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


def _chunks(doc_lines: _Lines, stance_lines: _Lines, pred_lines: _Lines) -> Iterator[_Chunk]:
    from bench.evaluate import CHUNK_DOCS

    doc_ids: set[str] = set()
    pred_ids: set[str] = set()
    while True:
        docs = []
        while len(docs) < CHUNK_DOCS and (item := doc_lines.take()) is not None:
            docs.append(item)
        if not docs:
            break
        index = {doc_id: i for i, (_, _, doc_id) in enumerate(docs)}
        if len(index) < len(docs) or not doc_ids.isdisjoint(index):
            raise _Fallback  # a repeated doc_id
        doc_ids.update(index)
        yield _Chunk(docs, stance_lines.of(index), pred_lines.of(index, pred_ids))
    if stance_lines.peek() is not None or pred_lines.peek() is not None:
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
    doc_lines, stance_lines, pred_lines = (_Lines(root / "documents/test.jsonl"), _Lines(root / "stance/test.jsonl"),
                                           _Lines(path, header is not None))
    chunks = _chunks(doc_lines, stance_lines, pred_lines)
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
            futures[-1].add_done_callback(lambda f: bar.update(getattr(_result(f), "n_docs", 0)))
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
    n_docs = sum(c.n_docs for c in counted)
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
