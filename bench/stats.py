"""Confidence intervals and paired significance tests over count tables.

All procedures resample (or swap) whole units, the rows of a CountTable: documents,
sentences or (document, claim) pairs, and re-evaluate the vectorised metrics on
summed counts, so a resample costs one matrix product.  Random numbers come from
``np.random.Generator(np.random.PCG64(seed))`` drawn in a fixed order: same table +
seed -> identical output.  The exact permutation test draws none.

Notation: A and B are two systems scored on the same n units, a_i and b_i their count
rows for unit i, m the metric (a function of column sums) and d = m(sum a) - m(sum b)
the observed difference.  All p-values are two-sided.

* ``bootstrap``: percentile bootstrap (Efron) of each metric: units drawn n times with
  replacement, the interval between the alpha/2 and 1 - alpha/2 quantiles of the
  resamples in which the metric is defined.  How the draws are made depends only on
  the table: below 1,024 units, or where most rows are distinct, each of the n draws
  picks a unit; a bigger table of few distinct rows (100,000 documents: 1.5 million
  sentences, 48,000 distinct count rows) draws how often each distinct row is picked,
  Multinomial(n, n_k / n) for the n_k units sharing row k, the same distribution at a
  cost that grows with the distinct rows instead of n (``_pattern_draws``).  Such a
  table is drawn on its own, so its interval never depends on the other tables.

* ``permutation_test``: the paired permutation (sign-flip) test (Fisher; Noreen 1989,
  "approximate randomization" when sampled; Riezler & Maxwell 2005 for NLP).  Under
  H0 "A's and B's outputs are exchangeable on every unit", swapping a_i and b_i on any
  set S of units is as likely as the observed data, so with
  d*(S) = m(sum a with a_i <-> b_i for i in S) - m(... b ...), the p-value is

      p = #{S : |d*(S)| >= |d|} / 2^n.

  Units with a_i == b_i do not change under a swap and are set aside (every count
  is multiplied by the same 2^z).  When at most ``EXACT_MAX_UNITS`` = 20 units differ,
  all 2^m swap patterns of the m that differ are enumerated: the test is EXACT,
  deterministic, and P(p <= alpha) <= alpha under H0 for every n.  Swapping the
  complement of S exchanges A* and B*, so d*(complement) = -d*(S) and only the half
  with the first unit in place is computed.  The smallest p-value the data can give
  is (#S with |d*(S)| at its maximum) / 2^m: 2 / 2^m when all patterns differ, 1/16
  with five documents, so alpha = 0.05 cannot be reached with four or five.  With
  more units, R = ``n_resamples`` random swap patterns (each unit swapped with
  probability 1/2, seeded) give the Monte Carlo p = (1 + #{|d*| >= |d|}) / (R + 1),
  also valid at every n (the observed pattern counts as one of R + 1 exchangeable
  ones; Davison & Hinkley 1997, ch. 4), smallest value 1 / (R + 1).

* ``paired_bootstrap``: the paired bootstrap-t test.  Both systems are resampled with
  the same units (the draws ``bootstrap`` makes for this seed); the interval is the
  percentile interval of d* = m(A*) - m(B*).  The p-value follows the shifted-null
  bootstrap of Berg-Kirkpatrick, Burkett & Klein (2012) (Koehn 2004's paired
  bootstrap with the null made explicit: the bootstrap distribution of d* - d stands
  in for that of d under H0), applied to the studentized statistic, as Hall & Wilson
  (1991) recommend:

      t = d / se,   t* = (d* - d) / se*,   p = (1 + #{|t*| >= |t|}) / (R + 1),

  where se is the delta-method standard error of d on the data (se* on each
  resample): with g_A, g_B the metric's gradient at the summed counts (central
  differences), L_i = g_A.a_i - g_B.b_i and se^2 = sum_i w_i (L_i - mean_w L)^2 over the
  (re)sample's unit weights w.  0/0 counts as t = 0, x/0 as infinite.  Why not the
  plain shifted test p = (1 + #{|d* - d| >= |d|}) / (R + 1): the bootstrap spread of d*
  has the plug-in variance ((n-1)/n of the unbiased one) and near-normal tails, while
  d / se at small n is closer to Student's t: the plain test acts as a z-test with a
  shrunken standard error, and rejects a true null far more often than alpha at small
  n: 11-16% of the time with 5 units, 8.5-10% with 10, 8% with 15, still about 6% with
  30-60 units of skewed size, in simulations of two systems from one noise process
  scored by micro-F1 (2,000-3,000 pairs each; issue 10 saw 13-14% with five documents).
  Studentizing corrects both to first order: the bootstrap-t rejected 2-6.3% in the
  same simulations from 5 units up, and is within binomial noise of 5% at 10 and 30
  documents and 200 sentences or pairs (tests/test_stats_calibration.py).
  The test is refused below ``BOOTSTRAP_MIN_UNITS`` = 10 units, where a bootstrap
  distribution has too few distinct resamples to stand in for a null (with three
  documents it can report p = 1/(R+1) where no test can be sure); use the exact
  permutation test there.  Its smallest p-value is 1 / (R + 1).

Undefined figures (NaN, e.g. precision without predictions): an observed difference
that is NaN has no p-value (None).  A swap pattern or resample whose statistic is NaN is
left out of both counts, numerator and denominator: the p-value is then conditional
on the statistic being defined, which keeps the permutation test exact (the observed
pattern is uniform over the defined ones under H0).  Intervals are quantiles of the
defined resamples (NaN when there are none).

References: Noreen (1989) Computer-Intensive Methods for Testing Hypotheses; Hall &
Wilson (1991) Two guidelines for bootstrap hypothesis testing, Biometrics 47;
Davison & Hinkley (1997) Bootstrap Methods and their Application; Koehn (2004)
Statistical significance tests for machine translation evaluation, EMNLP; Riezler &
Maxwell (2005) On some pitfalls in automatic evaluation and significance testing for
MT, ACL workshop; Berg-Kirkpatrick, Burkett & Klein (2012) An empirical investigation
of statistical significance in NLP, EMNLP; Dror, Baumer, Shlomov & Reichart (2018) The
hitchhiker's guide to testing statistical significance in NLP, ACL (a survey).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from bench.scoring.base import _STORED, CountTable, Metric

_CHUNK = 1 << 23  # random draws per chunk: bounds memory at ~64 MiB per array
_WEIGHT_BLOCK = 1 << 20  # weight-matrix entries held at once (8 MB of float64)
_TIE = 1e-12  # relative slack so float rounding never breaks |diff*| >= |diff| ties
_STEP = 1e-6  # relative step of the numerical gradient in the bootstrap-t standard error
EXACT_MAX_UNITS = 20  # the permutation test enumerates all 2^n swaps up to this many units
BOOTSTRAP_MIN_UNITS = 10  # below this the bootstrap-t test is refused (not shown to be calibrated)


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Comparison:
    """One paired test of metric(A) - metric(B); undefined figures are NaN, an undefined
    p-value (the observed difference is NaN) is None."""

    metric: str
    a: float
    b: float
    diff: float  # a - b
    interval: Interval  # paired-bootstrap percentile (1 - alpha) interval of the difference
    p_value: float | None  # two-sided
    method: str  # "exact permutation", "Monte Carlo permutation" or "paired bootstrap-t"
    n_resamples: int  # bootstrap resamples (interval, bootstrap-t) and Monte Carlo draws
    seed: int
    unit: str  # what one unit is: "document", "sentence", "pair", ...
    n_units: int
    n_differ: int  # units whose counts differ between A and B (the others cannot move the test)
    n_null: int  # null statistics the p-value is counted over (swap patterns or defined resamples)
    min_p: float  # the smallest p-value this method can give on these units
    alpha: float

    @property
    def alpha_unreachable(self) -> bool:
        """True when no outcome of this test on these units could give p <= alpha."""
        return self.min_p > self.alpha


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


def _in_order(draws: Iterator[np.ndarray], weigh: Callable[[np.ndarray], np.ndarray],
              threads: int = 2) -> Iterator[np.ndarray]:
    """``weigh(chunk)`` of each drawn chunk, in draw order, computed by ``threads`` threads:
    each draws the next chunk in turn (one random stream, drawn in its fixed order), then
    weighs it while the other draws; numpy releases the GIL for most of both."""
    import threading
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    def job(mine: threading.Event, after: threading.Event) -> np.ndarray | None:
        mine.wait()  # the chunk before this one is drawn
        try:
            idx = next(draws, None)
        finally:
            after.set()
        return None if idx is None else weigh(idx)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        queue: deque = deque()
        last = threading.Event()
        last.set()

        def submit() -> None:
            nonlocal last
            after = threading.Event()
            queue.append(pool.submit(job, last, after))
            last = after

        for _ in range(threads):  # FIFO: job i starts after job i - 1, so each turn comes
            submit()
        while queue and (w := queue.popleft().result()) is not None:
            submit()
            yield w


def _unit_weights(n_units: int) -> Callable[[np.ndarray], Iterator[np.ndarray]]:
    """A drawn chunk as blocks of (rows, n_units) float matrices: how often each unit is
    drawn in each resample (blocks of at most 8 MB, however many units)."""
    block = max(1, _WEIGHT_BLOCK // n_units)

    def weigh(idx: np.ndarray) -> Iterator[np.ndarray]:
        for a in range(0, len(idx), block):
            part = idx[a:a + block]
            w = np.empty((len(part), n_units))
            for r in range(len(part)):  # row-wise bincount keeps the bins cache-resident
                w[r] = np.bincount(part[r], minlength=n_units)
            yield w
    return weigh


_MIN_PATTERN_UNITS = 1024  # smaller tables are always drawn unit by unit
_RARE = 8  # a pattern held by fewer units is drawn unit by unit: one binomial costs ~8 unit draws


def _rare_split(pattern: np.ndarray, n_patterns: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(units per pattern, the frequent patterns, each rare unit's pattern in unit order): a
    pattern held by fewer than ``_RARE`` units is rare."""
    sizes = np.bincount(pattern, minlength=n_patterns)
    return sizes, np.flatnonzero(sizes >= _RARE), pattern[sizes[pattern] < _RARE].astype(np.int64)


def _pattern_draws(pattern: np.ndarray, n_patterns: int, n_resamples: int, rng: np.random.Generator
                   ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The draws of a resample of n units as counts per pattern, without drawing each unit:
    the counts are Multinomial(n, n_k / n) over the patterns' sizes n_k, the distribution
    of drawing n units with replacement.  Drawn in two parts: r, how many of the n draws
    fall on the units of rare patterns (``_rare_split``), is Binomial(n, rare share); the
    other n - r are Multinomial over the frequent patterns; the r are drawn unit by unit
    among the rare units.  Yields (r, frequent counts, rare unit indices) per chunk of
    resamples, in a fixed order from ``rng``; the chunk sizes depend only on the table, so
    the same table and seed give the same numbers."""
    n = len(pattern)
    sizes, frequent, rare_pattern = _rare_split(pattern, n_patterns)
    n_rare = len(rare_pattern)
    p_frequent = sizes[frequent] / max(n - n_rare, 1)
    rows = max(1, min(_WEIGHT_BLOCK // n_patterns, _CHUNK // max(n_rare, 1)))
    for start in range(0, n_resamples, rows):
        b = min(rows, n_resamples - start)
        r = rng.binomial(n, n_rare / n, size=b) if n_rare else np.zeros(b, np.int64)
        counts = rng.multinomial(n - r, p_frequent) if len(p_frequent) else np.zeros((b, 0), np.int64)
        yield r, counts, rng.integers(0, n_rare, size=int(r.sum()), dtype=np.int32) if n_rare else np.zeros(0, np.int32)


def _pattern_weights(pattern: np.ndarray, n_patterns: int) -> Callable[[tuple], Iterator[np.ndarray]]:
    """A chunk of ``_pattern_draws`` as one (rows, n_patterns) matrix: how often each pattern
    is drawn in each resample."""
    _, frequent, rare_pattern = _rare_split(pattern, n_patterns)

    def weigh(drawn: tuple) -> Iterator[np.ndarray]:
        r, counts, idx = drawn
        b = len(r)
        flat = np.repeat(np.arange(b, dtype=np.int64) * n_patterns, r) + rare_pattern[idx]
        w = np.bincount(flat, minlength=b * n_patterns).reshape(b, n_patterns).astype(np.float64)
        w[:, frequent] = counts
        yield w
    return weigh


def _whole(weigh: Callable[[np.ndarray], Iterator[np.ndarray]]) -> Callable[[np.ndarray], np.ndarray]:
    return lambda idx: np.concatenate(list(weigh(idx)))


def _patterns(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(pattern of each unit, distinct rows) of a table to draw as counts of its distinct
    rows (``_pattern_draws``): most sentences look alike (all zeros, one correct PERSON,
    ...), so the work per resample no longer scales with units x fields.  Count tables
    hold small multiples of 1/4, so every bootstrap sum is exact in float64 whatever the
    order of additions.  None (draw unit by unit) below ``_MIN_PATTERN_UNITS`` units,
    when the values are not such counts, or when too few rows repeat for it to pay.
    """
    n = len(values)
    if n < _MIN_PATTERN_UNITS or values.size == 0:
        return None
    # row blocks keep the temporaries small (page faults dominate on fresh big arrays)
    block = 1 << 16
    weights = np.random.Generator(np.random.PCG64(0)).integers(1, 2 ** 62, size=values.shape[1], dtype=np.int64)
    key = np.empty(n, np.int64)
    # whole counts (a compact table) need no check, and in wrapping int64 arithmetic 4 x
    # their hash is the hash of their quarters: the same keys, without the copies
    whole = values.dtype.kind == "u" and values.dtype.itemsize <= 4
    for a in range(0, n, block):
        part = values[a:a + block]
        if whole:
            if not float(part.max()) * 4 * n < 2.0 ** 52:
                return None
            key[a:a + block] = (part @ weights) * 4
            continue
        quarters = np.multiply(part, 4, dtype=np.float64)
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
    for a in range(0, n, block):  # the grouping must be exact: equal hash, equal row (compared as stored)
        if not np.array_equal(distinct[inverse[a:a + block]], values[a:a + block]):
            return None  # a hash collision: take the general path
    return inverse, distinct.astype(np.float64)


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


Draws = Callable[[int, np.random.Generator], Iterator]


def _weighing(values: Sequence[np.ndarray]) -> tuple[list[np.ndarray], Draws, Callable[..., Iterator[np.ndarray]]]:
    """(rows, draws, weigh): for each array the rows to weight, how ``n_resamples`` are
    drawn from a generator, and how a drawn chunk becomes blocks of weight matrices ``w``
    (one row per resample) such that ``w @ rows[j]`` are those resamples' sums of
    ``values[j]``.  Big tables with few distinct rows (``_joint_patterns``) are drawn as
    counts of their distinct rows (``_pattern_draws``); every other table unit by unit."""
    found = _joint_patterns(values)
    n = len(values[0])
    if found is None:
        return ([v.astype(np.float64, copy=False) for v in values], lambda b, rng: _draws(n, b, rng),
                _unit_weights(n))
    pattern, distinct = found
    k = len(distinct[0])
    return distinct, lambda b, rng: _pattern_draws(pattern, k, b, rng), _pattern_weights(pattern, k)


def _weight_chunks(values: Sequence[np.ndarray], n_resamples: int, seed: int
                   ) -> tuple[list[np.ndarray], Iterator[np.ndarray]]:
    """The bootstrap resamples of (n_units, k) arrays over the same units, as weights:
    (rows, chunks), ``_weighing``'s rows and an iterator of (b, len(rows)) weight
    matrices, in draw order.  Call it inside ``_one_blas_thread``."""
    n = len(values[0])
    _check(n, n_resamples)
    rows, draws, weigh = _weighing(values)
    return rows, _in_order(draws(n_resamples, _rng(seed)), _whole(weigh))


def _resampled_sums(values: Sequence[np.ndarray], n_resamples: int, seed: int,
                    tick: Callable[[int], object] | None = None) -> list[np.ndarray]:
    """Bootstrap sums (n_resamples, k) for each (n_units, k) array, all with the same draws;
    ``tick(b)`` after each chunk of b resamples (a progress bar)."""
    # compact tables (``CountTable.compact``) stay compact: ``_weighing`` converts what it multiplies
    values = [v if isinstance(v, np.ndarray) and v.dtype in _STORED else np.asarray(v, dtype=np.float64)
              for v in values]
    n = len(values[0])
    _check(n, n_resamples)
    acc: list[list[np.ndarray]] = [[] for _ in values]
    with _one_blas_thread():
        rows, draws, weigh = _weighing(values)

        def sums(idx: np.ndarray) -> list[np.ndarray]:  # in the drawing thread: one weight block held at a time
            out: list[list[np.ndarray]] = [[] for _ in rows]
            for w in weigh(idx):
                for o, r in zip(out, rows):
                    o.append(w @ r)
            return [np.concatenate(o) for o in out]

        for chunk in _in_order(draws(n_resamples, _rng(seed)), sums):
            for a, c in zip(acc, chunk):
                a.append(c)
            if tick is not None:
                tick(len(chunk[0]))
    return [np.concatenate(a) for a in acc]


def _percentile(samples: np.ndarray, alpha: float) -> Interval:
    """Percentile interval of the defined samples: a resample in which the figure is
    undefined (NaN) is left out; none defined gives Interval(nan, nan)."""
    undefined = np.isnan(samples)
    if undefined.any():
        samples = samples[~undefined]
        if not len(samples):
            return Interval(float("nan"), float("nan"))
    low, high = np.quantile(samples, [alpha / 2, 1 - alpha / 2])
    return Interval(float(low), float(high))


def _needed(table: CountTable, metrics: Sequence[Metric]) -> tuple[list[int], np.ndarray]:
    """The columns the metrics read (in table order) and the values a bootstrap of them draws
    from: the table as is when it holds just those fields (as evaluate's sentence tables do)."""
    cols = sorted({table.column(f) for m in metrics for f in m.fields})
    return cols, table.values if cols == list(range(len(table.fields))) else table.values[:, cols]


def bootstrap(table: CountTable, metrics: Sequence[Metric], n_resamples: int, seed: int,
              alpha: float = 0.05) -> dict[str, Interval]:
    """Percentile-bootstrap (1 - alpha) interval of each metric, resampling units."""
    return bootstrap_many([(table, metrics)], n_resamples, seed, alpha)[0]


def bootstrap_many(jobs: Sequence[tuple[CountTable, Sequence[Metric]]], n_resamples: int, seed: int,
                   alpha: float = 0.05, progress: bool = False) -> list[dict[str, Interval]]:
    """``bootstrap`` of several (table, metrics) at once, with identical results.

    Small tables over the same units (e.g. every task's document table on a small
    corpus) would draw the very same resamples from the same seed, so they are resampled
    together: one set of draws instead of one per table.  ``progress``: a tqdm bar over
    the resamples.
    """
    from tqdm import tqdm

    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    out: list[dict[str, Interval]] = [{} for _ in jobs]
    groups: dict[tuple[str, ...], list[int]] = {}
    for j, (table, metrics) in enumerate(jobs):
        if metrics:
            groups.setdefault(table.units, []).append(j)
    # a table that may be drawn as pattern counts (``_weighing``) is drawn alone: its interval
    # then depends on its own rows, not on which other tables share its units
    batches = [batch for members in groups.values()
               for batch in ([members] if len(jobs[members[0]][0].units) < _MIN_PATTERN_UNITS
                             else [[j] for j in members])]
    bar = tqdm(total=n_resamples * len(batches), desc="bootstrap", unit="resample", disable=not progress, leave=False)
    for members in batches:
        needed = [_needed(*jobs[j]) for j in members]
        sums = _resampled_sums([v for _, v in needed], n_resamples, seed, bar.update)
        for j, (c, _), s in zip(members, needed, sums):
            table, metrics = jobs[j]
            pos = {col: i for i, col in enumerate(c)}
            out[j] = {m.name: _percentile(m(s[:, [pos[table.column(f)] for f in m.fields]]), alpha) for m in metrics}
    bar.close()
    return out


def _pair(table_a: CountTable, table_b: CountTable, metric: Metric) -> tuple[np.ndarray, np.ndarray]:
    if table_a.task != table_b.task:
        raise ValueError(f"cannot compare a {table_a.task!r} table with a {table_b.task!r} table")
    if table_a.units != table_b.units:
        raise ValueError("the two tables must have the same units in the same order "
                         f"({len(table_a.units)} vs {len(table_b.units)} units)")
    va = np.ascontiguousarray(table_a.values[:, table_a.columns(metric.fields)], dtype=np.float64)
    vb = np.ascontiguousarray(table_b.values[:, table_b.columns(metric.fields)], dtype=np.float64)
    return va, vb


def _extreme(null: np.ndarray, stat: float) -> np.ndarray:
    """Which null statistics are at least as extreme as ``stat`` (two-sided, with float slack;
    NaN counts as not extreme, and the callers drop NaN from the count anyway)."""
    s = abs(stat)
    with np.errstate(invalid="ignore"):
        return np.abs(null) >= (s - _TIE * max(1.0, s) if np.isfinite(s) else s)


def _mc_p(null: np.ndarray, stat: float) -> tuple[float | None, float, int]:
    """(add-one p-value, smallest reachable p, number of defined null statistics) of a
    Monte Carlo test; resamples whose statistic is undefined (NaN) are left out."""
    null = null[~np.isnan(null)]
    min_p = 1.0 / (len(null) + 1)
    if np.isnan(stat):
        return None, min_p, len(null)
    return float((_extreme(null, stat).sum() + 1) / (len(null) + 1)), min_p, len(null)


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")


# ---- paired permutation test ---------------------------------------------------

def _swap_sums(bits: np.ndarray, delta: np.ndarray, ta: np.ndarray, tb: np.ndarray,
               metric: Metric) -> np.ndarray:
    """diff* for each row of ``bits`` (1 = that unit's rows swapped between A and B)."""
    shift = bits.astype(np.float64) @ delta
    with np.errstate(invalid="ignore", divide="ignore"):
        return metric(ta + shift) - metric(tb - shift)


def _exact_null(delta: np.ndarray, ta: np.ndarray, tb: np.ndarray, metric: Metric) -> np.ndarray:
    """diff* under every swap pattern of the units in ``delta`` that keeps the first unit in
    place: the other half are their complements, whose diff* is exactly the negative
    (A and B trade places), so |diff*| over this half has the same distribution."""
    m = len(delta)
    if m == 0:
        return _swap_sums(np.zeros((1, 0), np.uint8), delta, ta, tb, metric)
    free = m - 1
    out, block = [], max(1, _CHUNK // max(free, 1))
    shifts = np.arange(free, dtype=np.int64)
    for lo in range(0, 1 << free, block):
        codes = np.arange(lo, min(lo + block, 1 << free), dtype=np.int64)
        bits = np.zeros((len(codes), m), np.uint8)
        bits[:, 1:] = (codes[:, None] >> shifts) & 1
        out.append(_swap_sums(bits, delta, ta, tb, metric))
    return np.concatenate(out)


def permutation_test(table_a: CountTable, table_b: CountTable, metric: Metric, n_resamples: int, seed: int,
                     alpha: float = 0.05, unit: str = "unit", exact_max: int = EXACT_MAX_UNITS) -> Comparison:
    """Two-sided paired permutation test of metric(A) - metric(B), see the module docstring.

    Exact (all 2^m swap patterns) when at most ``exact_max`` units have different rows in
    A and B, Monte Carlo with ``n_resamples`` seeded draws otherwise.  The interval is the
    paired-bootstrap percentile interval (``n_resamples``, ``seed``) of the difference.
    """
    _check_alpha(alpha)
    va, vb = _pair(table_a, table_b, metric)
    _check(len(va), n_resamples)
    ta, tb = va.sum(axis=0), vb.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        a, b = float(metric(ta)[0]), float(metric(tb)[0])
    diff = a - b
    differ = np.flatnonzero(np.any(va != vb, axis=1))  # swapping any other unit changes nothing
    delta = vb[differ] - va[differ]
    with _one_blas_thread():
        if len(differ) <= exact_max:
            null = _exact_null(delta, ta, tb, metric)
            defined = null[~np.isnan(null)]
            if len(defined):
                top = float(np.abs(defined).max())
                min_p = float(_extreme(defined, top).sum() / len(defined))
            else:
                min_p = 1.0
            p = None if np.isnan(diff) or not len(defined) else float(_extreme(defined, diff).sum() / len(defined))
            method, n_null = "exact permutation", 2 * len(defined) if len(differ) else 1
        else:
            rng, parts = _rng(seed), []
            for k in _chunks(len(differ), n_resamples):
                parts.append(_swap_sums(rng.integers(0, 2, size=(k, len(differ)), dtype=np.uint8), delta, ta, tb,
                                        metric))
            p, min_p, n_null = _mc_p(np.concatenate(parts), diff)
            method = "Monte Carlo permutation"
    interval = _percentile(_paired_diffs(va, vb, metric, n_resamples, seed), alpha)
    return Comparison(metric.name, a, b, diff, interval, p, method, n_resamples, seed, unit, len(va),
                      len(differ), n_null, min_p, alpha)


# ---- paired bootstrap (studentized, shifted) -------------------------------------

def _paired_diffs(va: np.ndarray, vb: np.ndarray, metric: Metric, n_resamples: int, seed: int) -> np.ndarray:
    sa, sb = _resampled_sums([va, vb], n_resamples, seed)
    with np.errstate(invalid="ignore", divide="ignore"):
        return metric(sa) - metric(sb)


def _gradient(metric: Metric, sums: np.ndarray) -> np.ndarray:
    """d metric / d sums, (b, k), by central differences with a step relative to each sum.

    A zero sum gets a zero derivative: counts are non-negative, so every unit in the
    (re)sample has a 0 there and the direction never enters a linearisation."""
    b, k = sums.shape
    h = _STEP * np.abs(sums)  # (b, k)
    steps = np.zeros((2, k, b, k))  # [up/down, field, resample, field]: one metric call for all
    eye = np.arange(k)
    steps[0, eye, :, eye] = h.T
    steps[1, eye, :, eye] = -h.T
    points = sums[None, None] + steps
    span = (points[0, eye, :, eye] - points[1, eye, :, eye]).T  # the step actually taken, (b, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = metric(points.reshape(2 * k * b, k)).reshape(2, k, b)
        grad = (values[0] - values[1]).T / np.where(h > 0, span, 1.0)
    return np.where(h > 0, grad, 0.0)


def _studentized(w: np.ndarray, ra: np.ndarray, rb: np.ndarray, metric: Metric
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(diff, standard error) for each weighting ``w`` (b, rows) of the rows ``ra``/``rb``.

    The standard error is the delta method's (the nonparametric "infinitesimal
    jackknife"): with g_A, g_B the metric's gradient at the weighted sums, each unit's
    influence is L_i = g_A.a_i - g_B.b_i and se^2 = sum_i w_i (L_i - mean_w L)^2."""
    sa, sb = w @ ra, w @ rb
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = metric(sa) - metric(sb)
    infl = _gradient(metric, sa) @ ra.T - _gradient(metric, sb) @ rb.T  # (b, rows)
    n = w.sum(axis=1)
    mean = (w * infl).sum(axis=1) / n
    se = np.sqrt((w * (infl - mean[:, None]) ** 2).sum(axis=1))
    return diff, se


def _t(dev: np.ndarray, se: np.ndarray) -> np.ndarray:
    """dev / se with 0/0 = 0 (no deviation and no spread) and x/0 = +-inf."""
    with np.errstate(invalid="ignore", divide="ignore"):
        t = dev / se
    return np.where((dev == 0) & (se == 0), 0.0, t)


def paired_bootstrap(table_a: CountTable, table_b: CountTable, metric: Metric, n_resamples: int, seed: int,
                     alpha: float = 0.05, unit: str = "unit") -> Comparison:
    """Two-sided paired bootstrap-t test of metric(A) - metric(B), see the module docstring.

    Both systems are resampled with the same units (as ``bootstrap`` draws the two tables
    side by side); the interval is the percentile interval of diff* = m(A*) - m(B*).
    """
    _check_alpha(alpha)
    va, vb = _pair(table_a, table_b, metric)
    _check(len(va), n_resamples)
    if len(va) < BOOTSTRAP_MIN_UNITS:
        raise ValueError(f"the paired bootstrap test needs at least {BOOTSTRAP_MIN_UNITS} units, got {len(va)} "
                         f"{unit}{'' if len(va) == 1 else 's'}; use the permutation test")
    ones = np.ones((1, len(va)))
    with _one_blas_thread():
        _, se0 = _studentized(ones, va, vb, metric)
        with np.errstate(invalid="ignore", divide="ignore"):
            a, b = float(metric(va.sum(axis=0))[0]), float(metric(vb.sum(axis=0))[0])
        diff = a - b
        rows, chunks = _weight_chunks([va, vb], n_resamples, seed)
        diffs, ts = [], []
        # bounds the (resamples, rows) influence matrix and the (2k, resamples, k) gradient points
        step = max(1, (1 << 20) // max(len(rows[0]), 2 * va.shape[1] ** 2))
        for chunk in chunks:
            for lo in range(0, len(chunk), step):
                d, se = _studentized(chunk[lo:lo + step], rows[0], rows[1], metric)
                diffs.append(d)
                ts.append(_t(d - diff, se))
    diffs_all, t_null = np.concatenate(diffs), np.concatenate(ts)
    t_obs = float(_t(np.array([diff]), se0)[0]) if not np.isnan(diff) else float("nan")
    p, min_p, n_null = _mc_p(t_null, t_obs)
    differ = int(np.any(va != vb, axis=1).sum())
    return Comparison(metric.name, a, b, diff, _percentile(diffs_all, alpha), p, "paired bootstrap-t",
                      n_resamples, seed, unit, len(va), differ, n_null, min_p, alpha)


def paired_diff_se(table_a: CountTable, table_b: CountTable, metric: Metric, n_resamples: int, seed: int) -> float:
    """The paired-bootstrap standard error of metric(A) - metric(B) (NaN when undefined);
    what `bench power` turns into a minimum detectable difference."""
    va, vb = _pair(table_a, table_b, metric)
    diffs = _paired_diffs(va, vb, metric, n_resamples, seed)
    diffs = diffs[~np.isnan(diffs)]
    return float(np.std(diffs, ddof=1)) if len(diffs) > 1 else float("nan")


METHODS = ("permutation", "bootstrap")


def paired_test(table_a: CountTable, table_b: CountTable, metric: Metric, method: str = "permutation",
                n_resamples: int = 10000, seed: int = 12345, alpha: float = 0.05, unit: str = "unit") -> Comparison:
    """``permutation_test`` or ``paired_bootstrap`` by name (one of ``METHODS``)."""
    if method == "permutation":
        return permutation_test(table_a, table_b, metric, n_resamples, seed, alpha, unit)
    if method == "bootstrap":
        return paired_bootstrap(table_a, table_b, metric, n_resamples, seed, alpha, unit)
    raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
