"""`bench compare`: paired significance tests between two result files.

The units are documents (the per-document ``counts`` of every result) or, with
``unit="sentence"``, the task's sub-units (sentences; (document, claim) pairs for
stance), read from the sub-unit count table every result carries.  The tests themselves are in
``bench.stats``: the paired permutation test (exact up to ``EXACT_MAX_UNITS`` units
that differ, Monte Carlo above) and the paired bootstrap-t test.  Every row reports
the smallest p-value the method can give on those units, and a WARNING line says
when that is above alpha: no outcome of the test could then be significant.

Which unit: the permutation test's null is "A's and B's outputs are exchangeable on
every unit", which needs no independence between units, so sentence units are valid
and far more sensitive (five documents can never give p < 1/16).  They answer "is A
better than B on these documents"; resampling documents (bootstrap over documents)
is what speaks to new documents, and sentences of one document are not independent
draws, so a sentence-level bootstrap interval is optimistic about that.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.io import DataError
from bench.results import RunRecord, TaskResult, read_result

METHODS = ("permutation", "bootstrap")
UNITS = ("document", "sentence")


def _sentence_table(tr: TaskResult, path: Path):
    """The per-sub-unit count table, in document order."""
    if tr.sub_counts is None:
        raise DataError(f"{path}: task {tr.task!r} has no sub-unit counts; use --unit document")
    return tr.sub_counts


def _check_same_data(a: RunRecord, b: RunRecord, pa: Path, pb: Path) -> None:
    if a.dataset_fingerprint != b.dataset_fingerprint:
        raise DataError(f"{pb}: dataset fingerprint {b.dataset_fingerprint} differs from {pa}'s "
                        f"{a.dataset_fingerprint}; results on different data cannot be paired")


def unit_name(task: str, unit: str) -> str:
    """What one unit is, in words: document, or the task's sub-unit (sentence, pair)."""
    from bench.scoring import get_task

    return "document" if unit == "document" else get_task(task).sub_unit


def _num(x: float | None, spec: str = "7.4f") -> str:
    return f"{'n/a':>7}" if x is None or x != x else format(x, spec)


def _fmt_p(x: float) -> str:
    return f"{x:.4g}"


def _warning(task: str, c, unit: str) -> str:
    what = f"with {c.n_units} {c.unit}{'' if c.n_units == 1 else 's'}"
    if c.n_differ != c.n_units:
        what += f" ({c.n_differ} differing between A and B)"
    if c.method == "exact permutation":
        advice = "use --unit sentence or more documents" if unit == "document" else f"use more {c.unit}s"
    else:
        advice = "raise --resamples"
    return (f"WARNING: {task}: {what} the {c.method} test cannot reach p < {c.min_p:.4g}, "
            f"so never p <= alpha = {c.alpha:g}; {advice}")


def compare(path_a: Path, path_b: Path, task: str | None, metric: str | None, method: str,
            seed: int, n_resamples: int, unit: str = "document", alpha: float = 0.05) -> str:
    """The printed comparison table of two result files (see the module docstring)."""
    from bench.scoring import get_task
    from bench.stats import BOOTSTRAP_MIN_UNITS, paired_test

    if method not in METHODS:
        raise DataError(f"method must be {' or '.join(METHODS)}, got {method!r}")
    if unit not in UNITS:
        raise DataError(f"unit must be {' or '.join(UNITS)}, got {unit!r}")
    if not 0 < alpha < 1:
        raise DataError(f"alpha must be between 0 and 1, got {alpha}")
    if n_resamples < 1:
        raise DataError(f"resamples must be at least 1, got {n_resamples}")
    a, b = read_result(path_a), read_result(path_b)
    _check_same_data(a, b, path_a, path_b)
    tasks = [task] if task else [t.task for t in a.tasks if b.task(t.task) is not None]
    if not tasks:
        raise DataError(f"{path_a} and {path_b} share no task")
    ci = f"{100 * (1 - alpha):g}% CI of A-B"
    lines = [f"A = {a.extractor.name} {a.extractor.version}   B = {b.extractor.name} {b.extractor.version}",
             f"{'task':9} {'metric':26} {'A':>7} {'B':>7} {'A-B':>7}  {ci:>17}  {'p':>7}  {'min p':>8}  "
             f"{'unit':8} {'n':>6}  method"]
    warnings = []
    for name in tasks:
        ta, tb = a.task(name), b.task(name)
        if ta is None or tb is None:
            raise DataError(f"task {name!r} is missing from {path_a if ta is None else path_b}")
        try:
            scorer = get_task(name)
        except ValueError as exc:
            raise DataError(str(exc)) from None
        if unit == "document":
            table_a, table_b = ta.counts, tb.counts
        else:
            table_a, table_b = _sentence_table(ta, path_a), _sentence_table(tb, path_b)
        # two label schemes compare on the view both have: the CoNLL one
        m_name = metric or (ta.main_score if ta.main_score == tb.main_score else scorer.main_score("conll"))
        try:
            m = scorer.metric(m_name)
        except KeyError as exc:
            raise DataError(exc.args[0]) from None  # str(KeyError) adds quotes
        if not (m.applies_to(table_a) and m.applies_to(table_b)):
            if unit == "sentence" and m.applies_to(ta.counts) and m.applies_to(tb.counts):
                raise DataError(f"metric {m_name!r} has no sub-unit counts (results store them for the "
                                "headline metrics only); use --unit document")
            raise DataError(f"metric {m_name!r} is not available in both results (label schemes differ?)")
        if method == "bootstrap" and len(table_a.units) < BOOTSTRAP_MIN_UNITS:
            kind = unit_name(name, unit)
            raise DataError(f"{name}: the paired bootstrap test needs at least {BOOTSTRAP_MIN_UNITS} units, got "
                            f"{len(table_a.units)} {kind}{'' if len(table_a.units) == 1 else 's'}; use --method "
                            f"permutation{' or --unit sentence' if unit == 'document' else ''}")
        try:
            c = paired_test(table_a, table_b, m, method, n_resamples, seed, alpha, unit_name(name, unit))
        except ValueError as exc:
            raise DataError(f"cannot pair {path_a} and {path_b}: {exc}") from None
        p = "n/a" if c.p_value is None else f"{c.p_value:7.4f}"
        lines.append(f"{name:9} {m_name:26} {_num(c.a)} {_num(c.b)} {_num(c.diff, '+7.4f')}  "
                     f"[{_num(c.interval.low, '+7.4f')}, {_num(c.interval.high, '+7.4f')}]  {p:>7}  "
                     f"{c.min_p:8.3g}  {c.unit:8} {c.n_units:6d}  {c.method}")
        if c.alpha_unreachable:
            warnings.append(_warning(name, c, unit))
    lines.append(f"two-sided p; alpha={alpha:g} resamples={n_resamples} seed={seed}; "
                 f"min p = the smallest p-value the test can give on these units")
    return "\n".join(lines + warnings)
