"""Calibration of the paired tests under the null hypothesis.

Each case simulates pairs of systems drawn from the SAME noise process (per unit a gold
count and a difficulty shared by both systems; each system's true positives and
predictions drawn independently given those), scores them with a real ratio metric
(micro-F1 from ``bench.scoring.base.prf_metrics``, or a three-class macro-F1 for
stance-like (document, claim) pairs) and counts how often the test gives p <= 0.05.
With no real difference that rate must be 5% up to binomial noise: the count of
rejections must lie in the central 99.9% interval of Binomial(N_PAIRS, 0.05), computed
exactly below ([7, 36] of 400, i.e. 1.75% to 9%).  A correct test may sit a little under 5% (the exact
test's p-values are multiples of 1/2^n), never above.

Every method and unit ``bench compare`` offers is covered, at unit counts where
alpha = 0.05 is reachable: the exact permutation test at 12 documents, the Monte Carlo
permutation test and the bootstrap-t at 30 documents and 200 sentences, the bootstrap-t
also at its smallest offered size (10 units) and on stance-like pairs.  The last test
shows the simulation has the power to see a miscalibrated test: the plain shifted
percentile bootstrap rejects far too often at 5 documents (about 15%).  Everything is seeded, so
the outcome is fixed; about 15 s on two slow cores.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench.scoring.base import CountTable, Metric, prf, prf_metrics
from bench.stats import _pair, _paired_diffs, paired_bootstrap, permutation_test

pytestmark = [pytest.mark.slow]

ALPHA = 0.05
N_PAIRS = 400
RESAMPLES = 199  # (R + 1) * alpha = 10 is a whole number: the Monte Carlo permutation test is exact in size
F1 = prf_metrics("", "tp", "pos", "act")[2]
CLASSES = 3
MACRO_FIELDS = tuple(f"{k}.{c}" for c in range(CLASSES) for k in ("tp", "pos", "act"))
MACRO_F1 = Metric("macro_f1", MACRO_FIELDS,
                  lambda s: np.mean([prf(s[:, 3 * c], s[:, 3 * c + 1], s[:, 3 * c + 2])[2] for c in range(CLASSES)],
                                    axis=0))


def binomial_band(n: int, p: float, level: float = 0.999) -> tuple[int, int]:
    """Central ``level`` interval [lo, hi] of Binomial(n, p): P(X < lo), P(X > hi) <= (1 - level) / 2."""
    tail = (1 - level) / 2
    pmf = [math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(n + 1)]
    cdf = np.cumsum(pmf)
    lo = int(np.searchsorted(cdf, tail, side="right"))  # first k with P(X <= k) > tail
    hi = int(np.searchsorted(cdf, 1 - tail, side="left"))  # first k with P(X <= k) >= 1 - tail
    return lo, hi


def _table(values: np.ndarray, fields=("tp", "pos", "act")) -> CountTable:
    return CountTable("sim", fields, tuple(f"u{i}" for i in range(len(values))), values)


def null_pair(rng: np.random.Generator, n: int, unit: str) -> tuple[CountTable, CountTable]:
    """Two systems from one noise process over n units (documents or sentences)."""
    if unit == "document":  # ~16 gold spans per document
        gold, spurious = 1 + rng.poisson(15, n), 3.0
    else:  # sentences: often none
        gold, spurious = rng.poisson(1.2, n), 0.3
    recall = rng.beta(7, 3, n)  # how hard each unit is, the same for both systems
    tables = []
    for _ in range(2):
        tp = rng.binomial(gold, recall)
        act = tp + rng.poisson(spurious, n)
        tables.append(_table(np.stack([tp, gold, act], axis=1).astype(float)))
    return tables[0], tables[1]


def null_stance_pair(rng: np.random.Generator, n: int) -> tuple[CountTable, CountTable]:
    """Two systems labelling n (document, claim) pairs with one of three classes."""
    gold = rng.integers(0, CLASSES, n)
    skill = rng.beta(6, 3, n)
    tables = []
    for _ in range(2):
        right = rng.random(n) < skill
        pred = np.where(right, gold, (gold + rng.integers(1, CLASSES, n)) % CLASSES)
        values = np.zeros((n, 3 * CLASSES))
        for c in range(CLASSES):
            values[:, 3 * c] = (gold == c) & (pred == c)
            values[:, 3 * c + 1] = gold == c
            values[:, 3 * c + 2] = pred == c
        tables.append(_table(values, MACRO_FIELDS))
    return tables[0], tables[1]


def rejections(test, n: int, unit: str, seed: int, metric: Metric = F1) -> tuple[int, set[str]]:
    rng = np.random.default_rng(seed)
    hits, methods = 0, set()
    for i in range(N_PAIRS):
        a, b = null_stance_pair(rng, n) if unit == "pair" else null_pair(rng, n, unit)
        c = test(a, b, metric, RESAMPLES, seed=i, alpha=ALPHA)
        assert not c.alpha_unreachable
        methods.add(c.method)
        hits += c.p_value <= ALPHA
    return hits, methods


def test_band_is_the_binomial_one():
    assert binomial_band(N_PAIRS, ALPHA) == (7, 36)
    assert binomial_band(200, ALPHA) == (2, 21)
    # the tails it leaves out hold at most 0.05% each
    n, p = N_PAIRS, ALPHA
    below = sum(math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(7))
    above = sum(math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(37, n + 1))
    assert below <= 0.0005 and above <= 0.0005
    assert below + math.comb(n, 7) * p ** 7 * (1 - p) ** (n - 7) > 0.0005


@pytest.mark.parametrize("test, n, unit, metric, method, seed", [
    (permutation_test, 12, "document", F1, "exact permutation", 1),
    (permutation_test, 30, "document", F1, "Monte Carlo permutation", 2),
    (permutation_test, 200, "sentence", F1, "Monte Carlo permutation", 3),
    (permutation_test, 200, "pair", MACRO_F1, "Monte Carlo permutation", 4),
    (paired_bootstrap, 10, "document", F1, "paired bootstrap-t", 5),
    (paired_bootstrap, 30, "document", F1, "paired bootstrap-t", 6),
    (paired_bootstrap, 200, "sentence", F1, "paired bootstrap-t", 7),
    (paired_bootstrap, 200, "pair", MACRO_F1, "paired bootstrap-t", 8),
], ids=lambda x: getattr(x, "__name__", None) if callable(x) else None)
def test_rejection_rate_under_the_null_is_alpha(test, n, unit, metric, method, seed):
    lo, hi = binomial_band(N_PAIRS, ALPHA)
    hits, methods = rejections(test, n, unit, seed, metric)
    assert methods == {method}
    assert lo <= hits <= hi, f"{method} at {n} {unit}s rejected {hits}/{N_PAIRS} true nulls (band [{lo}, {hi}])"


def _shifted_percentile(a, b, metric, n_resamples, seed, alpha):
    """The plain shifted test this module replaced: p = (1 + #{|d* - d| >= |d|}) / (R + 1)."""
    va, vb = _pair(a, b, metric)
    d = metric.point(a) - metric.point(b)
    diffs = _paired_diffs(va, vb, metric, n_resamples, seed)

    class C:
        alpha_unreachable = False
        method = "shifted percentile"
        p_value = (1 + np.sum(np.abs(diffs - d) >= abs(d) - 1e-12)) / (n_resamples + 1)
    return C


def test_the_simulation_detects_the_plain_shifted_bootstrap():
    # five documents, where issue 10 saw 13-14% false positives: the band's upper end is
    # 36 / 400, the plain shifted test rejects more than 1.5 times that
    hits, _ = rejections(_shifted_percentile, 5, "document", 5)
    assert hits > 1.5 * binomial_band(N_PAIRS, ALPHA)[1]
