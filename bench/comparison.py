"""`bench compare`: paired tests between two result files, from their per-document counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.io import DataError
from bench.results import RunRecord, TaskResult, read_result


def _table(tr: TaskResult):
    from bench.scoring.base import CountTable

    units = tuple(d for d, _ in tr.doc_counts)
    return CountTable(tr.task, tr.count_fields, units, np.array([row for _, row in tr.doc_counts], dtype=float))


def _check_same_data(a: RunRecord, b: RunRecord, pa: Path, pb: Path) -> None:
    if a.dataset_fingerprint != b.dataset_fingerprint:
        raise DataError(f"{pb}: dataset fingerprint {b.dataset_fingerprint} differs from {pa}'s "
                        f"{a.dataset_fingerprint}; results on different data cannot be paired")


def compare(path_a: Path, path_b: Path, task: str | None, metric: str | None, method: str,
            seed: int, n_resamples: int) -> str:
    from bench.scoring import get_scorer
    from bench.stats import approximate_randomization, paired_bootstrap

    a, b = read_result(path_a), read_result(path_b)
    _check_same_data(a, b, path_a, path_b)
    tasks = [task] if task else [t.task for t in a.tasks if b.task(t.task) is not None]
    if not tasks:
        raise DataError(f"{path_a} and {path_b} share no task")
    lines = [f"A = {a.extractor.name} {a.extractor.version}   B = {b.extractor.name} {b.extractor.version}",
             f"{'task':9} {'metric':26} {'A':>7} {'B':>7} {'A-B':>7}  {'95% CI of A-B':>17}  {'p':>7}  method"]
    for name in tasks:
        ta, tb = a.task(name), b.task(name)
        if ta is None or tb is None:
            raise DataError(f"task {name!r} is missing from {path_a if ta is None else path_b}")
        scorer = get_scorer(name)
        table_a, table_b = _table(ta), _table(tb)
        m_name = metric or (ta.main_score if ta.main_score == tb.main_score else "conll.strict.micro_f1")
        try:
            m = scorer.metric(m_name)
        except KeyError as exc:
            raise DataError(exc.args[0]) from None  # str(KeyError) adds quotes
        if not (m.applies_to(table_a) and m.applies_to(table_b)):
            raise DataError(f"metric {m_name!r} is not available in both results (label schemes differ?)")
        fn = paired_bootstrap if method == "bootstrap" else approximate_randomization
        try:
            c = fn(table_a, table_b, m, n_resamples, seed)
        except ValueError as exc:
            raise DataError(f"cannot pair {path_a} and {path_b}: {exc}") from None
        lines.append(f"{name:9} {m_name:26} {c.a:7.4f} {c.b:7.4f} {c.diff:+7.4f}  "
                     f"[{c.interval.low:+7.4f}, {c.interval.high:+7.4f}]  {c.p_value:7.4f}  {c.method}")
    lines.append(f"resamples={n_resamples} seed={seed}; the unit of resampling is the document")
    return "\n".join(lines)
