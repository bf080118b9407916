import numpy as np
import pytest

import bench.stats as stats
from bench.scoring.base import CountTable, Metric, prf_metrics, ratio
from bench.stats import (BOOTSTRAP_MIN_UNITS, Interval, bootstrap, paired_bootstrap, paired_test,
                         permutation_test)

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


def frac_table(rows, task="t"):
    """Accuracy-like table: rows of (correct, n) per unit."""
    values = np.asarray(rows, dtype=float).reshape(-1, 2)
    return CountTable(task, ("correct", "n"), tuple(f"u{i}" for i in range(len(values))), values)


@pytest.mark.parametrize("test", [paired_bootstrap, permutation_test])
def test_identical_systems_give_zero_diff_and_p_one(test):
    t = acc_table(np.random.default_rng(3).integers(0, 2, 30))
    c = test(t, t, ACC, 400, seed=7)
    assert (c.diff, c.p_value) == (0.0, 1.0)
    assert c.interval == Interval(0.0, 0.0)
    assert (c.metric, c.n_resamples, c.seed, c.n_units, c.n_differ) == ("acc", 400, 7, 30, 0)
    # nothing differs: every swap (or resample) gives the same difference, so p = 1 is all it can give
    if test is permutation_test:
        assert (c.method, c.min_p, c.n_null) == ("exact permutation", 1.0, 1)


@pytest.mark.parametrize("test", [paired_bootstrap, permutation_test])
def test_dominating_system_is_significant(test):
    a, b = acc_table(np.ones(30)), acc_table(np.zeros(30))
    c = test(a, b, ACC, 999, seed=1)
    assert (c.a, c.b, c.diff) == (1.0, 0.0, 1.0)
    # only the observed pattern is this extreme: p at its floor 1/(R+1) (30 units: Monte Carlo)
    assert c.p_value == pytest.approx(1 / 1000) == c.min_p
    assert c.method == ("Monte Carlo permutation" if test is permutation_test else "paired bootstrap-t")
    assert c.interval == Interval(1.0, 1.0)
    assert test(a, b, ACC, 999, seed=1) == c


def test_exact_permutation_p_value_by_hand():
    # three units, accuracy = sum(correct) / sum(n); A - B = 3/4 - 1/4 = 1/2.  The 2^3 swap
    # patterns (1 = unit swapped) give d* = 000: +1/2, 100: -1/2, 010: 0, 001: +1, 110: -1,
    # 101: 0, 011: +1/2, 111: -1/2; |d*| >= 1/2 in 6 of 8, |d*| at its maximum 1 in 2 of 8.
    a, b = frac_table([(2, 2), (1, 1), (0, 1)]), frac_table([(0, 2), (0, 1), (1, 1)])
    c = permutation_test(a, b, ACC, 10, seed=0)
    assert (c.a, c.b, c.diff) == (0.75, 0.25, 0.5)
    assert (c.p_value, c.min_p, c.n_null, c.method) == (6 / 8, 2 / 8, 8, "exact permutation")
    # the data of pattern 001 as observed: the most extreme, so p = min p = 2/8
    a, b = frac_table([(2, 2), (1, 1), (1, 1)]), frac_table([(0, 2), (0, 1), (0, 1)])
    c = permutation_test(a, b, ACC, 10, seed=0)
    assert (c.diff, c.p_value, c.min_p) == (1.0, 0.25, 0.25)
    assert c.alpha_unreachable


def test_exact_permutation_ignores_units_that_do_not_differ():
    # units 3 and 4 are equal in A and B: swapping them changes nothing, p is the 3-unit one
    a = frac_table([(2, 2), (1, 1), (0, 1), (1, 3), (0, 2)])
    b = frac_table([(0, 2), (0, 1), (1, 1), (1, 3), (0, 2)])
    c = permutation_test(a, b, ACC, 10, seed=0)
    assert (c.n_units, c.n_differ, c.p_value, c.min_p, c.n_null) == (5, 3, 6 / 8, 2 / 8, 8)


def test_smallest_p_with_five_units_is_one_sixteenth():
    rng = np.random.default_rng(11)
    metrics = prf_metrics("", "tp", "pos", "act")
    tp, extra = rng.integers(1, 20, (2, 5)), rng.integers(1, 9, (2, 5))
    gold = tp.max(axis=0) + rng.integers(1, 9, 5)
    ta, tb = (CountTable("t", ("tp", "pos", "act"), tuple("abcde"), np.stack([tp[k], gold, tp[k] + extra[k]], 1))
              for k in (0, 1))
    c = permutation_test(ta, tb, metrics[2], 100, seed=0)
    assert c.method == "exact permutation" and c.n_differ == 5
    assert c.min_p == 1 / 16 and c.n_null == 32 and c.alpha_unreachable  # 2 / 2^5: alpha = 0.05 is out of reach
    assert c.p_value >= 1 / 16
    assert not permutation_test(ta, tb, metrics[2], 100, seed=0, alpha=0.1).alpha_unreachable


def test_exact_permutation_equals_brute_force_enumeration():
    import itertools

    rng = np.random.default_rng(8)
    f1 = prf_metrics("", "tp", "pos", "act")[2]
    for n in (1, 2, 4, 7, 9):
        gold = rng.integers(0, 5, n)
        rows = [np.stack([t, gold, t + rng.integers(0, 3, n)], 1).astype(float)
                for t in (rng.binomial(gold, 0.6), rng.binomial(gold, 0.6))]
        ta, tb = (CountTable("t", ("tp", "pos", "act"), tuple(map(str, range(n))), r) for r in rows)
        d = f1.point(ta) - f1.point(tb)
        null = []
        for s in itertools.product([False, True], repeat=n):
            s = np.array(s)[:, None]
            null.append(f1(np.where(s, rows[1], rows[0]).sum(0))[0] - f1(np.where(s, rows[0], rows[1]).sum(0))[0])
        null = np.abs(np.array(null))
        c = permutation_test(ta, tb, f1, 10, seed=0)
        assert c.p_value == pytest.approx(np.mean(null >= abs(d) - 1e-12), abs=1e-12)
        assert c.min_p == pytest.approx(np.mean(null >= null.max() - 1e-12), abs=1e-12)


def test_monte_carlo_beyond_twenty_differing_units_and_exact_up_to_it():
    rng = np.random.default_rng(6)
    base = rng.integers(0, 2, 21)
    flipped = 1 - base
    c21 = permutation_test(acc_table(base), acc_table(flipped), ACC, 199, seed=2)
    assert (c21.method, c21.n_differ, c21.n_null, c21.min_p) == ("Monte Carlo permutation", 21, 199, 1 / 200)
    other = flipped.copy()
    other[0] = base[0]  # 20 units differ: exact, 2^20 patterns, no seed involved
    c20 = permutation_test(acc_table(base), acc_table(other), ACC, 199, seed=2)
    assert (c20.method, c20.n_differ, c20.n_null) == ("exact permutation", 20, 1 << 20)
    assert c20.p_value == permutation_test(acc_table(base), acc_table(other), ACC, 199, seed=3).p_value


def test_tests_are_deterministic_and_seeded():
    rng = np.random.default_rng(12)
    a, b = acc_table(rng.integers(0, 2, 60)), acc_table(rng.integers(0, 2, 60))
    for test in (permutation_test, paired_bootstrap):
        c = test(a, b, ACC, 300, seed=4)
        assert test(a, b, ACC, 300, seed=4) == c
        other = test(a, b, ACC, 300, seed=5)
        assert (other.p_value, other.interval) != (c.p_value, c.interval)
    # both report the same paired-bootstrap interval for the same seed
    assert permutation_test(a, b, ACC, 300, seed=4).interval == paired_bootstrap(a, b, ACC, 300, seed=4).interval


def test_paired_interval_is_the_percentile_interval_of_paired_resamples():
    rng = np.random.default_rng(13)
    ca, cb = rng.integers(0, 2, 40), rng.integers(0, 2, 40)
    idx = np.random.Generator(np.random.PCG64(9)).integers(0, 40, size=(300, 40))
    diffs = (ca[idx].sum(axis=1) - cb[idx].sum(axis=1)) / 40
    low, high = np.quantile(diffs, [0.05, 0.95])
    c = paired_bootstrap(acc_table(ca), acc_table(cb), ACC, 300, seed=9, alpha=0.1)
    assert c.interval == Interval(pytest.approx(low), pytest.approx(high))


def test_bootstrap_t_p_value_by_hand():
    """The studentized statistic, recomputed without the library's resampling code."""
    rng = np.random.default_rng(14)
    ca, cb = rng.integers(0, 2, 25), rng.integers(0, 2, 25)
    n, R = 25, 400
    idx = np.random.Generator(np.random.PCG64(3)).integers(0, n, size=(R, n))
    d = (ca.sum() - cb.sum()) / n
    # accuracy with one unit per row: influence of unit i on the difference is (ca_i - cb_i - d) / n
    se = np.sqrt((((ca - cb) - d) ** 2).sum()) / n
    ds = (ca[idx].sum(axis=1) - cb[idx].sum(axis=1)) / n
    ses = np.sqrt(((((ca - cb)[idx]) - ds[:, None]) ** 2).sum(axis=1)) / n
    ts = (ds - d) / ses
    p = (1 + np.sum(np.abs(ts) >= abs(d / se) - 1e-12)) / (R + 1)
    c = paired_bootstrap(acc_table(ca), acc_table(cb), ACC, R, seed=3)
    assert c.diff == pytest.approx(d) and c.p_value == pytest.approx(p) and c.min_p == 1 / (R + 1)


def test_single_unit_can_never_be_significant_under_permutation():
    # swapping the only unit gives diff* = -1, as extreme as the observed 1
    c = permutation_test(acc_table([1]), acc_table([0]), ACC, 100, seed=0)
    assert (c.diff, c.p_value, c.min_p) == (1.0, 1.0, 1.0)


def test_bootstrap_is_refused_below_its_minimum_units():
    t = acc_table(np.ones(BOOTSTRAP_MIN_UNITS - 1))
    with pytest.raises(ValueError, match=f"at least {BOOTSTRAP_MIN_UNITS} units, got 9 units"):
        paired_bootstrap(t, t, ACC, 10, seed=0)
    t = acc_table(np.ones(BOOTSTRAP_MIN_UNITS))
    assert paired_bootstrap(t, t, ACC, 10, seed=0).p_value == 1.0


def test_small_difference_is_not_significant():
    rng = np.random.default_rng(4)
    base = rng.integers(0, 2, 50)
    other = base.copy()
    other[0] = 1 - other[0]
    for test in (paired_bootstrap, permutation_test):
        c = test(acc_table(base), acc_table(other), ACC, 500, seed=3)
        assert abs(c.diff) == pytest.approx(0.02) and c.p_value > 0.3
        assert c.interval.low <= c.diff <= c.interval.high


NAN_ACC = Metric("acc", ("correct", "n"), lambda s: np.divide(s[:, 0], s[:, 1], out=np.full(len(s), np.nan),
                                                              where=s[:, 1] != 0))


def test_undefined_observed_difference_has_no_p_value():
    empty = frac_table([(0, 0)] * 12)
    for test in (permutation_test, paired_bootstrap):
        c = test(empty, empty, NAN_ACC, 50, seed=0)
        assert np.isnan(c.diff) and c.p_value is None
        assert np.isnan(c.interval.low) and np.isnan(c.interval.high)


def test_undefined_null_statistics_are_left_out():
    # unit 0 holds all of B's items, unit 1 all of A's: swapping exactly one of them leaves
    # a system with nothing (NaN), so only 2 of the 4 patterns are defined, both as extreme
    a, b = frac_table([(0, 0), (1, 1)]), frac_table([(1, 2), (0, 0)])
    c = permutation_test(a, b, NAN_ACC, 10, seed=0)
    assert (c.diff, c.p_value, c.min_p, c.n_null) == (0.5, 1.0, 1.0, 2)
    # Monte Carlo: the same, with 22 copies of an undefined-free pair of units added
    rows_a, rows_b = [(0, 0), (1, 1)] + [(1, 1), (0, 1)] * 11, [(1, 2), (0, 0)] + [(0, 1), (1, 1)] * 11
    c = permutation_test(frac_table(rows_a), frac_table(rows_b), NAN_ACC, 300, seed=0)
    assert c.method == "Monte Carlo permutation" and c.n_null == 300  # no draw leaves a system empty
    c = paired_bootstrap(frac_table(rows_a), frac_table(rows_b), NAN_ACC, 300, seed=0)
    assert c.p_value is not None and 0 < c.n_null <= 300


def test_paired_test_dispatches_and_refuses_unknown_methods():
    a, b = acc_table([1, 0, 1, 1]), acc_table([0, 0, 1, 0])
    assert paired_test(a, b, ACC, "permutation", 10, 0) == permutation_test(a, b, ACC, 10, 0)
    with pytest.raises(ValueError, match="method must be one of permutation, bootstrap, got 'magic'"):
        paired_test(a, b, ACC, "magic", 10, 0)
    with pytest.raises(ValueError, match="alpha"):
        permutation_test(a, b, ACC, 10, 0, alpha=0)


def test_comparisons_require_matching_units_and_task():
    with pytest.raises(ValueError, match="same units"):
        paired_bootstrap(acc_table([1, 0]), acc_table([1, 0, 1]), ACC, 10, seed=0)
    with pytest.raises(ValueError, match="cannot compare"):
        permutation_test(acc_table([1]), acc_table([1], task="other"), ACC, 10, seed=0)


def test_bootstrap_leaves_out_resamples_where_the_figure_is_undefined():
    # a third of the resamples draw only empty units: accuracy undefined there, 1.0 elsewhere
    t = frac_table([(1, 1)] + [(0, 0)] * 4)
    assert bootstrap(t, [NAN_ACC], 300, seed=0)["acc"] == Interval(1.0, 1.0)
    iv = bootstrap(frac_table([(0, 0)] * 3), [NAN_ACC], 50, seed=0)["acc"]
    assert np.isnan(iv.low) and np.isnan(iv.high)


def _repeated_rows_tables():
    # 1,500 sentence-like units with many repeated rows: drawn as counts of distinct rows
    rng = np.random.default_rng(15)
    gold = rng.poisson(1.2, 1500)
    return [CountTable("t", ("tp", "pos", "act"), tuple(map(str, range(1500))),
                       np.stack([tp, gold, tp + rng.poisson(0.3, 1500)], 1).astype(float))
            for tp in (rng.binomial(gold, 0.7), rng.binomial(gold, 0.7))]


def test_bootstrap_t_on_distinct_rows_is_the_unit_formula():
    # weights over distinct rows give what the same counts put on one unit of each row give
    ta, tb = _repeated_rows_tables()
    f1 = prf_metrics("", "tp", "pos", "act")[2]
    pattern, (ra, rb) = stats._joint_patterns([ta.values, tb.values])
    w = np.random.default_rng(1).integers(0, 40, size=(7, len(ra))).astype(float)
    first = np.array([np.flatnonzero(pattern == k)[0] for k in range(len(ra))])
    w_units = np.zeros((7, 1500))
    w_units[:, first] = w
    for got, want in zip(stats._studentized(w, ra, rb, f1), stats._studentized(w_units, ta.values, tb.values, f1)):
        np.testing.assert_allclose(got, want, rtol=1e-9)


def test_pattern_and_unit_draws_give_the_same_test_within_monte_carlo_error(monkeypatch):
    ta, tb = _repeated_rows_tables()
    f1 = prf_metrics("", "tp", "pos", "act")[2]
    assert stats._joint_patterns([ta.values, tb.values]) is not None
    fast = paired_bootstrap(ta, tb, f1, 4000, seed=2)
    monkeypatch.setattr(stats, "_joint_patterns", lambda values: None)
    plain = paired_bootstrap(ta, tb, f1, 4000, seed=2)
    assert fast.diff == plain.diff and fast.p_value != plain.p_value  # other draws, same distribution
    assert abs(fast.p_value - plain.p_value) < 0.03  # a p near 0.3 has a Monte Carlo sd of 0.007
    width = plain.interval.high - plain.interval.low
    assert abs(fast.interval.low - plain.interval.low) < 0.1 * width
    assert abs(fast.interval.high - plain.interval.high) < 0.1 * width


def test_pattern_counts_are_multinomial_draws_of_the_units():
    # pattern sizes 1..12 and 40: rare patterns (drawn unit by unit) and frequent ones
    sizes = np.array(list(range(1, 13)) + [40])
    pattern = np.repeat(np.arange(len(sizes)), sizes)[np.random.default_rng(0).permutation(sizes.sum())]
    n, b = len(pattern), 20000
    weigh = stats._pattern_weights(pattern, len(sizes))
    w = np.concatenate([next(weigh(d)) for d in stats._pattern_draws(pattern, len(sizes), b, stats._rng(3))])
    assert w.shape == (b, len(sizes)) and (w.sum(axis=1) == n).all() and (w >= 0).all()
    p = sizes / n
    mean_se = np.sqrt(n * p * (1 - p) / b)
    assert (np.abs(w.mean(axis=0) - n * p) < 5 * mean_se).all()
    cov = np.cov(w.T)
    theory = n * (np.diag(p) - np.outer(p, p))  # Multinomial(n, p)
    assert np.abs(cov - theory).max() < 0.06 * theory.max()
    assert cov[0, -1] < 0 and cov[6, 8] < 0  # a rare and a frequent pattern compete for the draws


def test_pattern_draws_depend_only_on_the_table_and_seed():
    t = CountTable("t", ("a",), tuple(f"u{i}" for i in range(3000)),
                   np.random.default_rng(4).integers(0, 5, size=(3000, 1)).astype(float))
    a = bootstrap(t, [ACC_A := Metric("a", ("a",), lambda s: s[:, 0])], 300, seed=5)
    assert a == bootstrap(t, [ACC_A], 300, seed=5) and a != bootstrap(t, [ACC_A], 300, seed=6)


@pytest.mark.parametrize("high", [3, 200])  # many repeated rows (pattern shortcut), few (general path)
def test_bootstrap_of_a_compact_table_is_identical(high):
    rng = np.random.default_rng(high)
    values = rng.integers(0, high, size=(3000, 3)).astype(float)
    t = CountTable("t", ("a", "b", "c"), tuple(f"u{i}" for i in range(3000)), values)
    small = t.compact()
    assert small.values.dtype == np.uint8
    metrics = prf_metrics("x.", "a", "b", "c")
    assert bootstrap(small, metrics, 300, seed=2) == bootstrap(t, metrics, 300, seed=2)
    assert paired_bootstrap(small, t, metrics[2], 200, seed=1) == paired_bootstrap(t, t, metrics[2], 200, seed=1)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_draws_are_weighed_in_draw_order_by_any_number_of_threads(threads, monkeypatch):
    monkeypatch.setattr(stats, "_CHUNK", 50)  # many small chunks: threads finish out of order
    draws = list(stats._draws(10, 40, stats._rng(7)))
    assert len(draws) == 8
    weighed = list(stats._in_order(stats._draws(10, 40, stats._rng(7)), lambda idx: idx.sum(axis=1), threads))
    assert [w.tolist() for w in weighed] == [d.sum(axis=1).tolist() for d in draws]


def test_an_error_while_weighing_is_raised_not_hung():
    def weigh(idx):
        raise MemoryError("no room")

    with pytest.raises(MemoryError, match="no room"):
        list(stats._in_order(stats._draws(1000, 100, stats._rng(1)), weigh))


def test_weight_blocks_of_many_units_add_up_to_the_whole_chunk(monkeypatch):
    idx = stats._rng(3).integers(0, 300_000, size=(9, 300_000), dtype=np.int32)
    blocks = list(stats._unit_weights(300_000)(idx))
    assert len(blocks) == 3  # 8 MB of float64 per block: 3 resamples of 300,000 units
    whole = np.concatenate(blocks)
    np.testing.assert_array_equal(whole, [np.bincount(r, minlength=300_000) for r in idx])


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32])
def test_whole_counts_stored_compact_group_as_their_float64_values(dtype):
    # the integer shortcut must give the very keys, patterns and rows of the quarter-count path
    rng = np.random.default_rng(16)
    values = rng.poisson(0.4, size=(70_000, 9)).astype(dtype)  # past one row block
    values[::7] = [200, 0, 3, 0, 0, 1, 0, 0, 250]  # wide values, and hashes that wrap in int64
    got, want = stats._patterns(values), stats._patterns(values.astype(np.float64))
    assert got is not None and want is not None
    np.testing.assert_array_equal(got[0], want[0])
    assert got[1].dtype == np.float64 and np.array_equal(got[1], want[1])
