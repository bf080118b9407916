import math
import random
import warnings

import pytest
from nervaluate import Evaluator
from seqeval.metrics import f1_score as seqeval_f1

from bench.scoring import get_task
from bench.scoring.entities import SCHEMES
from bench.types import ENTITY_LABELS, Annotations, Document, Entity

SCORER = get_task("entities")


def E(s, e, label):
    return Entity(s, e, label, "")


def score(gold_docs, pred_docs, unit="document", label_scheme="ontonotes", text=None):
    docs = [Document(f"doc{i:03d}", text or "x" * 200) for i in range(len(gold_docs))]
    gold = [Annotations(d.doc_id, entities=tuple(g)) for d, g in zip(docs, gold_docs)]
    pred = [Annotations(d.doc_id, entities=tuple(p)) for d, p in zip(docs, pred_docs)]
    table = SCORER.count(docs, gold, pred, [], unit=unit, label_scheme=label_scheme)
    return table, SCORER.evaluate(table)


# gold A B C D; p1 exact, p2 same span wrong type, p3 partial overlap right type, p4 spurious; D missed
GOLD = [E(0, 5, "PERSON"), E(10, 20, "ORG"), E(30, 35, "GPE"), E(40, 45, "LOC")]
PRED = [E(0, 5, "PERSON"), E(10, 20, "GPE"), E(30, 33, "GPE"), E(50, 55, "ORG")]
# scheme -> (cor, inc, par, mis, spu), hand-derived from the SemEval-2013 definitions
EXPECTED = {
    "strict": (1, 2, 0, 1, 1),
    "exact": (2, 1, 0, 1, 1),
    "partial": (2, 0, 1, 1, 1),
    "type": (2, 1, 0, 1, 1),
}
EXPECTED_F1 = {"strict": 0.25, "exact": 0.5, "partial": 0.625, "type": 0.5}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_hand_computed_nervaluate_schemes(scheme):
    table, res = score([GOLD], [PRED])
    tot = table.total()
    for view in ("ontonotes", "conll"):  # the CoNLL mapping keeps every outcome here
        raw = tuple(tot[table.column(f"{view}.nervaluate.{scheme}.ALL.{k}")] for k in ("cor", "inc", "par", "mis", "spu"))
        assert raw == EXPECTED[scheme]
        # POS = ACT = 4, so P = R = F1
        for k in ("micro_p", "micro_r", "micro_f1"):
            assert res[f"{view}.nervaluate.{scheme}.{k}"] == pytest.approx(EXPECTED_F1[scheme])


def test_hand_computed_set_based_strict():
    table, res = score([GOLD], [PRED])
    tot = dict(zip(table.fields, table.total()))
    assert (tot["ontonotes.strict.ALL.tp"], tot["ontonotes.strict.ALL.pos"], tot["ontonotes.strict.ALL.act"]) == (1, 4, 4)
    assert res["ontonotes.strict.micro_p"] == res["ontonotes.strict.micro_r"] == res["ontonotes.strict.micro_f1"] == 0.25
    # CoNLL view: p3 (30,33) is still no exact span; p2 GPE->LOC vs gold ORG stays wrong
    assert res["conll.strict.micro_f1"] == 0.25


def test_a_wrong_extra_span_never_lowers_strict_recall():
    """The scoring issue's case: gold "North Korean" plus an extra overlapping "North"
    prediction.  nervaluate's greedy matching lets "North" consume the gold span and
    calls the exact prediction spurious; the main (set-based) figure does not."""
    gold = [E(19, 31, "NORP"), E(40, 45, "GPE")]
    exact = [E(19, 31, "NORP"), E(40, 45, "GPE")]
    _, alone = score([gold], [exact])
    table, res = score([gold], [[E(19, 24, "NORP")] + exact])
    assert alone["ontonotes.strict.micro_r"] == res["ontonotes.strict.micro_r"] == 1.0
    assert res["ontonotes.strict.micro_p"] == pytest.approx(2 / 3)
    assert res["ontonotes.nervaluate.strict.micro_r"] == 0.5  # the nervaluate-compatible figure keeps its semantics


def test_duplicate_predictions_count_once():
    table, res = score([[E(0, 5, "PERSON")]], [[E(0, 5, "PERSON"), E(0, 5, "PERSON")]])
    tot = dict(zip(table.fields, table.total()))
    assert tot["ontonotes.strict.ALL.act"] == 1 and res["ontonotes.strict.micro_p"] == 1.0
    assert tot["ontonotes.nervaluate.strict.ALL.act"] == 2  # nervaluate counts each prediction


def test_per_label_and_macro():
    _, res = score([GOLD], [PRED])
    assert res["ontonotes.strict.PERSON.f1"] == 1.0
    assert res["ontonotes.strict.ORG.f1"] == 0.0
    assert (res["ontonotes.strict.GPE.p"], res["ontonotes.strict.GPE.r"]) == (0.0, 0.0)
    # GPE, nervaluate partial: p2 spurious, p3 partial (0.5) -> P = .5/2, R = .5/1
    assert (res["ontonotes.nervaluate.partial.GPE.p"], res["ontonotes.nervaluate.partial.GPE.r"]) == (0.25, 0.5)
    assert res["ontonotes.nervaluate.partial.GPE.f1"] == pytest.approx(1 / 3)
    # macro over the labels that occur: PERSON, ORG, GPE, LOC -> (1 + 0 + 0 + 0) / 4
    assert res["ontonotes.strict.macro_f1"] == 0.25
    assert math.isnan(res["ontonotes.strict.NORP.f1"])  # neither gold nor predicted: undefined, not 0
    # LOC: gold D only, never predicted: recall 0, precision undefined, F1 0
    assert res["ontonotes.strict.LOC.r"] == 0.0 and math.isnan(res["ontonotes.strict.LOC.p"]) and res["ontonotes.strict.LOC.f1"] == 0
    # CoNLL LOC = GPE + LOC: gold C, D; p2 and p3 miss -> 0
    assert res["conll.strict.LOC.r"] == 0.0 and res["conll.strict.PER.f1"] == 1.0


def test_main_score_and_empty_inputs():
    assert SCORER.main_score("ontonotes") == "ontonotes.strict.micro_f1" and SCORER.main_score("conll") == "conll.strict.micro_f1"
    _, res = score([[]], [[]])
    assert math.isnan(res["ontonotes.strict.micro_f1"]) and math.isnan(res["ontonotes.strict.macro_f1"])
    _, res = score([[E(0, 5, "PERSON")]], [[]])
    assert res["ontonotes.strict.micro_f1"] == 0.0 and math.isnan(res["ontonotes.strict.micro_p"])


def test_consumed_gold_follows_nervaluate_order():
    # p1 overlaps A first and takes it as INC, so the exact p2 is spurious overall,
    # while the PERSON-only rerun sees p2 as correct (nervaluate's per-entity semantics)
    table, res = score([[E(0, 5, "PERSON")]], [[E(0, 3, "ORG"), E(0, 5, "PERSON")]])
    tot = table.total()
    assert tot[table.column("ontonotes.nervaluate.strict.ALL.cor")] == 0
    assert tot[table.column("ontonotes.nervaluate.strict.ALL.spu")] == 1
    assert res["ontonotes.nervaluate.strict.PERSON.f1"] == 1.0
    assert res["ontonotes.strict.micro_r"] == 1.0  # the set-based figure sees the exact hit


def test_conll_scheme_produces_only_conll_fields():
    table, res = score([GOLD], [[E(0, 5, "PER"), E(10, 20, "LOC")]], label_scheme="conll")
    assert all(f.startswith("conll.") for f in table.fields)
    assert not any(k.startswith("ontonotes.") for k in res)
    assert res["conll.strict.micro_p"] == 0.5 and res["conll.strict.micro_r"] == 0.25
    with pytest.raises(ValueError, match="label_scheme"):
        score([GOLD], [PRED], label_scheme="bio")


def test_sentence_units_add_up_and_matched_pred_follows_gold():
    text = "Alpha Bravo went home. Charlie stayed."
    c = text.index("Charlie")
    gold = [E(0, 11, "PERSON"), E(c, c + 7, "PERSON")]
    pred = [E(6, 11, "PERSON"), E(17, c + 7, "PERSON")]  # second pred starts in sentence 0
    doc_t, _ = score([gold], [pred], text=text)
    sen_t, _ = score([gold], [pred], unit="sentence", text=text)
    assert sen_t.units == ("doc000#s0", "doc000#s1")
    assert sen_t.total().tolist() == doc_t.total().tolist()
    act = sen_t.column("ontonotes.nervaluate.partial.ALL.act")
    assert sen_t.values[:, act].tolist() == [1.0, 1.0]  # each pred counted with its gold


def _random_spans(rng, n_tokens, labels, overlapping):
    spans, pos = [], 0
    while True:
        pos += rng.randint(0, 4)
        length = rng.randint(1, 5)
        if pos + length > n_tokens:
            return spans
        spans.append(E(pos, pos + length, rng.choice(labels)))
        pos += rng.randint(-length, 0) if overlapping else length


def _bio(spans, n):
    tags = ["O"] * n
    for e in spans:
        tags[e.start] = f"B-{e.label}"
        for k in range(e.start + 1, e.end):
            tags[k] = f"I-{e.label}"
    return tags


def test_strict_matches_seqeval_on_random_bio():
    rng = random.Random(7)
    labels = ["PERSON", "ORG", "GPE"]
    for _ in range(100):
        n_docs = rng.randint(1, 4)
        lens = [rng.randint(1, 30) for _ in range(n_docs)]
        gold = [_random_spans(rng, n, labels, False) for n in lens]
        pred = [_random_spans(rng, n, labels, False) for n in lens]
        _, res = score(gold, pred)
        y_true = [_bio(g, n) for g, n in zip(gold, lens)]
        y_pred = [_bio(p, n) for p, n in zip(pred, lens)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            micro = seqeval_f1(y_true, y_pred)
            # seqeval gives 0 where no entity occurs at all; that is undefined here
            assert res["ontonotes.strict.micro_f1"] == pytest.approx(micro, nan_ok=True) or (
                micro == 0 and math.isnan(res["ontonotes.strict.micro_f1"]) and not any(gold + pred))
            macro = seqeval_f1(y_true, y_pred, average="macro")  # nan when no label occurs at all
            assert res["ontonotes.strict.macro_f1"] == pytest.approx(macro, nan_ok=True)


def test_strict_matches_spacy_set_scoring_on_overlapping_and_duplicated_spans():
    """On input seqeval cannot take (overlaps, duplicates), the figures equal spaCy's
    PRFScore.score_set over (label, start, end) sets, the definition seqeval implements."""
    PRFScore = pytest.importorskip("spacy.scorer").PRFScore
    rng = random.Random(5)
    labels = ["PERSON", "ORG", "GPE"]
    for _ in range(100):
        n_docs = rng.randint(1, 3)
        gold = [_random_spans(rng, 40, labels, False) for _ in range(n_docs)]
        pred = [_random_spans(rng, 40, labels, True) for _ in range(n_docs)]
        pred = [p + rng.sample(p, min(len(p), 2)) for p in pred]  # duplicates too
        _, res = score(gold, pred)
        ref = PRFScore()
        for g, p in zip(gold, pred):
            ref.score_set({(e.label, e.start, e.end) for e in p}, {(e.label, e.start, e.end) for e in g})
        if ref.tp + ref.fp + ref.fn:
            assert res["ontonotes.strict.micro_p"] == pytest.approx(ref.precision) or ref.tp + ref.fp == 0
            assert res["ontonotes.strict.micro_r"] == pytest.approx(ref.recall) or ref.tp + ref.fn == 0
            assert res["ontonotes.strict.micro_f1"] == pytest.approx(ref.fscore)


NERVALUATE_SCHEME = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}


def test_all_schemes_match_nervaluate_on_random_overlapping_spans():
    rng = random.Random(11)
    labels = ["PERSON", "ORG", "GPE", "LOC"]
    for _ in range(100):
        n_docs = rng.randint(1, 3)
        gold = [_random_spans(rng, 40, labels, rng.random() < 0.5) for _ in range(n_docs)]
        pred = [_random_spans(rng, 40, labels, True) for _ in range(n_docs)]
        table, res = score(gold, pred)
        tot = table.total()
        as_dicts = [[{"label": e.label, "start": e.start, "end": e.end - 1}  # nervaluate ends are inclusive
                     for e in sorted(doc, key=lambda e: (e.start, e.end, e.label))] for doc in gold + pred]
        nv = Evaluator(as_dicts[:n_docs], as_dicts[n_docs:], tags=list(ENTITY_LABELS), loader="dict").evaluate()
        for scheme, nv_name in NERVALUATE_SCHEME.items():
            o = nv["overall"][nv_name]
            pre = f"ontonotes.nervaluate.{scheme}"
            ours = [tot[table.column(f"{pre}.ALL.{k}")] for k in ("cor", "inc", "par", "mis", "spu")]
            assert ours == [o.correct, o.incorrect, o.partial, o.missed, o.spurious]
            # nervaluate reports 0 where a figure is undefined (0/0); here it is NaN
            assert res[f"{pre}.micro_p"] == pytest.approx(o.precision) or (o.actual == 0 and o.precision == 0)
            assert res[f"{pre}.micro_r"] == pytest.approx(o.recall) or (o.possible == 0 and o.recall == 0)
            assert res[f"{pre}.micro_f1"] == pytest.approx(o.f1) or (o.actual + o.possible == 0)
            for lab in labels:
                if lab not in nv["entities"]:
                    assert math.isnan(res[f"{pre}.{lab}.f1"])
                    continue
                e = nv["entities"][lab][nv_name]
                assert tot[table.column(f"{pre}.{lab}.pos")] == e.possible
                assert tot[table.column(f"{pre}.{lab}.act")] == e.actual
                assert res[f"{pre}.{lab}.p"] == pytest.approx(e.precision) or e.actual == 0
                assert res[f"{pre}.{lab}.r"] == pytest.approx(e.recall) or e.possible == 0
                assert res[f"{pre}.{lab}.f1"] == pytest.approx(e.f1) or e.actual + e.possible == 0


@pytest.mark.parametrize("seed", range(5))
def test_strict_hits_are_first_occurrences_and_set_membership(seed):
    import numpy as np

    from bench.scoring.entities import strict_hits

    rng = np.random.default_rng(seed)
    for _ in range(200):
        g = rng.integers(0, 3, size=(rng.integers(0, 25), 4))
        p = rng.integers(0, 3, size=(rng.integers(0, 25), 4))
        g_first, p_first, hit = strict_hits(g, p)
        firsts = lambda rows: [i for i, r in enumerate(map(tuple, rows)) if r not in set(map(tuple, rows[:i]))]
        assert g_first.tolist() == firsts(g) and p_first.tolist() == firsts(p)
        assert hit.tolist() == [tuple(p[i]) in set(map(tuple, g)) for i in p_first]
