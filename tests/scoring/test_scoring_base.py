import numpy as np
import pytest

from bench.scoring import TASKS, get_task
from bench.scoring.base import (
    CountTable, Metric, TableBuilder, Units, align, max_overlap_match, layer, prf, ratio,
)
from bench.types import Annotations, Document, Timex


def _table(values, task="t"):
    values = np.asarray(values, dtype=float)
    return CountTable(task, tuple(f"f{i}" for i in range(values.shape[1])),
                      tuple(f"u{i}" for i in range(values.shape[0])), values)


def test_count_table_totals_columns_and_read_only():
    t = _table([[1, 2], [3, 4]])
    assert t.total().tolist() == [4.0, 6.0]
    assert t.column("f1") == 1
    assert t.columns(["f1", "f0"]).tolist() == [1, 0]
    with pytest.raises(KeyError, match="no field 'x'"):
        t.column("x")
    with pytest.raises(ValueError):
        t.values[0, 0] = 9.0


def test_count_table_validates_shape_and_uniqueness():
    with pytest.raises(ValueError, match="shape"):
        CountTable("t", ("a",), ("u0", "u1"), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="unique"):
        CountTable("t", ("a", "a"), ("u0",), np.zeros((1, 2)))


def test_ratio_and_prf_leave_zero_over_zero_undefined():
    r = ratio(np.array([1.0, 0.0]), np.array([4.0, 0.0]))
    assert r[0] == 0.25 and np.isnan(r[1])
    # (tp, pos, act): normal; no gold but predictions; gold but no predictions; neither
    p, r, f = prf(np.array([2.0, 0.0, 0.0, 0.0]), np.array([4.0, 0.0, 3.0, 0.0]), np.array([2.0, 3.0, 0.0, 0.0]))
    np.testing.assert_array_equal(p, [1.0, 0.0, np.nan, np.nan])
    np.testing.assert_array_equal(r, [0.5, np.nan, 0.0, np.nan])
    np.testing.assert_allclose(f, [2 / 3, 0.0, 0.0, np.nan])  # F1 = 2tp / (pos + act)


def test_metric_point_uses_named_fields_in_order():
    t = _table([[1, 10], [1, 10]])
    m = Metric("share", ("f0", "f1"), lambda s: s[:, 0] / s[:, 1])
    assert m.point(t) == pytest.approx(0.1)
    assert m.applies_to(t) and not Metric("x", ("zz",), lambda s: s[:, 0]).applies_to(t)


def test_units_assign_spans_to_sentence_of_their_start():
    text = "  Alpha one. Beta two.\nGamma three."
    doc = Document("d", text)
    u = Units([doc, Document("e", "Solo.")], "sentence")
    assert u.ids == ["d#s0", "d#s1", "d#s2", "e#s0"]
    assert u.row(0, 0) == 0  # before the first sentence -> first sentence
    assert u.row(0, text.index("Beta")) == 1
    assert u.row(0, text.index("\n")) == 1  # between sentences -> preceding one
    assert u.row(0, text.index("Gamma")) == 2
    assert u.row(1, 0) == 3
    d = Units([doc], "document")
    assert d.ids == ["d"] and d.row(0, 30) == 0


def test_table_builder_accumulates():
    b = TableBuilder("t", ["a", "b"], ["u0", "u1"])
    b.add(1, "a")
    b.add(1, "a", 0.5)
    b.add(0, "b")
    assert b.build().values.tolist() == [[0.0, 1.0], [1.5, 0.0]]


def test_align_and_layer_errors_are_clear():
    docs = [Document("a", ""), Document("b", "")]
    anns = [Annotations("b"), Annotations("a")]
    assert [a.doc_id for a in align(docs, anns, "gold")] == ["a", "b"]
    with pytest.raises(ValueError, match=r"pred annotations missing for documents \['b'\]"):
        align(docs, [Annotations("a")], "pred")
    with pytest.raises(ValueError, match="task not produced"):
        layer(Annotations("a", timexes=None), "timexes", "pred")


def _t(s, e):
    return Timex(s, e, "DATE", "", "")


def test_max_overlap_match_maximises_pairs_then_exact_spans_then_overlap():
    assert max_overlap_match([_t(0, 10)], [_t(0, 4), _t(2, 10)]) == [(0, 1)]  # larger overlap
    assert max_overlap_match([_t(0, 10)], [_t(0, 20), _t(0, 10)]) == [(0, 1)]  # exact span
    assert max_overlap_match([_t(0, 5)], [_t(5, 9)]) == []  # touching is not overlapping
    # the scoring issue's case: greedy takes [1253,1266)-[1253,1266) and strands the short one;
    # a maximum matching pairs both gold spans
    gold, pred = [_t(1253, 1266), _t(1250, 1255)], [_t(1253, 1266), _t(1253, 1255)]
    assert max_overlap_match(gold, pred) == [(0, 0), (1, 1)]
    # more pairs beat an identical span: G0-P1 and G1-P0 rather than G0-P0 alone
    assert max_overlap_match([_t(0, 10), _t(8, 12)], [_t(0, 10), _t(2, 4)]) == [(0, 1), (1, 0)]
    # IoU threshold: a one-character span cannot stand for a sentence
    assert max_overlap_match([_t(0, 100)], [_t(0, 1)], min_iou=0.5) == []
    assert max_overlap_match([_t(0, 100)], [_t(0, 60)], min_iou=0.5) == [(0, 0)]


def test_registry_versions_and_metric_names():
    assert list(TASKS) == ["entities", "timex", "stance"]
    for task, s in TASKS.items():
        assert get_task(task) is s and s.name == task and s.version == f"{task}-v2"
        names = [m.name for m in s.metrics]
        assert len(names) == len(set(names))
        assert set(s.main_scores.values()) <= set(names) and set(s.headline) <= set(names)
        assert all(set(m.fields) <= set(s.fields) for m in s.metrics)
        assert all(m in names for c in s.columns for m in c.metrics)
        assert s.layer in ("entities", "timexes", "stances")
    with pytest.raises(ValueError, match="unknown task"):
        get_task("nope")


def test_scorer_rejects_bad_unit_and_foreign_table():
    s = get_task("timex")
    with pytest.raises(ValueError, match="unit must be"):
        s.count([], [], [], [], unit="paragraph")
    with pytest.raises(ValueError, match="table is for"):
        s.evaluate(_table([[1.0]], task="stance"))


@pytest.mark.parametrize("values, dtype", [
    ([[0, 1], [2, 255]], np.uint8),
    ([[0, 256], [3, 1]], np.uint16),
    ([[0.25, 1.5], [7.75, 0]], np.float16),  # quarter counts
    ([[-1, 1], [2, 3]], np.float16),  # negative: no unsigned type
    ([[70000.5, 1], [2, 3]], np.float32),  # beyond float16's range
    ([[0.1, 1], [2, 3]], np.float64),  # no exact narrower form
    ([[np.nan, 1], [2, 3]], np.float64),
])
def test_compact_stores_every_count_exactly(values, dtype):
    t = _table(values)
    small = t.compact()
    assert small.values.dtype == dtype and not small.values.flags.writeable
    assert small.units == t.units and small.fields == t.fields
    np.testing.assert_array_equal(small.values, t.values)  # NaN too
    np.testing.assert_array_equal(small.dense(), t.values)
    np.testing.assert_array_equal(small.dense(slice(1, 2)), t.values[1:2])
    assert small.total().dtype == np.float64
    np.testing.assert_array_equal(small.total(), t.total())


def test_compact_figures_equal_the_float64_ones():
    rng = np.random.default_rng(3)
    t = _table(rng.integers(0, 9, size=(70000, 3)) / 4)  # more rows than one compaction block
    small = t.compact()
    assert small.values.dtype == np.float16 and small.values.nbytes * 4 == t.values.nbytes
    m = Metric("r", ("f0", "f1"), lambda s: ratio(s[:, 0], s[:, 1]))
    assert m.point(small) == m.point(t)


def test_stacked_rows_make_the_table_the_checked_constructor_makes():
    import numpy as np

    from bench.scoring.base import CountTable

    values = np.array([[1.0, 2.0], [0.0, 3.0]])
    values.flags.writeable = False
    stacked = CountTable._stacked("t", ("a", "b"), ("d1", "d2"), values)
    assert stacked == CountTable("t", ("a", "b"), ("d1", "d2"), values) and stacked.column("b") == 1
    with pytest.raises(ValueError, match="stacked rows"):
        CountTable._stacked("t", ("a", "b"), ("d1",), values)
    with pytest.raises(ValueError, match="stacked rows"):
        CountTable._stacked("t", ("a", "b"), ("d1", "d2"), np.zeros((2, 2)))  # writable: not private
