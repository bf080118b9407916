import numpy as np
import pytest

from bench.scoring import SCORERS, get_scorer
from bench.scoring.base import (
    CountTable, Metric, TableBuilder, Units, align, greedy_overlap_match, layer, prf, ratio,
)
from bench.types import TASKS, Annotations, Document, Timex


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


def test_ratio_and_prf_define_zero_over_zero_as_zero():
    assert ratio(np.array([1.0, 0.0]), np.array([4.0, 0.0])).tolist() == [0.25, 0.0]
    p, r, f = prf(np.array([2.0, 0.0]), np.array([4.0, 0.0]), np.array([2.0, 3.0]))
    assert p.tolist() == [1.0, 0.0] and r.tolist() == [0.5, 0.0]
    assert f.tolist() == pytest.approx([2 / 3, 0.0])


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


def test_greedy_overlap_match_prefers_largest_overlap_then_exact_then_earliest():
    assert greedy_overlap_match([_t(0, 10)], [_t(0, 4), _t(2, 10)]) == [(0, 1)]
    assert greedy_overlap_match([_t(0, 10)], [_t(5, 10), _t(0, 5)]) == [(0, 1)]  # tie -> earliest pred
    assert greedy_overlap_match([_t(0, 10)], [_t(0, 20), _t(0, 10)]) == [(0, 1)]  # tie -> exact
    assert greedy_overlap_match([_t(0, 5), _t(5, 10)], [_t(3, 8)]) == [(1, 0)]
    assert greedy_overlap_match([_t(0, 5)], [_t(5, 9)]) == []  # touching is not overlapping


def test_registry_versions_and_metric_names():
    assert set(SCORERS) == set(TASKS)
    for task, s in SCORERS.items():
        assert get_scorer(task) is s and s.version == TASKS[task]
        names = [m.name for m in s.metrics]
        assert len(names) == len(set(names))
        assert s.main_score in names and set(s.headline) <= set(names)
        assert all(set(m.fields) <= set(s.fields) for m in s.metrics)
    with pytest.raises(ValueError, match="unknown task"):
        get_scorer("nope")


def test_scorer_rejects_bad_unit_and_foreign_table():
    s = get_scorer("timex")
    with pytest.raises(ValueError, match="unit must be"):
        s.count([], [], [], [], unit="paragraph")
    with pytest.raises(ValueError, match="table is for"):
        s.evaluate(_table([[1.0]], task="stance"))
