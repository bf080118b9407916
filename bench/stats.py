"""Confidence intervals and paired significance tests over count tables.

All procedures resample whole units (rows of a CountTable) and re-evaluate the
vectorised metrics on summed counts, so a resample costs one matrix product.
Random numbers come from ``np.random.Generator(np.random.PCG64(seed))`` drawn
in a fixed order: same table + seed -> identical output.

* ``bootstrap``: percentile bootstrap (Efron) of each metric.
* ``paired_bootstrap``: both systems are resampled with the same units; the
  interval is the percentile interval of diff* = m(A*) - m(B*).  The two-sided
  p-value uses the shifted null: the bootstrap distribution centred on 0 stands
  in for the null distribution, p = (#{|diff* - diff| >= |diff|} + 1) / (R + 1).
* ``approximate_randomization``: each unit's rows are swapped between the two
  systems with probability 0.5; p = (#{|diff*| >= |diff|} + 1) / (R + 1).  Its
  interval is the paired-bootstrap interval for the same seed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from bench.scoring.base import CountTable, Metric

_CHUNK = 1 << 23  # random draws per chunk: bounds memory at ~64 MiB per array
_TIE = 1e-12  # relative slack so float rounding never breaks |diff*| >= |diff| ties


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Comparison:
    metric: str
    a: float
    b: float
    diff: float  # a - b
    interval: Interval  # of the difference
    p_value: float
    method: str
    n_resamples: int
    seed: int


def _rng(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


def _check(n_units: int, n_resamples: int) -> None:
    if n_units < 1:
        raise ValueError("the table has no units to resample")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")


def _chunks(n_units: int, n_resamples: int) -> Iterator[int]:
    rows = max(1, _CHUNK // n_units)
    for start in range(0, n_resamples, rows):
        yield min(rows, n_resamples - start)


def _draws(n_units: int, n_resamples: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """(b, n_units) matrices of drawn unit indices; the one source of randomness.

    int32 draws are the same numbers as the default int64 ones (numpy draws both from
    one 32-bit bounded stream when n_units < 2**32), at half the memory traffic.
    """
    dtype = np.int32 if n_units < 2 ** 31 else np.int64
    for b in _chunks(n_units, n_resamples):
        yield rng.integers(0, n_units, size=(b, n_units), dtype=dtype)


def _prefetched(chunks: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    """The same chunks, the next one drawn in a worker thread while this one is used
    (numpy releases the GIL in both), so drawing and counting share two cores."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(next, chunks, None)
        while (chunk := pending.result()) is not None:
            pending = pool.submit(next, chunks, None)
            yield chunk


def _bootstrap_weights(n_units: int, n_resamples: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """(b, n_units) float matrices: how often each unit is drawn in each resample."""
    for idx in _prefetched(_draws(n_units, n_resamples, rng)):
        w = np.empty((len(idx), n_units))
        for r in range(len(idx)):  # row-wise bincount keeps the bins cache-resident
            w[r] = np.bincount(idx[r], minlength=n_units)
        yield w


def _patterns(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(pattern of each unit, distinct rows) when that is a shortcut that changes nothing.

    Count tables hold small multiples of 1/4, so every bootstrap sum is exact in float64
    whatever the order of additions; then summing per distinct row (most sentences
    look alike: all zeros, one correct PERSON, ...) gives bit-identical sums while the
    work per resample no longer scales with units x fields.  None when the values are
    not such counts, or too few rows repeat for it to pay.
    """
    n = len(values)
    if n < 1024 or values.size == 0:
        return None
    # row blocks keep the temporaries small (page faults dominate on fresh big arrays)
    block = 1 << 16
    weights = np.random.Generator(np.random.PCG64(0)).integers(1, 2 ** 62, size=values.shape[1], dtype=np.int64)
    key = np.empty(n, np.int64)
    for a in range(0, n, block):
        quarters = values[a:a + block] * 4
        if not float(np.abs(quarters).max()) * n < 2.0 ** 52:  # also False for NaN
            return None
        q = quarters.astype(np.int64)
        if not np.array_equal(q, quarters):
            return None
        key[a:a + block] = q @ weights  # a random linear hash of the row
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    if len(first) > n // 2:
        return None
    inverse = inverse.ravel()
    distinct = values[first]
    for a in range(0, n, block):  # the grouping must be exact: equal hash, equal row
        if not np.array_equal(distinct[inverse[a:a + block]], values[a:a + block]):
            return None  # a hash collision: take the general path
    return inverse, distinct


def _one_blas_thread():
    """A context with BLAS on one thread.  The products here are short and wide; a
    multi-threaded OpenBLAS spends far longer synchronising than computing (40x slower
    on a busy 2-core machine), and the draws already run in a second thread."""
    try:
        from threadpoolctl import threadpool_limits  # installed with scikit-learn
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(1, "blas")


def _joint_patterns(values: Sequence[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]] | None:
    """``_patterns`` of the arrays side by side, without building the side-by-side copy:
    (joint pattern of each unit, each array's row for each joint pattern)."""
    found = [_patterns(v) for v in values]
    if any(f is None for f in found):
        return None
    pattern, distinct = found[0][0].astype(np.int64), [found[0][1]]
    for p, d in found[1:]:
        pairs = pattern * len(d) + p
        _, first, inverse = np.unique(pairs, return_index=True, return_inverse=True)
        if len(first) > len(pairs) // 2:
            return None
        before, this = pairs[first] // len(d), pairs[first] % len(d)
        distinct = [dd[before] for dd in distinct] + [d[this]]
        pattern = inverse.ravel()
    small = np.uint16 if len(distinct[0]) < 1 << 16 else np.int32  # less to gather per draw
    return pattern.astype(small), distinct


def _resampled_sums(values: Sequence[np.ndarray], n_resamples: int, seed: int) -> list[np.ndarray]:
    """Bootstrap sums (n_resamples, k) for each (n_units, k) array, all with the same draws."""
    n = len(values[0])
    _check(n, n_resamples)
    values = [np.asarray(v, dtype=np.float64) for v in values]
    acc: list[list[np.ndarray]] = [[] for _ in values]
    found = _joint_patterns(values)
    with _one_blas_thread():
        if found is None:
            for w in _bootstrap_weights(n, n_resamples, _rng(seed)):
                for a, v in zip(acc, values):
                    a.append(w @ v)
        else:
            pattern, distinct = found
            for idx in _prefetched(_draws(n, n_resamples, _rng(seed))):
                c = np.empty((len(idx), len(distinct[0])))
                for r in range(len(idx)):
                    c[r] = np.bincount(np.take(pattern, idx[r]), minlength=len(distinct[0]))
                for a, d in zip(acc, distinct):
                    a.append(c @ d)
    return [np.concatenate(a) for a in acc]


def _percentile(samples: np.ndarray, alpha: float) -> Interval:
    low, high = np.quantile(samples, [alpha / 2, 1 - alpha / 2])
    return Interval(float(low), float(high))


def bootstrap(table: CountTable, metrics: Sequence[Metric], n_resamples: int, seed: int,
              alpha: float = 0.05) -> dict[str, Interval]:
    """Percentile-bootstrap (1 - alpha) interval of each metric, resampling units."""
    return bootstrap_many([(table, metrics)], n_resamples, seed, alpha)[0]


def bootstrap_many(jobs: Sequence[tuple[CountTable, Sequence[Metric]]], n_resamples: int, seed: int,
                   alpha: float = 0.05) -> list[dict[str, Interval]]:
    """``bootstrap`` of several (table, metrics) at once, with identical results.

    Tables over the same units (e.g. every task's document table) would draw the very
    same resamples from the same seed, so they are resampled together: one set of
    draws instead of one per table.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    out: list[dict[str, Interval]] = [{} for _ in jobs]
    groups: dict[tuple[str, ...], list[int]] = {}
    for j, (table, metrics) in enumerate(jobs):
        if metrics:
            groups.setdefault(table.units, []).append(j)
    for members in groups.values():
        cols = [sorted({jobs[j][0].column(f) for m in jobs[j][1] for f in m.fields}) for j in members]
        # a table that holds just the needed fields (as evaluate's sentence tables do) is used as is
        arrays = [jobs[j][0].values if c == list(range(len(jobs[j][0].fields))) else jobs[j][0].values[:, c]
                  for j, c in zip(members, cols)]
        sums = _resampled_sums(arrays, n_resamples, seed)
        for j, c, s in zip(members, cols, sums):
            table, metrics = jobs[j]
            pos = {col: i for i, col in enumerate(c)}
            out[j] = {m.name: _percentile(m(s[:, [pos[table.column(f)] for f in m.fields]]), alpha) for m in metrics}
    return out


def _pair(table_a: CountTable, table_b: CountTable, metric: Metric) -> tuple[np.ndarray, np.ndarray]:
    if table_a.task != table_b.task:
        raise ValueError(f"cannot compare a {table_a.task!r} table with a {table_b.task!r} table")
    if table_a.units != table_b.units:
        raise ValueError("the two tables must have the same units in the same order "
                         f"({len(table_a.units)} vs {len(table_b.units)} units)")
    return table_a.values[:, table_a.columns(metric.fields)], table_b.values[:, table_b.columns(metric.fields)]


def _p_value(null: np.ndarray, diff: float) -> float:
    hits = np.abs(null) >= abs(diff) - _TIE * max(1.0, abs(diff))
    return float((hits.sum() + 1) / (len(null) + 1))


def paired_bootstrap(table_a: CountTable, table_b: CountTable, metric: Metric, n_resamples: int,
                     seed: int, alpha: float = 0.05) -> Comparison:
    va, vb = _pair(table_a, table_b, metric)
    a, b = float(metric(va.sum(axis=0))[0]), float(metric(vb.sum(axis=0))[0])
    sa, sb = _resampled_sums([va, vb], n_resamples, seed)
    diffs = metric(sa) - metric(sb)
    return Comparison(metric.name, a, b, a - b, _percentile(diffs, alpha), _p_value(diffs - (a - b), a - b),
                      "paired_bootstrap", n_resamples, seed)


def approximate_randomization(table_a: CountTable, table_b: CountTable, metric: Metric, n_resamples: int,
                              seed: int, alpha: float = 0.05) -> Comparison:
    va, vb = _pair(table_a, table_b, metric)
    _check(len(va), n_resamples)
    ta, tb = va.sum(axis=0), vb.sum(axis=0)
    a, b = float(metric(ta)[0]), float(metric(tb)[0])
    delta, rng, diffs = vb - va, _rng(seed), []
    with _one_blas_thread():
        for k in _chunks(len(va), n_resamples):
            swap = rng.integers(0, 2, size=(k, len(va)), dtype=np.uint8).astype(np.float64) @ delta
            diffs.append(metric(ta + swap) - metric(tb - swap))
    boot = paired_bootstrap(table_a, table_b, metric, n_resamples, seed, alpha)
    return Comparison(metric.name, a, b, a - b, boot.interval, _p_value(np.concatenate(diffs), a - b),
                      "approximate_randomization", n_resamples, seed)
