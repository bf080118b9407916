import numpy as np
import pytest

import bench.stats as stats
from bench.scoring.base import CountTable, Metric, prf_metrics, ratio
from bench.stats import Interval, approximate_randomization, bootstrap, paired_bootstrap

ACC = Metric("acc", ("correct", "n"), lambda s: ratio(s[:, 0], s[:, 1]))


def acc_table(correct, task="t"):
    correct = np.asarray(correct, dtype=float)
    values = np.stack([correct, np.ones_like(correct)], axis=1)
    return CountTable(task, ("correct", "n"), tuple(f"u{i}" for i in range(len(correct))), values)


def test_bootstrap_is_deterministic_and_seed_dependent():
    t = acc_table(np.random.default_rng(0).integers(0, 2, 40))
    a = bootstrap(t, [ACC], 500, seed=1)
    assert a == bootstrap(t, [ACC], 500, seed=1)
    assert a != bootstrap(t, [ACC], 500, seed=2)


def test_bootstrap_equals_textbook_resampling():
    t = acc_table(np.random.default_rng(5).integers(0, 2, 25))
    idx = np.random.Generator(np.random.PCG64(9)).integers(0, 25, size=(300, 25))
    accs = t.values[idx, 0].sum(axis=1) / 25
    low, high = np.quantile(accs, [0.05, 0.95])
    assert bootstrap(t, [ACC], 300, seed=9, alpha=0.1)["acc"] == Interval(pytest.approx(low), pytest.approx(high))


def test_chunking_does_not_change_results(monkeypatch):
    t = acc_table(np.random.default_rng(1).integers(0, 2, 30))
    whole = bootstrap(t, [ACC], 200, seed=4)
    monkeypatch.setattr(stats, "_CHUNK", 70)  # two resamples per chunk
    assert bootstrap(t, [ACC], 200, seed=4) == whole


def test_interval_contains_point_estimate_and_is_degenerate_for_constant_units():
    rng = np.random.default_rng(2)
    tp = rng.integers(0, 5, 60)
    values = np.stack([tp, tp + rng.integers(0, 3, 60), tp + rng.integers(0, 3, 60)], axis=1)
    t = CountTable("t", ("tp", "pos", "act"), tuple(f"u{i}" for i in range(60)), values)
    metrics = prf_metrics("", "tp", "pos", "act")
    for m, iv in bootstrap(t, metrics, 1000, seed=0).items():
        point = next(x for x in metrics if x.name == m).point(t)
        assert iv.low <= point <= iv.high and iv.low < iv.high
    const = CountTable("t", ("tp", "pos", "act"), ("a", "b", "c"), np.tile([1.0, 2.0, 2.0], (3, 1)))
    assert bootstrap(const, metrics, 100, seed=0)["f1"] == Interval(0.5, 0.5)


def test_bootstrap_argument_checks():
    t = acc_table([1, 0])
    assert bootstrap(t, [], 10, seed=0) == {}
    with pytest.raises(ValueError, match="alpha"):
        bootstrap(t, [ACC], 10, seed=0, alpha=1.5)
    with pytest.raises(ValueError, match="n_resamples"):
        bootstrap(t, [ACC], 0, seed=0)
    with pytest.raises(ValueError, match="no units"):
        bootstrap(acc_table([]), [ACC], 10, seed=0)
    with pytest.raises(KeyError):
        bootstrap(t, [Metric("x", ("missing",), lambda s: s[:, 0])], 10, seed=0)


@pytest.mark.parametrize("test", [paired_bootstrap, approximate_randomization])
def test_identical_systems_give_zero_diff_and_p_one(test):
    t = acc_table(np.random.default_rng(3).integers(0, 2, 30))
    c = test(t, t, ACC, 400, seed=7)
    assert (c.diff, c.p_value) == (0.0, 1.0)
    assert c.interval == Interval(0.0, 0.0)
    assert (c.metric, c.n_resamples, c.seed, c.method) == ("acc", 400, 7, test.__name__)


@pytest.mark.parametrize("test", [paired_bootstrap, approximate_randomization])
def test_dominating_system_is_significant(test):
    a, b = acc_table(np.ones(30)), acc_table(np.zeros(30))
    c = test(a, b, ACC, 999, seed=1)
    assert (c.a, c.b, c.diff) == (1.0, 0.0, 1.0)
    assert c.p_value == pytest.approx(1 / 1000)  # no resample reaches |diff| under the null
    assert c.interval == Interval(1.0, 1.0)
    assert test(a, b, ACC, 999, seed=1) == c


def test_single_unit_can_never_be_significant_under_randomization():
    # swapping the only unit gives diff* = +-1, always as extreme as the observed 1
    c = approximate_randomization(acc_table([1]), acc_table([0]), ACC, 100, seed=0)
    assert c.diff == 1.0 and c.p_value == 1.0


def test_small_difference_is_not_significant():
    rng = np.random.default_rng(4)
    base = rng.integers(0, 2, 50)
    other = base.copy()
    other[0] = 1 - other[0]
    for test in (paired_bootstrap, approximate_randomization):
        c = test(acc_table(base), acc_table(other), ACC, 500, seed=3)
        assert abs(c.diff) == pytest.approx(0.02) and c.p_value > 0.3
        assert c.interval.low <= c.diff <= c.interval.high


def test_comparisons_require_matching_units_and_task():
    with pytest.raises(ValueError, match="same units"):
        paired_bootstrap(acc_table([1, 0]), acc_table([1, 0, 1]), ACC, 10, seed=0)
    with pytest.raises(ValueError, match="cannot compare"):
        approximate_randomization(acc_table([1]), acc_table([1], task="other"), ACC, 10, seed=0)
