import json
import re

import pytest
from tests.fixtures import (
    CORPUS, D1, EXPECTED_ENTITIES, EXPECTED_STANCE, EXPECTED_TIMEX, GOLD, PRED, ToyConll, tmx, toy_dataset_dir,
)
from typer.testing import CliRunner

from bench.report import (
    analyse, counts, entity_confusion, highlight, render_report, report_command, scorer_counts, stance_confusion,
)
from bench.scoring import entities as ent_scoring
from bench.scoring import get_task
from bench.scoring import timex as timex_scoring
from bench.types import STANCE_LABELS, Annotations, Entity


def _outcomes(links):
    return {(x.gold.text if x.gold else None, x.pred.text if x.pred else None): x.outcome for x in links}


def test_entity_outcomes_on_a_hand_built_document():
    links = ent_scoring.align_document(GOLD[0], PRED[0], "ontonotes")
    assert _outcomes(links) == {
        ("Kim Jong Un", "Kim Jong Un"): "correct",
        ("Putin", "Putin"): "wrong_label",
        ("Moscow", "Moscow on"): "wrong_boundary",
        ("DPRK", "DPRK army"): "wrong_both",
        ("Kursk <region>", None): "missed",
    }
    assert [x.start for x in links] == sorted(x.start for x in links)  # document order


def test_an_extra_overlapping_prediction_leaves_the_exact_hit_correct():
    """The scoring issue's case: gold "Kim Jong Un", predictions "Kim" and "Kim Jong Un":
    the scorer counts one hit and one false positive, and the report shows just that."""
    text = "Kim Jong Un spoke."
    gold = Annotations("d", (Entity(0, 11, "PERSON", "Kim Jong Un"),))
    pred = Annotations("d", (Entity(0, 3, "PERSON", "Kim"), Entity(0, 11, "PERSON", "Kim Jong Un")))
    links = ent_scoring.align_document(gold, pred, "ontonotes")
    assert _outcomes(links) == {("Kim Jong Un", "Kim Jong Un"): "correct", (None, "Kim"): "spurious"}
    from bench.types import Document

    table = get_task("entities").count([Document("d", text)], [gold], [pred], [])
    total = dict(zip(table.fields, table.total()))
    assert ent_scoring.link_counts(links, "ontonotes") == {k: total[k] for k in (
        "ontonotes.strict.ALL.tp", "ontonotes.strict.ALL.pos", "ontonotes.strict.ALL.act")} == {
        "ontonotes.strict.ALL.tp": 1, "ontonotes.strict.ALL.pos": 1, "ontonotes.strict.ALL.act": 2}


def test_same_span_right_label_is_correct_even_beside_a_wrong_label():
    gold = Annotations("d", (Entity(0, 5, "ORG", ""),))
    pred = Annotations("d", (Entity(0, 5, "PERSON", ""), Entity(0, 5, "ORG", "")))
    assert sorted(x.outcome for x in ent_scoring.align_document(gold, pred, "ontonotes")) == ["correct", "spurious"]


def test_timex_outcomes_and_values():
    gold = Annotations("d", timexes=GOLD[0].timexes + GOLD[1].timexes)
    pred = Annotations("d", timexes=PRED[0].timexes + PRED[1].timexes)
    links = timex_scoring.align_document(gold, pred)
    assert _outcomes(links) == {("Monday", "Monday"): "wrong_value", ("last year", None): "missed",
                                ("5 May 2025", "5 May"): "wrong_boundary"}
    spurious = timex_scoring.align_document(Annotations("d", timexes=()),
                                            Annotations("d", timexes=(tmx(D1, "Monday", "DATE", "2025-04-28"),)))
    assert [x.outcome for x in spurious] == ["spurious"]


def test_counts_match_the_scorers_counts():
    docs = analyse(CORPUS, PRED, "ontonotes")
    ents, tx = counts(docs, "entities"), counts(docs, "timex")
    assert ents == EXPECTED_ENTITIES and tx == EXPECTED_TIMEX and counts(docs, "stance") == EXPECTED_STANCE
    table = get_task("entities").count(CORPUS.documents, CORPUS.gold, PRED, CORPUS.claims, label_scheme="ontonotes")
    total = dict(zip(table.fields, table.total()))
    assert ents["correct"] == total["ontonotes.strict.ALL.tp"]
    fn = ents["missed"] + ents["wrong_label"] + ents["wrong_boundary"] + ents["wrong_both"]
    fp = ents["spurious"] + ents["wrong_label"] + ents["wrong_boundary"] + ents["wrong_both"]
    assert fn == total["ontonotes.strict.ALL.pos"] - total["ontonotes.strict.ALL.tp"]
    assert fp == total["ontonotes.strict.ALL.act"] - total["ontonotes.strict.ALL.tp"]
    t = dict(zip(*(lambda tb: (tb.fields, tb.total()))(
        get_task("timex").count(CORPUS.documents, CORPUS.gold, PRED, CORPUS.claims))))
    assert tx["correct"] + tx["wrong_value"] <= t["strict.tp"]
    assert tx["correct"] + tx["wrong_value"] + tx["wrong_boundary"] == t["relaxed.tp"]


def test_conll_runs_are_judged_on_conll_labels():
    preds = [ToyConll().extract(d, CORPUS.claims) for d in CORPUS.documents]
    docs = analyse(CORPUS, preds, "conll")
    assert counts(docs, "entities") == {"correct": 7, "wrong_label": 0, "wrong_boundary": 0, "wrong_both": 0,
                                        "missed": 2, "spurious": 0}
    assert counts(docs, "timex") is None and counts(docs, "stance") is None  # not attempted
    labels, _ = entity_confusion(docs, "conll")
    assert labels == ["PER", "ORG", "LOC", "(none)"]


def test_confusion_matrices():
    docs = analyse(CORPUS, PRED, "ontonotes")
    labels, m = entity_confusion(docs, "ontonotes")
    assert labels == ["PERSON", "ORG", "GPE", "LOC", "EVENT", "(none)"]
    cell = {(g, p): m[i][j] for i, g in enumerate(labels) for j, p in enumerate(labels)}
    assert cell[("PERSON", "ORG")] == 1 and cell[("ORG", "PERSON")] == 1 and cell[("GPE", "GPE")] == 4
    assert cell[("LOC", "(none)")] == 1 and cell[("(none)", "EVENT")] == 1
    sm = stance_confusion(docs)
    at = {(g, p): sm[i][j] for i, g in enumerate(STANCE_LABELS) for j, p in enumerate(STANCE_LABELS)}
    assert at[("support", "support")] == 1 and at[("unrelated", "discuss")] == 1 and at[("refute", "refute")] == 1
    assert sum(map(sum, sm)) == len(CORPUS.documents) * len(CORPUS.claims)


def test_highlight_keeps_text_and_handles_overlap_and_escaping():
    text = "a<b>&cdef"
    out = highlight(text, [(0, 4, "<i>", "</i>", "[L1]"), (2, 9, "<u>", "</u>", "[L2]")])
    assert re.sub(r"<[^>]+>|\[L\d\]", "", out) == "a&lt;b&gt;&amp;cdef"
    assert out == "<i>a&lt;</i><i><u>b&gt;</u></i>[L1]<u>&amp;cdef</u>[L2]"


def test_report_page_summary_counts_escaping_and_determinism():
    page = render_report(CORPUS, PRED, "ontonotes", name="toy")
    assert page == render_report(CORPUS, PRED, "ontonotes", name="toy")
    summary = re.search(r'<table class="counts" data-task="entities"[^>]*>', page).group(0)
    for k, v in EXPECTED_ENTITIES.items():
        assert f'data-count-{k.replace("_", "-")}="{v}"' in summary
    assert 'data-task="timex" data-attempted="true"' in page and 'data-count-wrong-value="1"' in page
    assert 'data-count-agree="3"' in page and 'data-count-disagree="1"' in page
    assert "Kursk &lt;region&gt;" in page and "<region>" not in page
    assert "2025-04-28" in page and "2025-04-21" in page  # gold vs predicted timex value
    assert page.count('<td class="agree"') == 3 and page.count('<td class="disagree"') == 1
    assert "<script" not in page and "http" not in page


@pytest.fixture
def run_files(tmp_path):
    from bench.runner import RunSpec
    from bench.workflows import evaluate_command

    ds = toy_dataset_dir(tmp_path / "ds")
    evaluate_command(RunSpec(model="tests.fixtures:ToyExtractor", dataset=str(ds), seed=1, n_resamples=20),
                     tmp_path / "r.json", tmp_path / "p.jsonl")
    return ds, tmp_path / "r.json", tmp_path / "p.jsonl"


def test_report_command_from_result_and_predictions(run_files, tmp_path):
    ds, result, preds = run_files
    path, c = report_command(result, preds, str(ds), tmp_path / "out" / "report.html")
    assert c["entities"] == EXPECTED_ENTITIES and c["timex"] == EXPECTED_TIMEX and c["stance"] == EXPECTED_STANCE
    page = path.read_text()
    assert "model:toy@1.0|args:none|config:" in page  # the run's signature heads the page


def test_report_command_refuses_a_result_from_another_dataset(run_files, tmp_path):
    from bench.io import DataError

    ds, result, preds = run_files
    obj = json.loads(result.read_text())
    obj["dataset"]["fingerprint"] = "sha256:0000000000000000"
    result.write_text(json.dumps(obj))
    with pytest.raises(DataError, match="scored on dataset sha256:0000000000000000"):
        report_command(result, preds, str(ds), tmp_path / "report.html")


def test_cli_report(run_files, tmp_path):
    from bench.cli import app

    ds, result, preds = run_files
    out = tmp_path / "r.html"
    res = CliRunner().invoke(app, ["report", "--result", str(result), "--predictions", str(preds),
                                   "--dataset", str(ds), "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert "missed=1" in res.output and out.is_file()
    res = CliRunner().invoke(app, ["report", "--result", str(result), "--output", str(out)])
    assert res.exit_code == 2 and "--predictions" in res.output
    res = CliRunner().invoke(app, ["report", "--model", "x", "--result", str(result), "--predictions", str(preds),
                                   "--output", str(out)])
    assert res.exit_code == 2  # the report reads results; it never runs a model



def _random_predictions(rng, corpus):
    """Random spans (overlapping, duplicated, nested) of random labels, stances and evidence."""
    from bench.types import ENTITY_LABELS, STANCE_LABELS, Evidence, Stance, Timex

    out = []
    for doc in corpus.documents:
        n = len(doc.text)

        def span():
            a = rng.randrange(0, n - 1)
            return a, min(n, a + rng.randrange(1, 15))

        ents = []
        for _ in range(rng.randrange(0, 12)):
            a, b = span()
            ents.append(Entity(a, b, rng.choice(ENTITY_LABELS[:5]), doc.text[a:b]))
        for g in rng.sample(list(corpus.gold[corpus.documents.index(doc)].entities), 2):
            ents += [g, Entity(g.start, g.end, g.label, g.text)]  # hits and a duplicate
        tmxs = []
        for _ in range(rng.randrange(0, 5)):
            a, b = span()
            tmxs.append(Timex(a, b, "DATE", rng.choice(["2024", "2025-04-28"]), doc.text[a:b]))
        sts = []
        for c in corpus.claims:
            ev = []
            for _ in range(rng.randrange(0, 3)):
                a, b = span()
                ev.append(Evidence(a, b, rng.choice(["author", "kim"]), "asserts", doc.text[a:b]))
            sts.append(Stance(c.claim_id, rng.choice(STANCE_LABELS), tuple(ev)))
        out.append(Annotations(doc.doc_id, tuple(ents), tuple(tmxs), tuple(sts)))
    return out


@pytest.mark.parametrize("seed", range(12))
def test_report_counts_equal_the_result_files_on_random_predictions(seed, tmp_path):
    """One matcher: what the report shows adds up to the result file, count for count."""
    import random

    from bench.corpus import load_dataset_dir
    from bench.predictions import write_predictions
    from tests.fixtures import evaluate_file

    corpus = load_dataset_dir(toy_dataset_dir(tmp_path / "ds"))
    preds = _random_predictions(random.Random(seed), corpus)
    write_predictions(tmp_path / "p.jsonl", preds, "ontonotes")
    rec, _ = evaluate_file(tmp_path / "p.jsonl", corpus, "ds", 1, 10)
    docs = analyse(corpus, preds, "ontonotes")
    for tr in rec.tasks:
        sums = tr.sums()
        shown = scorer_counts(docs, tr.task, "ontonotes")
        assert shown and all(shown[f] == sums[f] for f in shown), tr.task
