"""Property-based tests (hypothesis).

* The loaders never crash on bad input: they return, or raise DataError naming the line.
* The scorers keep their invariants on arbitrary spans (overlapping, empty, out of range,
  unicode texts), and the fast corpus-wide counting equals the straightforward
  per-document reference implementation it replaced, count for count.
* The bootstrap shortcuts and the fast JSON writer change nothing.
"""

from __future__ import annotations

import json
import os
import random
import re
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bench.corpus import load_dataset_dir
from bench.io import DataError, read_jsonl
from bench.predictions import read_input_documents, read_predictions
from bench.scoring import get_task
from bench.scoring.base import CountTable, TableBuilder, Units, align, layer, max_overlap_match
from bench.scoring.entities import NV, SCHEMES, VIEWS, _match, view_fields
from bench.types import (
    CONLL_LABELS, ENTITY_LABELS, FINE_TO_CONLL, STANCE_LABELS, Annotations, Claim, Document, Entity, Evidence,
    Stance, Timex,
)

# BENCH_HYPOTHESIS_SCALE=50 for a long bug hunt; the default keeps the suite fast
_SCALE = float(os.environ.get("BENCH_HYPOTHESIS_SCALE", "1"))
SETTINGS = settings(max_examples=int(60 * _SCALE), deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=int(25 * _SCALE), deadline=None, suppress_health_check=[HealthCheck.too_slow])
CLAIMS = (Claim("C01", "one"), Claim("C02", "two"))

# ---- reference implementations (the per-document code the fast counters replaced) ----


def _ref_entities(docs, gold, pred, unit, label_scheme):
    credit = {"COR": 1.0, "PAR": 0.5, "INC": 0.0, "SPU": 0.0}
    views = ("ontonotes", "conll") if label_scheme == "ontonotes" else ("conll",)
    units = Units(docs, unit)
    b = TableBuilder("entities", [f for v in views for f in view_fields(v)], units.ids)

    def add(prefix, g, p, grow, prow, scheme, raw):
        outcomes = _match(g, p, scheme)
        matched = {gi for _, gi in outcomes if gi is not None}
        for (kind, gi), row in zip(outcomes, prow):
            row = grow[gi] if gi is not None else row
            b.add(row, f"{prefix}.act")
            b.add(row, f"{prefix}.tp", credit[kind])
            if raw:
                b.add(row, f"{prefix}.{kind.lower()}")
        for gi, row in enumerate(grow):
            b.add(row, f"{prefix}.pos")
            if raw and gi not in matched:
                b.add(row, f"{prefix}.mis")

    def ordered(ents, mapping):
        if mapping is not None:
            ents = [Entity(e.start, e.end, mapping.get(e.label, e.label), e.text) for e in ents]
        return sorted(ents, key=lambda e: (e.start, e.end, e.label))

    def add_set(view, g, p, i):
        """seqeval's definition: sets of (start, end, label); a hit is in both."""
        gs, ps = {(e.start, e.end, e.label) for e in g}, {(e.start, e.end, e.label) for e in p}
        for lab in ("ALL",) + VIEWS[view]:
            keep = (lambda k: True) if lab == "ALL" else (lambda k, lab=lab: k[2] == lab)
            for k in gs:
                if keep(k):
                    b.add(units.row(i, k[0]), f"{view}.strict.{lab}.pos")
            for k in ps:
                if keep(k):
                    b.add(units.row(i, k[0]), f"{view}.strict.{lab}.act")
                    b.add(units.row(i, k[0]), f"{view}.strict.{lab}.tp", float(k in gs))

    for i, (ga, pa) in enumerate(zip(align(docs, gold, "gold"), align(docs, pred, "pred"))):
        for view in views:
            conll = view == "conll"
            g = ordered(ga.entities, FINE_TO_CONLL if conll else None)
            p = ordered(pa.entities, FINE_TO_CONLL if conll and label_scheme == "ontonotes" else None)
            add_set(view, g, p, i)
            for scheme in SCHEMES:
                add(f"{view}.{NV}.{scheme}.ALL", g, p, [units.row(i, e.start) for e in g],
                    [units.row(i, e.start) for e in p], scheme, True)
                for lab in VIEWS[view]:
                    gl, pl = [e for e in g if e.label == lab], [e for e in p if e.label == lab]
                    add(f"{view}.{NV}.{scheme}.{lab}", gl, pl, [units.row(i, e.start) for e in gl],
                        [units.row(i, e.start) for e in pl], scheme, False)
    return b.build()


def _ref_timex(docs, gold, pred, unit):
    from bench.scoring.timex import FIELDS

    units = Units(docs, unit)
    b = TableBuilder("timex", FIELDS, units.ids)
    for i, (ga, pa) in enumerate(zip(align(docs, gold, "gold"), align(docs, pred, "pred"))):
        g = sorted(ga.timexes, key=lambda t: (t.start, t.end, t.type, t.value, t.text))
        p = sorted(pa.timexes, key=lambda t: (t.start, t.end, t.type, t.value, t.text))
        pairs = max_overlap_match(g, p)  # its optimality is tested on its own, by brute force
        to_gold = {pi: gi for gi, pi in pairs}
        left = Counter((t.start, t.end) for t in p)  # a strict hit uses up one identical prediction
        for t in g:
            b.add(units.row(i, t.start), "gold")
            b.add(units.row(i, t.start), "strict.tp", float(left[(t.start, t.end)] > 0))
            left[(t.start, t.end)] -= 1
        for pi, t in enumerate(p):
            b.add(units.row(i, g[to_gold[pi]].start if pi in to_gold else t.start), "pred")
        for gi, pi in pairs:
            row = units.row(i, g[gi].start)
            b.add(row, "relaxed.tp")
            b.add(row, "type.correct", float(g[gi].type == p[pi].type))
            b.add(row, "value.correct", float(g[gi].value == p[pi].value))
    return b.build()


def _ref_stance(docs, gold, pred, unit):
    from bench.scoring.stance import FIELDS, RELATED, _by_claim, _holder

    ids = [c.claim_id for c in CLAIMS]
    units = [d.doc_id for d in docs] if unit == "document" else [f"{d.doc_id}#{c}" for d in docs for c in ids]
    b = TableBuilder("stance", FIELDS, units)
    for i, (doc, ga, pa) in enumerate(zip(docs, align(docs, gold, "gold"), align(docs, pred, "pred"))):
        g = _by_claim(ga.stances, set(ids), "gold", doc.doc_id)
        p = _by_claim(pa.stances, set(ids), "pred", doc.doc_id)
        for j, cid in enumerate(ids):
            row = i if unit == "document" else i * len(ids) + j
            gs, ps = g.get(cid), p.get(cid)
            gl, pl = (gs.label if gs else "unrelated"), (ps.label if ps else "unrelated")
            b.add(row, "n")
            b.add(row, f"cm.{gl}.{pl}")
            if gl == pl:
                b.add(row, f"{gl}.tp")
            else:
                b.add(row, f"{pl}.fp")
                b.add(row, f"{gl}.fn")
            b.add(row, "fnc1.max", 1.0 if gl in RELATED else 0.25)
            b.add(row, "fnc1.score", 0.25 * ((gl in RELATED) == (pl in RELATED)) + 0.75 * (gl in RELATED and gl == pl))
            ge = sorted(gs.evidence if gs else (), key=lambda e: (e.start, e.end, e.holder, e.polarity))
            pe = sorted(ps.evidence if ps else (), key=lambda e: (e.start, e.end, e.holder, e.polarity))
            pairs = max_overlap_match(ge, pe, 0.5)
            words = [(m.start(), m.end()) for m in re.finditer(r"\w+", doc.text)]
            tg = {w for w in words for e in ge if w[0] < e.end and e.start < w[1] and e.start < e.end}
            tp = {w for w in words for e in pe if w[0] < e.end and e.start < w[1] and e.start < e.end}
            b.add(row, "evidence.tokens_gold", len(tg))
            b.add(row, "evidence.tokens_pred", len(tp))
            b.add(row, "evidence.tokens_shared", len(tg & tp))
            b.add(row, "evidence.gold", len(ge))
            b.add(row, "evidence.pred", len(pe))
            b.add(row, "evidence.matched", len(pairs))
            b.add(row, "evidence.holder_correct", sum(_holder(ge[a].holder) == _holder(pe[c].holder) for a, c in pairs))
            b.add(row, "evidence.polarity_correct", sum(ge[a].polarity == pe[c].polarity for a, c in pairs))
    return b.build()


# ---- strategies -------------------------------------------------------------------

# letters, sentence ends, line breaks, astral characters and combining marks
ALPHABET = st.sampled_from(list("Ab c.\n!?\"") + ["𝔘", "😀", "é", "e\u0301", "\u0301", "Ω", "\u200d"])
TEXTS = st.lists(ALPHABET, max_size=40).map("".join)
ANY_LABEL = st.sampled_from(ENTITY_LABELS + CONLL_LABELS + ("X",))


@st.composite
def span_lists(draw, n_chars, labels=ANY_LABEL, valid=False, max_size=8):
    out = []
    for _ in range(draw(st.integers(0, max_size))):
        if valid:
            if n_chars < 1:
                break
            s = draw(st.integers(0, n_chars - 1))
            e = draw(st.integers(s + 1, n_chars))
        else:  # overlapping, empty, inverted and out-of-range spans too
            s = draw(st.integers(-2, n_chars + 2))
            e = draw(st.integers(s - 2, n_chars + 3))
        out.append((s, e, draw(labels)))
    return out


@st.composite
def corpora(draw, valid=False, labels=ANY_LABEL):
    texts = draw(st.lists(TEXTS, min_size=1, max_size=4))
    docs = [Document(f"d{i}", t) for i, t in enumerate(texts)]
    gold, pred = [], []
    for d in docs:
        g = draw(span_lists(len(d.text), labels, valid))
        p = draw(span_lists(len(d.text), labels, valid)) if draw(st.booleans()) else list(g)
        # near-misses of gold spans make the interesting clusters
        p += [(s + draw(st.integers(-1, 1)), e, lab) for s, e, lab in g if draw(st.booleans())]
        if valid:
            p = [(s, e, lab) for s, e, lab in p if 0 <= s < e <= len(d.text)]
        gold.append(g)
        pred.append(p)
    return docs, gold, pred


def _ents(doc, spans):
    return tuple(Entity(s, e, lab, doc.text[max(s, 0):max(e, 0)]) for s, e, lab in spans)


def _entity_anns(docs, spans):
    return [Annotations(d.doc_id, entities=_ents(d, sp)) for d, sp in zip(docs, spans)]


def _defined(scores: dict) -> dict:
    return {k: None if v != v else v for k, v in scores.items()}  # NaN (undefined) compares as None


def _same_table(a: CountTable, b: CountTable) -> None:
    assert a.fields == b.fields and a.units == b.units
    np.testing.assert_array_equal(a.values, b.values)


# ---- scorers: fast == reference ------------------------------------------------------


@SETTINGS
@given(corpora(), st.sampled_from(["ontonotes", "conll"]))
def test_entity_counts_equal_reference(corpus, scheme):
    docs, g, p = corpus
    if scheme == "conll":
        p = [[(s, e, FINE_TO_CONLL.get(lab, lab)) for s, e, lab in sp] for sp in p]
    gold, pred = _entity_anns(docs, g), _entity_anns(docs, p)
    doc_t, sent_t = get_task("entities").count_units(docs, gold, pred, [], ("document", "sentence"),
                                                        label_scheme=scheme)
    _same_table(doc_t, _ref_entities(docs, gold, pred, "document", scheme))
    _same_table(sent_t, _ref_entities(docs, gold, pred, "sentence", scheme))


@st.composite
def timex_corpora(draw):
    docs, g, p = draw(corpora(labels=st.sampled_from(["DATE", "TIME"])))

    def tx(doc, spans):
        return tuple(Timex(s, e, lab, draw(st.sampled_from(["2024", "2025"])), "") for s, e, lab in spans)

    return docs, [Annotations(d.doc_id, timexes=tx(d, s)) for d, s in zip(docs, g)], \
        [Annotations(d.doc_id, timexes=tx(d, s)) for d, s in zip(docs, p)]


@SETTINGS
@given(timex_corpora())
def test_timex_counts_equal_reference(corpus):
    docs, gold, pred = corpus
    tables = get_task("timex").count_units(docs, gold, pred, [], ("document", "sentence"))
    for unit, table in zip(("document", "sentence"), tables):
        _same_table(table, _ref_timex(docs, gold, pred, unit))


@st.composite
def timex_pairs(draw):
    def spans():
        out = []
        for _ in range(draw(st.integers(0, 5))):
            a = draw(st.integers(0, 12))
            out.append(Timex(a, a + draw(st.integers(1, 6)), "DATE", "x", ""))
        return sorted(out)
    return spans(), spans()


def _brute_force_best(gold, pred, min_iou):
    """(pairs, identical-offset pairs, total overlap) of the best matching, by enumeration."""
    from itertools import permutations

    from bench.scoring.base import iou, overlap

    ok = lambda g, p: overlap(g, p) > 0 and (min_iou <= 0 or iou(g, p) >= min_iou)  # noqa: E731
    best = (0, 0, 0)
    slots = list(range(len(pred))) + [None] * len(gold)
    for choice in set(permutations(slots, len(gold))):
        pairs = [(gi, pi) for gi, pi in enumerate(choice) if pi is not None and ok(gold[gi], pred[pi])]
        if len(pairs) != sum(pi is not None for pi in choice):
            continue
        key = (len(pairs), sum((gold[a].start, gold[a].end) == (pred[b].start, pred[b].end) for a, b in pairs),
               sum(overlap(gold[a], pred[b]) for a, b in pairs))
        best = max(best, key)
    return best


@FEW
@given(timex_pairs(), st.sampled_from([0.0, 0.5]))
def test_max_overlap_match_is_optimal_and_one_to_one(spans, min_iou):
    from bench.scoring.base import iou, overlap

    gold, pred = spans
    assume(len(gold) <= 4 and len(pred) <= 4)
    pairs = max_overlap_match(gold, pred, min_iou)
    assert len({a for a, _ in pairs}) == len(pairs) == len({b for _, b in pairs})
    assert all(overlap(gold[a], pred[b]) > 0 and iou(gold[a], pred[b]) >= min_iou for a, b in pairs)
    got = (len(pairs), sum((gold[a].start, gold[a].end) == (pred[b].start, pred[b].end) for a, b in pairs),
           sum(overlap(gold[a], pred[b]) for a, b in pairs))
    assert got == _brute_force_best(gold, pred, min_iou)
    # adding a prediction never loses a pair
    assert len(max_overlap_match(gold, pred + [Timex(0, 20, "DATE", "x", "")], min_iou)) >= len(pairs)


@st.composite
def stance_corpora(draw):
    n = draw(st.integers(1, 4))
    docs = [Document(f"d{i}", "x" * 30) for i in range(n)]

    def stances():
        out = []
        for c in CLAIMS:
            if draw(st.booleans()):
                ev = tuple(Evidence(s, e, draw(st.sampled_from(["author", "Kim", " kim "])),
                                    draw(st.sampled_from(["asserts", "denies"])), "")
                           for s, e, _ in draw(span_lists(30, max_size=3)))
                out.append(Stance(c.claim_id, draw(st.sampled_from(STANCE_LABELS)), ev))
        return tuple(out)

    return docs, [Annotations(d.doc_id, stances=stances()) for d in docs], \
        [Annotations(d.doc_id, stances=stances()) for d in docs]


@SETTINGS
@given(stance_corpora())
def test_stance_counts_equal_reference(corpus):
    docs, gold, pred = corpus
    tables = get_task("stance").count_units(docs, gold, pred, CLAIMS, ("document", "sentence"))
    for unit, table in zip(("document", "sentence"), tables):
        _same_table(table, _ref_stance(docs, gold, pred, unit))


def test_restricted_fields_are_columns_of_the_full_table():
    rng = random.Random(3)
    docs = [Document(f"d{i}", "Alpha beta. Gamma delta. " * 3) for i in range(4)]
    spans = [[(k, k + rng.randint(1, 6), rng.choice(ENTITY_LABELS)) for k in range(0, 60, 7)] for _ in docs]
    gold, pred = _entity_anns(docs, spans), _entity_anns(docs, [s[::2] for s in spans])
    scorer = get_task("entities")
    wanted = ("ontonotes.strict.ALL.tp", "conll.nervaluate.type.LOC.act", "ontonotes.nervaluate.partial.GPE.tp",
              "conll.strict.LOC.pos")
    full, part = scorer.count_units(docs, gold, pred, [], ("sentence", "sentence"), (None, wanted))
    assert part.fields == tuple(f for f in full.fields if f in wanted)
    np.testing.assert_array_equal(part.values, full.values[:, full.columns(part.fields)])


# ---- scorers: invariants --------------------------------------------------------------


def _all_tables(docs, gold, pred):
    out = []
    for task, claims in (("entities", []), ("timex", []), ("stance", CLAIMS)):
        out.append((task, *get_task(task).count_units(docs, gold, pred, claims, ("document", "sentence"))))
    return out


def _corpus_from(docs, g, p, valid=True):
    def anns(spans_per_doc):
        out = []
        for d, sp in zip(docs, spans_per_doc):
            ents = _ents(d, sp)
            tmx = tuple(Timex(s, e, "DATE", "2024", d.text[s:e]) for s, e, _ in sp[:3])
            sts = (Stance("C01", "support", tuple(Evidence(s, e, "author", "asserts", "") for s, e, _ in sp[:2])),)
            out.append(Annotations(d.doc_id, ents, tmx, sts))
        return out
    return anns(g), anns(p)


@SETTINGS
@given(corpora())
# gold repeating an empty span, one identical prediction: strict.tp once exceeded pred
@example(([Document("d0", "", None)], [[(0, 0, "PERSON")] * 5], [[(0, 0, "PERSON")]]))
def test_counts_are_consistent_for_any_spans(corpus):
    docs, g, p = corpus
    gold, pred = _corpus_from(docs, g, p)
    for task, doc_t, sent_t in _all_tables(docs, gold, pred):
        assert (doc_t.values >= 0).all()
        # sentence units only move counts between rows: the totals are the document totals
        np.testing.assert_array_equal(sent_t.total(), doc_t.total())
        # true positives never exceed the gold or the predicted count, in any unit
        pairs = {"entities": [(f, f[:-3] + ".pos", f[:-3] + ".act") for f in doc_t.fields if f.endswith(".tp")],
                 "timex": [(tp, "gold", "pred") for tp in ("strict.tp", "relaxed.tp", "type.correct", "value.correct")],
                 "stance": [("evidence.matched", "evidence.gold", "evidence.pred"),
                            ("evidence.tokens_shared", "evidence.tokens_gold", "evidence.tokens_pred")]
                 + [(f"{c}.tp", "n", "n") for c in STANCE_LABELS]}[task]
        for t in (doc_t, sent_t):
            for tp, pos, act in pairs:
                col = t.values[:, t.column(tp)]
                assert (col <= t.values[:, t.column(pos)]).all() and (col <= t.values[:, t.column(act)]).all(), tp
        for name, value in get_task(task).evaluate(doc_t).items():
            assert value != value or 0.0 <= value <= 1.0, (task, name, value)  # NaN: undefined


@SETTINGS
@given(corpora(valid=True), st.randoms(use_true_random=False))
def test_scores_ignore_document_order(corpus, rnd):
    docs, g, p = corpus
    gold, pred = _corpus_from(docs, g, p)
    order = list(range(len(docs)))
    rnd.shuffle(order)
    shuffled = [docs[i] for i in order], [gold[i] for i in order], [pred[i] for i in order]
    for (task, a, _), (_, b, _) in zip(_all_tables(docs, gold, pred), _all_tables(*shuffled)):
        np.testing.assert_array_equal(a.total(), b.total())
        assert _defined(get_task(task).evaluate(a)) == _defined(get_task(task).evaluate(b))


@SETTINGS
@given(corpora(valid=True))
def test_perfect_predictions_score_one(corpus):
    docs, g, _ = corpus
    assume(any(g))
    gold, pred = _corpus_from(docs, g, g)
    res = {task: get_task(task).evaluate(t) for task, t, _ in _all_tables(docs, gold, pred)}
    for view in ("ontonotes", "conll"):
        assert res["entities"][f"{view}.strict.micro_f1"] == 1.0
        for scheme in SCHEMES:
            assert res["entities"][f"{view}.nervaluate.{scheme}.micro_f1"] == 1.0
    assert res["timex"]["value.f1"] == res["timex"]["strict.f1"] == 1.0
    assert res["stance"]["accuracy"] == 1.0


# ---- loaders never crash ---------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
FIELD_VALUES = JSON | st.sampled_from([0, 1, 5, -1, 10**9, "GPE", "DATE", "2024-05-05", "C01", "support",
                                       "asserts", "doc000", "Paris", True])


@st.composite
def prediction_lines(draw):
    def record(keys):
        return {k: draw(FIELD_VALUES) for k in keys if draw(st.integers(0, 5))}

    obj = {}
    if draw(st.integers(0, 5)):
        obj["doc_id"] = draw(st.sampled_from(["doc000", "doc001", "doc002"]) | JSON)
    for layer_name, keys in (("entities", ("start", "end", "label", "text", "entity_id")),
                             ("timexes", ("start", "end", "type", "value", "text")),
                             ("stances", ("claim_id", "label", "evidence"))):
        if draw(st.booleans()):
            obj[layer_name] = [record(keys) for _ in range(draw(st.integers(0, 2)))] if draw(st.booleans()) \
                else draw(JSON)
    return json.dumps(obj, allow_nan=True)


def _tmp_file(data: bytes) -> Path:
    fh = tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False)
    fh.write(data)
    fh.close()
    return Path(fh.name)


def _loads_or_data_error(fn, path):
    try:
        fn(path)
    except DataError as exc:
        assert str(exc).startswith(str(path)), exc  # the message names the file (and line)
        assert "\n" not in str(exc), exc  # one line
    finally:
        path.unlink()


@SETTINGS
@given(st.lists(prediction_lines(), min_size=1, max_size=3), st.booleans())
def test_prediction_loader_raises_only_data_errors(synth_corpus, lines, partial):
    path = _tmp_file("\n".join(lines).encode() + b"\n")
    _loads_or_data_error(lambda p: read_predictions(p, synth_corpus, partial=partial), path)


@SETTINGS
@given(st.binary(max_size=200) | st.lists(st.sampled_from([b"{", b"}", b"[", b"\"", b"\\ud800", b"\xff", b"\n",
                                                          b"1e999", b"NaN", b"{\"doc_id\": ", b"\"doc000\""]),
                                        max_size=30).map(b"".join))
def test_prediction_loader_survives_random_bytes(synth_corpus, data):
    path = _tmp_file(data)
    _loads_or_data_error(lambda p: read_predictions(p, synth_corpus, partial=True), path)


@pytest.mark.parametrize("line", [
    "[" * 100_000,  # nesting deeper than the JSON parser's recursion limit
    '{"doc_id": "doc000", "entities": [{"start": 1' + "0" * 5000 + ', "end": 2, "label": "GPE", "text": "x"}]}',
    '{"doc_id": "doc000\\ud800"}',  # an unpaired surrogate escape
    '{"doc_id": "doc000", "entities": "' + "x" * 3_000_000 + '"}',  # a huge line
    '{"doc_id": "doc000", "entities": [{"start": 0, "end": 1, "label": "GPE", "text": "P", "entity_id": null},'
    ' {"start": 0, "end": 1, "label": "GPE", "text": "P", "entity_id": "x"}]}',  # None vs str ids sort
])
def test_prediction_loader_edge_lines(synth_corpus, line):
    path = _tmp_file(line.encode() + b"\n")
    _loads_or_data_error(lambda p: read_predictions(p, synth_corpus, partial=True), path)


@st.composite
def document_rows(draw):
    row = {"doc_id": draw(st.sampled_from(["doc000", "doc001"]) | FIELD_VALUES),
           "text": draw(st.just("Paris is big.") | FIELD_VALUES)}
    for name, keys in (("entities", ("start", "end", "label", "text", "entity_id")),
                       ("timexes", ("start", "end", "type", "value", "text"))):
        if draw(st.booleans()):
            row[name] = [{k: draw(FIELD_VALUES) for k in keys if draw(st.integers(0, 5))}
                         for _ in range(draw(st.integers(0, 2)))] if draw(st.booleans()) else draw(FIELD_VALUES)
    return row


@st.composite
def stance_rows(draw):
    row = {k: draw(v | FIELD_VALUES) for k, v in (("doc_id", st.just("doc000")), ("claim_id", st.just("C01")),
                                                   ("label", st.just("support"))) if draw(st.integers(0, 5))}
    if draw(st.booleans()):
        row["evidence"] = [{k: draw(FIELD_VALUES) for k in ("start", "end", "holder", "polarity", "text")
                            if draw(st.integers(0, 5))}] if draw(st.booleans()) else draw(FIELD_VALUES)
    return row


@SETTINGS
@given(st.lists(document_rows(), min_size=1, max_size=3), st.lists(stance_rows(), max_size=2))
def test_dataset_loader_raises_only_data_errors(docs, stances):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for sub, rows in (("documents", docs), ("claims", [{"claim_id": "C01", "text": "c"}]), ("stance", stances)):
            (root / sub).mkdir()
            (root / sub / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        try:
            load_dataset_dir(root)
        except DataError:
            pass


@FEW
@given(st.lists(st.dictionaries(st.sampled_from(["doc_id", "text", "dct"]), FIELD_VALUES, max_size=3),
                min_size=1, max_size=3))
def test_input_document_loader_raises_only_data_errors(rows):
    path = _tmp_file("".join(json.dumps(r) + "\n" for r in rows).encode())
    _loads_or_data_error(read_input_documents, path)


@FEW
@given(st.lists(TEXTS, min_size=1, max_size=3), st.data())
def test_code_point_offsets_are_accepted_in_any_unicode_text(texts, data):
    """Spans given as code-point offsets into texts with astral characters and combining
    marks load and score; the same spans shifted to UTF-8 byte offsets do not load."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        docs = [{"doc_id": f"d{i}", "text": t + " Zed.", "entities": []} for i, t in enumerate(texts)]
        stance = [{"doc_id": d["doc_id"], "claim_id": "C01", "label": "unrelated", "evidence": []} for d in docs]
        for sub, rows in (("documents", docs), ("claims", [{"claim_id": "C01", "text": "c"}]), ("stance", stance)):
            (root / sub).mkdir()
            (root / sub / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        corpus = load_dataset_dir(root)
        lines = []
        for d in docs:
            spans = data.draw(span_lists(len(d["text"]), st.sampled_from(ENTITY_LABELS), valid=True))
            lines.append({"doc_id": d["doc_id"], "entities": [
                {"start": s, "end": e, "label": lab, "text": d["text"][s:e]} for s, e, lab in spans]})
        (root / "p.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
        preds = read_predictions(root / "p.jsonl", corpus)
        table = get_task("entities").count(corpus.documents, corpus.gold, preds, [], "sentence")
        # distinct predictions: the strict figures treat predictions as a set
        assert table.total()[table.column("ontonotes.strict.ALL.act")] == sum(
            len({(e["start"], e["end"], e["label"]) for e in x["entities"]}) for x in lines)
        assert table.total()[table.column("ontonotes.nervaluate.strict.ALL.act")] == sum(len(x["entities"]) for x in lines)
        # byte offsets: wrong whenever a non-ASCII character precedes the span
        text = docs[0]["text"]
        z = text.rindex("Zed")
        b = len(text[:z].encode("utf-8"))
        if b != z:
            bad = {"doc_id": "d0", "entities": [{"start": b, "end": b + 3, "label": "PERSON", "text": "Zed"}]}
            (root / "b.jsonl").write_text(json.dumps(bad) + "\n", encoding="utf-8")
            with pytest.raises(DataError, match="b.jsonl:1"):
                read_predictions(root / "b.jsonl", corpus, partial=True)


# ---- statistics and output --------------------------------------------------------------


@FEW
@given(st.integers(1030, 1400), st.integers(1, 6), st.integers(0, 2 ** 31), st.integers(1, 90))
def test_pattern_draws_are_whole_resamples(n_units, width, seed, n_resamples):
    """Tables with repeated rows are drawn as counts of distinct rows: every resample
    draws exactly n units, and each sum is the weighted sum of the distinct rows."""
    import bench.stats as stats

    rng = np.random.default_rng(seed)
    a = (rng.integers(0, 3, size=(20, width)) * 0.5)[rng.integers(0, 20, n_units)]  # rows repeat
    b = (rng.integers(0, 5, size=(10, 2)) * 0.25)[rng.integers(0, 10, n_units)]
    pattern, distinct = stats._joint_patterns([a, b])
    np.testing.assert_array_equal(distinct[0][pattern], a)
    np.testing.assert_array_equal(distinct[1][pattern], b)
    rows, chunks = stats._weight_chunks([a, b], n_resamples, seed)
    w = np.concatenate(list(chunks))
    assert w.shape == (n_resamples, len(distinct[0])) and (w.sum(axis=1) == n_units).all()
    sums = stats._resampled_sums([a, b], n_resamples, seed)
    np.testing.assert_array_equal(sums[0], w @ rows[0])
    np.testing.assert_array_equal(sums[1], w @ rows[1])


def test_bootstrap_many_equals_separate_bootstraps():
    from bench.scoring.base import prf_metrics
    from bench.stats import bootstrap, bootstrap_many

    rng = np.random.default_rng(4)
    units = tuple(f"u{i}" for i in range(1500))
    t1 = CountTable("t", ("tp", "pos", "act"), units, rng.integers(0, 3, size=(1500, 3)).astype(float))
    t2 = CountTable("t", ("tp", "pos", "act"), units, rng.random((1500, 3)))  # not counts: plain path
    t3 = CountTable("t", ("tp", "pos", "act"), units[:700], rng.integers(0, 3, size=(700, 3)).astype(float))
    ms = prf_metrics("", "tp", "pos", "act")
    together = bootstrap_many([(t1, ms), (t2, ms), (t3, ms), (t1, [])], 120, 9)
    assert together == [bootstrap(t1, ms, 120, 9), bootstrap(t2, ms, 120, 9), bootstrap(t3, ms, 120, 9), {}]


def test_read_jsonl_names_the_line_of_an_invalid_byte(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": "\xff"}\n')
    with pytest.raises(DataError, match=r"x.jsonl:2: not valid UTF-8"):
        list(read_jsonl(path))


def test_layer_errors_stay_value_errors():
    with pytest.raises(ValueError, match="task not produced"):
        layer(Annotations("a", entities=None), "entities", "pred")


# ---- the result reader: untrusted submitted files ---------------------------------------

def _valid_result() -> dict:
    from bench.results import ExtractorInfo, RunInfo, RunRecord, Score, TaskResult, to_json
    from tests.fixtures import sub_table, table

    t = TaskResult("timex", "timex-v2", "value.f1", "ontonotes", (("value.f1", Score(0.5, 0.4, 0.6)),),
                   table("timex", ("gold", "pred"), {"d1": [2.0, 2.0]}), "sentence",
                   sub_table("timex", ("gold",), {"d1": [[2.0]]}))
    return to_json(RunRecord(RunInfo("m", (), None, "x", 1, 10), ExtractorInfo("m", "1", "ontonotes", ("timex",), ()),
                             "sha256:0123456789abcdef", 1, "0.1.0", (t,)), "0" * 64)


def _mutate(draw, obj, depth=0):
    """A copy of a JSON value with one random place replaced by random JSON."""
    if isinstance(obj, dict) and obj and depth < 6 and draw(st.integers(0, 3)):
        key = draw(st.sampled_from(sorted(obj)))
        return {**obj, key: _mutate(draw, obj[key], depth + 1)}
    if isinstance(obj, list) and obj and depth < 6 and draw(st.integers(0, 3)):
        i = draw(st.integers(0, len(obj) - 1))
        return obj[:i] + [_mutate(draw, obj[i], depth + 1)] + obj[i + 1:]
    return draw(FIELD_VALUES | st.just(None) | st.just("<script>alert(1)</script>"))


@SETTINGS
@given(st.data())
def test_result_reader_refuses_any_mutated_result_with_one_line(data):
    from bench.results import read_result

    obj = _mutate(data.draw, _valid_result())
    path = _tmp_file(json.dumps(obj).encode())
    _loads_or_data_error(read_result, path)


@SETTINGS
@given(st.binary(max_size=300) | st.just(json.dumps(_valid_result()).encode()[:200]))
def test_result_reader_survives_random_bytes(data):
    from bench.results import read_result

    _loads_or_data_error(read_result, _tmp_file(data))


@FEW
@given(data=st.data())
def test_a_bad_result_never_leaves_a_partial_output(tmp_path_factory, data):
    """`bench compare` and `bench leaderboard` on a mutated result: an error line, no page written."""
    from typer.testing import CliRunner

    from bench.cli import app

    root = tmp_path_factory.mktemp("lb")
    (root / "runs").mkdir()
    (root / "runs" / "m.json").write_text(json.dumps(_mutate(data.draw, _valid_result())))
    res = CliRunner().invoke(app, ["leaderboard", "--runs", str(root / "runs"), "--output", str(root / "out"),
                                   "--readme", str(root / "none.md")])
    assert res.exit_code in (0, 2), res.output
    if res.exit_code == 2:
        assert res.stderr.startswith("error: ") and res.stderr.count("\n") == 1
        assert not (root / "out").exists()
