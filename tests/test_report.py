import json
import re

import pytest
from toy_bench import CORPUS, D1, EXPECTED_ENTITIES, EXPECTED_STANCE, EXPECTED_TIMEX, GOLD, PRED, ToyConll, tmx
from typer.testing import CliRunner

from bench.report import (
    analyse, classify_entities, classify_timexes, counts, entity_confusion, highlight, render_report, report_command,
    stance_confusion,
)
from bench.scoring import get_scorer
from bench.types import STANCE_LABELS, Entity


def test_entity_categories_on_a_hand_built_document():
    pairs = classify_entities(GOLD[0].entities, PRED[0].entities)
    got = {(p.gold.text if p.gold else None, p.pred.text if p.pred else None): p.category for p in pairs}
    assert got == {
        ("Kim Jong Un", "Kim Jong Un"): "correct",
        ("Putin", "Putin"): "wrong_label",
        ("Moscow", "Moscow on"): "wrong_boundary",
        ("DPRK", "DPRK army"): "wrong_both",
        ("Kursk <region>", None): "missed",
    }
    assert [p.start for p in pairs] == sorted(p.start for p in pairs)  # document order


def test_exact_span_with_right_label_wins_over_an_earlier_wrong_label():
    gold = [Entity(0, 5, "ORG", ""), Entity(0, 5, "PERSON", "")]
    pred = [Entity(0, 5, "PERSON", "")]
    cats = sorted(p.category for p in classify_entities(gold, pred))
    assert cats == ["correct", "missed"]


def test_timex_categories_and_values():
    pairs = classify_timexes(GOLD[0].timexes + GOLD[1].timexes, PRED[0].timexes + PRED[1].timexes)
    got = {(p.gold.text if p.gold else None, p.pred.text if p.pred else None): p.category for p in pairs}
    assert got == {("Monday", "Monday"): "wrong_value", ("last year", None): "missed",
                   ("5 May 2025", "5 May"): "wrong_boundary"}
    spurious = classify_timexes([], [tmx(D1, "Monday", "DATE", "2025-04-28")])
    assert [p.category for p in spurious] == ["spurious"]


def test_counts_match_the_scorers_counts():
    docs = analyse(CORPUS, PRED, "ontonotes")
    ents, tx = counts(docs, "entities"), counts(docs, "timexes")
    assert ents == EXPECTED_ENTITIES and tx == EXPECTED_TIMEX and counts(docs, "stances") == EXPECTED_STANCE
    table = get_scorer("entities").count(CORPUS.documents, CORPUS.gold, PRED, CORPUS.claims, label_scheme="ontonotes")
    total = dict(zip(table.fields, table.total()))
    assert ents["correct"] == total["fine.strict.ALL.cor"]
    assert ents["missed"] == total["fine.strict.ALL.mis"] and ents["spurious"] == total["fine.strict.ALL.spu"]
    assert ents["wrong_label"] + ents["wrong_boundary"] + ents["wrong_both"] == total["fine.strict.ALL.inc"]
    assert ents["correct"] + ents["wrong_label"] == total["fine.exact.ALL.cor"]
    t = dict(zip(*(lambda tb: (tb.fields, tb.total()))(
        get_scorer("timex").count(CORPUS.documents, CORPUS.gold, PRED, CORPUS.claims))))
    assert tx["correct"] + tx["wrong_value"] == t["strict.tp"]
    assert tx["correct"] + tx["wrong_value"] + tx["wrong_boundary"] == t["relaxed.tp"]


def test_conll_runs_are_judged_on_conll_labels():
    preds = [ToyConll().extract(d, CORPUS.claims) for d in CORPUS.documents]
    docs = analyse(CORPUS, preds, "conll")
    assert counts(docs, "entities") == {"correct": 7, "wrong_label": 0, "wrong_boundary": 0, "wrong_both": 0,
                                        "missed": 2, "spurious": 0}
    assert counts(docs, "timexes") is None and counts(docs, "stances") is None  # not attempted
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


def _dataset_dir(root):
    """CORPUS in the package's dataset format."""
    (root / "documents").mkdir(parents=True)
    (root / "claims").mkdir()
    (root / "stance").mkdir()
    with open(root / "documents/test.jsonl", "w") as fh:
        for d, g in zip(CORPUS.documents, CORPUS.gold):
            fh.write(json.dumps({"doc_id": d.doc_id, "text": d.text, "dct": d.dct,
                                 "entities": [{"start": e.start, "end": e.end, "label": e.label, "text": e.text}
                                              for e in g.entities],
                                 "timexes": [{"start": t.start, "end": t.end, "type": t.type, "value": t.value,
                                              "text": t.text} for t in g.timexes]}) + "\n")
    (root / "claims/test.jsonl").write_text("".join(json.dumps({"claim_id": c.claim_id, "text": c.text}) + "\n"
                                                    for c in CORPUS.claims))
    (root / "stance/test.jsonl").write_text("".join(
        json.dumps({"doc_id": g.doc_id, "claim_id": s.claim_id, "label": s.label,
                    "evidence": [{"start": e.start, "end": e.end, "holder": e.holder, "polarity": e.polarity,
                                  "text": e.text} for e in s.evidence]}) + "\n"
        for g in CORPUS.gold for s in g.stances))
    return root


@pytest.fixture
def run_files(tmp_path):
    from toy_bench import ToyExtractor

    from bench.corpus import load_dataset_dir
    from bench.evaluate import Settings, evaluate_extractor
    from bench.predictions import write_predictions
    from bench.results import write_result

    ds = _dataset_dir(tmp_path / "ds")
    rec, preds, _ = evaluate_extractor(ToyExtractor(), load_dataset_dir(ds), str(ds), Settings(1, 20))
    write_result(tmp_path / "r.json", rec)
    write_predictions(tmp_path / "p.jsonl", preds)
    return ds, tmp_path / "r.json", tmp_path / "p.jsonl"


def test_report_command_from_result_and_predictions(run_files, tmp_path):
    ds, result, preds = run_files
    path, c = report_command(None, result, preds, ds, tmp_path / "out" / "report.html")
    assert c["entities"] == EXPECTED_ENTITIES and c["timex"] == EXPECTED_TIMEX and c["stance"] == EXPECTED_STANCE
    page = path.read_text()
    assert "model:toy@1.0|data:sha256:" in page  # the run's signature heads the page


def test_report_command_refuses_a_result_from_another_dataset(run_files, tmp_path):
    from bench.io import DataError

    ds, result, preds = run_files
    obj = json.loads(result.read_text())
    obj["dataset"]["fingerprint"] = "sha256:0000000000000000"
    result.write_text(json.dumps(obj))
    with pytest.raises(DataError, match="scored on dataset sha256:0000000000000000"):
        report_command(None, result, preds, ds, tmp_path / "report.html")


def test_cli_report(run_files, tmp_path):
    from bench.cli import app

    ds, result, preds = run_files
    out = tmp_path / "r.html"
    res = CliRunner().invoke(app, ["report", "--result", str(result), "--predictions", str(preds),
                                   "--dataset", str(ds), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "missed=1" in res.output and out.is_file()
    res = CliRunner().invoke(app, ["report", "--result", str(result), "--out", str(out)])
    assert res.exit_code == 2 and "--predictions" in res.output
    res = CliRunner().invoke(app, ["report", "--model", "x", "--result", str(result), "--predictions", str(preds),
                                   "--out", str(out)])
    assert res.exit_code == 2

