import math
import random
import warnings

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.metrics import confusion_matrix as sk_confusion

from bench.scoring import get_task
from bench.scoring.stance import confusion_matrix
from bench.types import STANCE_LABELS, Annotations, Claim, Document, Evidence, Stance

SCORER = get_task("stance")
CLAIMS = [Claim("c1", "x"), Claim("c2", "y"), Claim("c3", "z")]


def Ev(s, e, holder="author", polarity="asserts"):
    return Evidence(s, e, holder, polarity, "")


def score(gold_docs, pred_docs, unit="document", claims=CLAIMS):
    docs = [Document(f"doc{i:03d}", "x" * 100) for i in range(len(gold_docs))]
    gold = [Annotations(d.doc_id, stances=tuple(g)) for d, g in zip(docs, gold_docs)]
    pred = [Annotations(d.doc_id, stances=tuple(p)) for d, p in zip(docs, pred_docs)]
    table = SCORER.count(docs, gold, pred, claims, unit=unit)
    return table, SCORER.evaluate(table)


GOLD = [Stance("c1", "support", (Ev(0, 10, "Author"), Ev(20, 30, "Putin", "denies"))), Stance("c2", "refute")]
PRED = [Stance("c1", "support", (Ev(2, 8, " author "), Ev(40, 50, "X", "doubts"))),
        Stance("c2", "discuss"), Stance("c3", "unrelated")]


def test_hand_computed_fixture():
    table, res = score([GOLD], [PRED])
    # pairs: support/support, refute/discuss, unrelated/unrelated
    assert res["accuracy"] == pytest.approx(2 / 3)
    assert res["support.f1"] == 1.0 and res["unrelated.f1"] == 1.0
    assert res["refute.r"] == 0.0 and res["discuss.p"] == 0.0
    # macro over the classes with gold support (support, refute, unrelated): (1 + 0 + 1) / 3;
    # discuss, never in the gold, is left out instead of being averaged in as 0
    assert res["macro_f1"] == pytest.approx(2 / 3)
    # FNC-1: (1 + 0.25 + 0.25) / (1 + 1 + 0.25)
    assert res["fnc1"] == pytest.approx(1.5 / 2.25)
    # evidence: (0,10) ~ (2,8) matched (IoU 0.6) with the same holder (case/space-insensitive) and polarity
    assert res["evidence.p"] == res["evidence.r"] == 0.5
    assert res["evidence.holder_acc"] == 1.0 and res["evidence.polarity_acc"] == 1.0
    cm = confusion_matrix(table)
    assert cm.shape == (4, 4) and cm.sum() == 3
    assert cm[STANCE_LABELS.index("refute"), STANCE_LABELS.index("discuss")] == 1
    assert SCORER.main_score("ontonotes") == "macro_f1"


def test_missing_pred_is_unrelated_and_pair_units():
    table, res = score([GOLD, []], [[], []], unit="sentence")
    assert table.units == ("doc000#c1", "doc000#c2", "doc000#c3", "doc001#c1", "doc001#c2", "doc001#c3")
    assert res["accuracy"] == pytest.approx(4 / 6)  # only the 4 gold-unrelated pairs are right
    assert res["fnc1"] == pytest.approx(1.0 / 3.0)  # 4 * 0.25 of 2 * 1 + 4 * 0.25
    assert res["evidence.r"] == 0.0 and math.isnan(res["evidence.holder_acc"])  # no match: undefined
    assert math.isnan(res["evidence.p"])  # nothing predicted
    doc_t, _ = score([GOLD, []], [[], []])
    assert table.total().tolist() == doc_t.total().tolist()


def test_evidence_cannot_be_gamed_with_tiny_spans():
    """The scoring issue's case: a one-character span at the start of each gold evidence span
    used to score evidence F1 = 100.  At IoU >= 0.5 it matches nothing; the token figure
    gives it the one word it touches."""
    text = "North Korea confirmed it sent troops. Seoul said so too."
    gold = [Stance("c1", "support", (Evidence(0, 37, "author", "asserts", text[0:37]),))]
    tiny = [Stance("c1", "support", (Evidence(0, 1, "author", "asserts", "N"),))]
    docs = [Document("doc000", text)]
    table = SCORER.count(docs, [Annotations("doc000", stances=tuple(gold))],
                         [Annotations("doc000", stances=tuple(tiny))], CLAIMS)
    res = SCORER.evaluate(table)
    assert res["evidence.f1"] == 0.0
    assert res["evidence.token_p"] == 1.0 and res["evidence.token_r"] == pytest.approx(1 / 6)  # "North" of 6 words
    whole = [Stance("c1", "support", (Evidence(0, 57, "author", "asserts", text),))]  # the whole text: IoU 0.65
    table = SCORER.count(docs, [Annotations("doc000", stances=tuple(gold))],
                         [Annotations("doc000", stances=tuple(whole))], CLAIMS)
    res = SCORER.evaluate(table)
    assert res["evidence.f1"] == 1.0 and res["evidence.token_p"] == pytest.approx(6 / 10)


def test_macro_f1_on_a_subset_without_some_classes():
    """The scoring issue's case: perfect predictions on a subset where only some classes
    have gold score 1.0, not an average with zeros for absent classes."""
    gold = [Stance("c1", "support"), Stance("c2", "support")]
    _, res = score([gold], [gold])
    assert res["macro_f1"] == 1.0
    _, res = score([[]], [[]], claims=[])
    assert math.isnan(res["macro_f1"]) and math.isnan(res["accuracy"])  # no pair at all


def test_invalid_inputs_raise():
    with pytest.raises(ValueError, match="unknown claim"):
        score([[Stance("c9", "support")]], [[]])
    with pytest.raises(ValueError, match="stance label"):
        score([[]], [[Stance("c1", "agree")]])
    with pytest.raises(ValueError, match="two stances"):
        score([[]], [[Stance("c1", "support"), Stance("c1", "refute")]])
    with pytest.raises(ValueError, match="duplicate claim"):
        score([[]], [[]], claims=[Claim("c1", "a"), Claim("c1", "b")])


def test_matches_sklearn_on_random_labels():
    rng = random.Random(3)
    claims = [Claim(f"c{i}", "") for i in range(6)]
    for _ in range(60):
        n_docs = rng.randint(1, 5)
        gold, pred, y_true, y_pred = [], [], [], []
        for _ in range(n_docs):
            g = {c.claim_id: rng.choice(STANCE_LABELS) for c in claims if rng.random() < 0.7}
            p = {c.claim_id: rng.choice(STANCE_LABELS) for c in claims if rng.random() < 0.7}
            gold.append([Stance(k, v) for k, v in g.items()])
            pred.append([Stance(k, v) for k, v in p.items()])
            y_true += [g.get(c.claim_id, "unrelated") for c in claims]
            y_pred += [p.get(c.claim_id, "unrelated") for c in claims]
        table, res = score(gold, pred, claims=claims)
        labels = list(STANCE_LABELS)
        assert res["accuracy"] == pytest.approx(accuracy_score(y_true, y_pred))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # macro over the classes present in the gold, as documented
            macro = f1_score(y_true, y_pred, average="macro", labels=sorted(set(y_true)), zero_division=0)
            p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
        assert res["macro_f1"] == pytest.approx(macro)
        for i, c in enumerate(labels):
            ours = np.array([res[f"{c}.p"], res[f"{c}.r"], res[f"{c}.f1"]])
            # sklearn's zero_division=0 stands where a figure is undefined (NaN here)
            assert np.nan_to_num(ours) == pytest.approx((p[i], r[i], f[i]))
            assert np.isnan(ours[0]) == (c not in y_pred) and np.isnan(ours[1]) == (c not in y_true)
        assert np.array_equal(confusion_matrix(table), sk_confusion(y_true, y_pred, labels=labels))


def test_evidence_tokens_touched_equal_a_scan_of_the_whole_text():
    """The scorer scans only around each span; every token of the whole text that
    overlaps a span must still be found (tokens running into or out of a span included)."""
    import re

    from bench.scoring.stance import _Words

    rng = random.Random(7)
    alphabet = "ab é1_-. \u00e9\u4e00\n"
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        spans = []
        for _ in range(rng.randint(0, 4)):
            a, b = sorted(rng.randint(0, len(text)) for _ in range(2))
            spans.append(Evidence(a, b, "h", "assert", text[a:b]))
        expected = {m.start() for m in re.finditer(r"\w+", text)
                    for sp in spans if sp.start < sp.end and m.start() < sp.end and m.end() > sp.start}
        assert _Words(text).touched(spans) == expected, (text, spans)
