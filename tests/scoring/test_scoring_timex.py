import math

import pytest

from bench.scoring import get_task
from bench.types import Annotations, Document, Timex

SCORER = get_task("timex")


def T(s, e, type_="DATE", value="2024"):
    return Timex(s, e, type_, value, "")


def score(gold_docs, pred_docs, unit="document", text="x" * 100):
    docs = [Document(f"doc{i:03d}", text) for i in range(len(gold_docs))]
    gold = [Annotations(d.doc_id, timexes=tuple(g)) for d, g in zip(docs, gold_docs)]
    pred = [Annotations(d.doc_id, timexes=tuple(p)) for d, p in zip(docs, pred_docs)]
    table = SCORER.count(docs, gold, pred, [], unit=unit)
    return table, SCORER.evaluate(table)


GOLD = [T(0, 10, "DATE", "2024-01-01"), T(20, 25, "DURATION", "P1D"), T(40, 45, "TIME", "T10")]
PRED = [T(0, 10, "DATE", "2024-01-01"), T(18, 23, "DURATION", "P2D"), T(60, 65, "DATE", "X")]


def test_hand_computed_fixture():
    _, res = score([GOLD], [PRED])
    # strict: 1 of 3 / 3; relaxed: 2 of 3 / 3; type right on both matches, value on one
    assert res["strict.p"] == res["strict.r"] == pytest.approx(1 / 3)
    assert res["relaxed.p"] == res["relaxed.r"] == res["relaxed.f1"] == pytest.approx(2 / 3)
    assert res["type.accuracy"] == 1.0 and res["value.accuracy"] == 0.5
    assert res["type.f1"] == pytest.approx(2 / 3)
    assert res["value.p"] == res["value.r"] == res["value.f1"] == pytest.approx(1 / 3)
    assert SCORER.main_score("ontonotes") == "value.f1"


def test_unequal_counts_give_different_p_and_r():
    _, res = score([GOLD], [PRED[:1]])
    assert (res["strict.p"], res["strict.r"]) == (1.0, pytest.approx(1 / 3))
    assert res["value.f1"] == pytest.approx(0.5)  # 2 * 1 * 1/3 / (4/3)


def test_relaxed_is_one_to_one_by_largest_overlap():
    # one gold, two overlapping preds: only the bigger overlap (2, 10) counts
    table, res = score([[T(0, 10)]], [[T(0, 4, value="a"), T(2, 10)]])
    tot = table.total()
    assert tot[table.column("relaxed.tp")] == 1 and tot[table.column("value.correct")] == 1
    assert (res["relaxed.p"], res["relaxed.r"]) == (0.5, 1.0)
    assert res["strict.f1"] == 0.0


def test_duplicate_predictions_match_once():
    _, res = score([[T(0, 10)]], [[T(0, 10), T(0, 10)]])
    assert (res["strict.p"], res["strict.r"]) == (0.5, 1.0)


def test_empty_and_errors():
    _, res = score([[]], [[]])
    assert all(math.isnan(v) for v in res.values())  # nothing to score: every figure undefined, never 0
    docs = [Document("d", "")]
    with pytest.raises(ValueError, match="task not produced"):
        SCORER.count(docs, [Annotations("d")], [Annotations("d", timexes=None)], [])


def test_sentence_units_sum_to_document_totals():
    text = "It rained on Monday. We left on Tuesday morning."
    m, t = text.index("Monday"), text.index("Tuesday")
    gold = [T(m, m + 6), T(t, t + 15, "TIME")]
    pred = [T(m - 3, m + 6), T(t, t + 7)]
    doc_t, _ = score([gold], [pred], text=text)
    sen_t, res = score([gold], [pred], unit="sentence", text=text)
    assert sen_t.units == ("doc000#s0", "doc000#s1")
    assert sen_t.total().tolist() == doc_t.total().tolist()
    assert sen_t.values[:, sen_t.column("relaxed.tp")].tolist() == [1.0, 1.0]
    assert res["type.accuracy"] == 0.5 and res["strict.f1"] == 0.0


def test_label_scheme_is_accepted_and_ignored():
    docs = [Document("d", "x" * 20)]
    g, p = [Annotations("d", timexes=(T(0, 4),))], [Annotations("d", timexes=(T(0, 4),))]
    a = SCORER.count(docs, g, p, [], label_scheme="conll")
    assert a.total().tolist() == SCORER.count(docs, g, p, []).total().tolist()


def test_relaxed_matching_is_maximal_and_monotone():
    """The scoring issue's case (doc000): predicting [1253,1266) and [1253,1255) beside gold
    [1253,1266) and [1250,1255): a greedy matching pairs the long spans and strands the short
    gold span; the maximum matching pairs both.  Adding a prediction never lowers recall."""
    gold = [T(1253, 1266), T(1250, 1255)]
    pred = [T(1253, 1266), T(1253, 1255)]
    text = "x" * 1300
    table, res = score([gold], [pred], text=text)
    assert res["relaxed.r"] == 1.0 and res["strict.r"] == 0.5
    for extra in (T(1240, 1270), T(1252, 1254), T(0, 5)):
        _, more = score([gold], [pred + [extra]], text=text)
        assert more["relaxed.r"] >= res["relaxed.r"] and more["strict.r"] >= res["strict.r"]


def test_strict_is_set_based_on_offsets():
    # the exact prediction counts for strict even though the maximum matching pairs it elsewhere
    gold = [T(0, 10), T(8, 12)]
    pred = [T(0, 10), T(2, 4)]
    _, res = score([gold], [pred])
    assert res["strict.r"] == 0.5 and res["relaxed.r"] == 1.0
