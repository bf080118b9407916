"""Score a predictions file against a dataset folder one chunk of documents at a time.

Held whole, a corpus and its predictions as Python objects take several times the bytes
of their files (100,000 documents, 560 MB of JSON: over 2 GB).  When the predictions file
lists the documents in dataset order (as `bench predict` writes it) and the stance file
groups its lines by document in that order, the three files are read in lockstep: only
one chunk's objects exist at a time, and the count tables (stored compact) are what grows.

Every line goes through the parsing and checks of the whole-file path (`bench.corpus`,
`bench.predictions`).  Anything else (another order, any error, a label scheme the first
chunk cannot tell) gives None, and the caller takes the whole-file path, which reports the
canonical error or gives the same result: tests check that both paths agree byte for byte.
"""

from __future__ import annotations

import time
from collections.abc import Container, Iterator
from pathlib import Path

from bench.io import DataError, read_jsonl, require


class _Fallback(Exception):
    """The files are not in lockstep order: take the whole-file path."""


class _Lines:
    """A JSONL file in order, with one line of look-ahead (a later chunk's line waits)."""

    def __init__(self, path: Path) -> None:
        self._lines: Iterator[tuple[int, dict]] = read_jsonl(path)
        self._held: tuple[int, dict] | None = None

    def peek(self) -> tuple[int, dict] | None:
        if self._held is None:
            self._held = next(self._lines, None)
        return self._held

    def take(self) -> tuple[int, dict] | None:
        item, self._held = self.peek(), None
        return item

    def of(self, index: Container[str], name: str, seen: Container[str] = ()) -> Iterator[tuple[str, str, dict]]:
        """(where, doc_id, object) of the next lines whose doc_id is in ``index`` (and not in
        ``seen``); the first other line stays for a later chunk, or for the end to reject."""
        while (item := self.peek()) is not None:
            where = f"{name}:{item[0]}"
            doc_id = require(item[1], "doc_id", str, where)
            if doc_id not in index or doc_id in seen:
                return
            self.take()
            yield where, doc_id, item[1]


def stream_score_file(path: Path, root: Path, run, label_scheme: str | None = None, name: str | None = None,
                      progress: bool = False):
    """``runner.score_file`` of a whole dataset folder without holding it: an Outcome (no
    predictions kept), or None when the whole-file path must score it."""
    from bench.evaluate import paused_gc

    try:
        with paused_gc():
            return _score(Path(path), Path(root), run, label_scheme, name, progress)
    except (_Fallback, DataError):
        return None


def _score(path: Path, root: Path, run, label_scheme: str | None, name: str | None, progress: bool):
    from tqdm import tqdm

    from bench.corpus import check_data_files, check_gold, fingerprint, gold_document, gold_stance, read_claims
    from bench.evaluate import CHUNK_DOCS, count_chunk, finish_tasks, join_chunks, run_record, scheme_of_labels
    from bench.predictions import annotations_from_row, declared_label_scheme, line_layers, tasks_of
    from bench.runner import Outcome, declared_scheme, file_run_info
    from bench.scoring import get_task, task_order
    from bench.types import Annotations, GoldCorpus

    t_start = time.perf_counter()
    check_data_files(root)
    header = declared_label_scheme(path)
    declared = declared_scheme(path, label_scheme, header)
    claims = read_claims(root)
    claim_ids = {c.claim_id for c in claims}
    doc_lines, stance_lines, pred_lines = (_Lines(root / "documents/test.jsonl"), _Lines(root / "stance/test.jsonl"),
                                           _Lines(path))
    if header is not None:
        pred_lines.take()
    gold_ids: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    pred_ids: set[str] = set()
    labels: set[str] = set()
    layers: frozenset[str] | None = None
    tasks: list[str] | None = None
    scheme: str | None = None
    parts: dict[str, list] = {}
    n_docs, counting = 0, 0.0
    bar = tqdm(desc="score", unit="doc", disable=not progress, leave=False)
    while True:
        docs, metas, ents, tmxs = [], [], [], []
        while len(docs) < CHUNK_DOCS and (item := doc_lines.take()) is not None:
            doc, meta, e, t = gold_document(item[1], f"{root}/documents/test.jsonl:{item[0]}", gold_ids)
            gold_ids.add(doc.doc_id)
            docs.append(doc)
            metas.append(meta)
            ents.append(e)
            tmxs.append(t)
        if not docs:
            break
        index = {d.doc_id: i for i, d in enumerate(docs)}
        stances: list[list] = [[] for _ in docs]
        for where, doc_id, obj in stance_lines.of(index, f"{root}/stance/test.jsonl"):
            stances[index[doc_id]].append(gold_stance(obj, where, doc_id, claim_ids, pairs))
        gold = tuple(Annotations(d.doc_id, e, t, tuple(sorted(s, key=lambda s: s.claim_id)))
                     for d, e, t, s in zip(docs, ents, tmxs, stances))
        check_gold(GoldCorpus(tuple(docs), gold, claims, "", tuple(metas)), root)
        preds: list = [None] * len(docs)
        for where, doc_id, obj in pred_lines.of(index, str(path), seen=pred_ids):
            pred_ids.add(doc_id)
            layers = line_layers(obj, where, layers)
            preds[index[doc_id]] = annotations_from_row(obj, where, docs[index[doc_id]], claim_ids)
        if any(p is None for p in preds) or not layers:
            raise _Fallback  # missing, out of order, or no layer at all
        labels.update(e.label for p in preds for e in (p.entities or ()))
        if tasks is None:
            tasks = task_order(tasks_of(preds))
            scheme = scheme_of_labels(labels, "entities" in layers, declared, str(path))
            parts = {task: [] for task in tasks}
        t0, shared = time.perf_counter(), {}
        for task in tasks:
            parts[task].append(count_chunk(get_task(task), claims, gold, preds, docs, scheme, shared))
        counting += time.perf_counter() - t0
        n_docs += len(docs)
        bar.update(len(docs))
    bar.close()
    if tasks is None or stance_lines.peek() is not None or pred_lines.peek() is not None:
        raise _Fallback  # no documents, or lines the lockstep never reached
    if scheme_of_labels(labels, "entities" in layers, declared, str(path)) != scheme:
        raise _Fallback  # a later chunk's labels tell another scheme than the first one's
    info, file_run = file_run_info(path, run, scheme, tasks, name)
    read_s = time.perf_counter() - t_start - counting
    t1 = time.perf_counter()
    results = finish_tasks(join_chunks(tasks, parts), scheme, run.seed, run.n_resamples, progress)
    rec = run_record(file_run, info, fingerprint(root), n_docs, results)
    return Outcome(rec, [], {"read_s": read_s, "score_s": counting + time.perf_counter() - t1}, scheme)
