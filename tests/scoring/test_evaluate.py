import json

import numpy as np

import pytest

from bench import __version__
from bench.evaluate import infer_label_scheme, score_predictions
from bench.runner import extract
from bench.io import DataError
from bench.predictions import write_predictions
from bench.results import ExtractorInfo
from bench.scoring import TASKS
from bench.types import Annotations, Document, Entity
from tests import fixtures as sd
from tests.fixtures import (
    CapitalisedExtractor, PerfectExtractor, WrongDocExtractor, evaluate_extractor, evaluate_file, invoke, run_info,
)

PERFECT = "tests.fixtures:PerfectExtractor"
FAST = {"seed": 3, "n_resamples": 50}


def write_perfect(path):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in sd.prediction_rows()), encoding="utf-8")
    return path


# ---- library ----------------------------------------------------------------

def test_run_extractor_rejects_a_wrong_doc_id(synth_corpus):
    with pytest.raises(DataError, match="wrong-doc: returned predictions for 'doc000x' when given 'doc000'"):
        extract(WrongDocExtractor(), synth_corpus.documents, synth_corpus.claims)


def test_infer_label_scheme():
    def ann(*labels):
        return [Annotations("d", tuple(Entity(i, i + 1, lab, "x") for i, lab in enumerate(labels)))]
    assert infer_label_scheme(ann("PERSON", "GPE")) == "ontonotes"
    assert infer_label_scheme(ann("PER", "LOC")) == "conll"
    assert infer_label_scheme([Annotations("d", None)]) == "ontonotes"  # no entity layer: nothing to declare
    with pytest.raises(DataError, match=r"mixes CoNLL labels \['PER'\] with OntoNotes labels \['PERSON'\]"):
        infer_label_scheme(ann("PER", "PERSON"))
    # the scoring issue's case: ORG and LOC belong to both schemes, so guessing is refused
    for labels in (("ORG", "LOC"), ()):
        with pytest.raises(DataError, match=r"fit both the OntoNotes and the CoNLL scheme; declare it with "
                                            r"--label-scheme ontonotes\|conll"):
            infer_label_scheme(ann(*labels))
    assert infer_label_scheme(ann("ORG", "LOC"), "conll") == "conll"
    with pytest.raises(DataError, match=r"declared label scheme 'conll' but the labels \['PERSON'\] are ontonotes"):
        infer_label_scheme(ann("PERSON", "ORG"), "conll")


def test_perfect_extractor_scores_one_everywhere(synth_corpus):
    rec, preds, timings = evaluate_extractor(PerfectExtractor(), synth_corpus, "synthetic", **FAST)
    assert [t.task for t in rec.tasks] == ["entities", "timex", "stance"]
    assert [t.version for t in rec.tasks] == [TASKS[t].version for t in ("entities", "timex", "stance")]
    for t in rec.tasks:
        main = t.score(t.main_score)
        assert main.value == 1.0 and main.low is not None and main.high == 1.0, t.task
    assert rec.extractor.config == (("source", "synthetic"),)
    assert rec.n_documents == 3 and rec.seed == 3 and rec.n_resamples == 50
    assert [p.doc_id for p in preds] == ["doc000", "doc001", "doc002"]
    assert set(timings) == {"predict_s", "score_s", "docs_per_s"}


def test_hand_computed_scores_of_a_simple_rule(synth_corpus):
    """Capitalised words as PERSON, every pair unrelated (see tests/fixtures.py).

    Predicted words: Marie Durand Renault Paris May She Talks | Lyon Monday Renault The French | Lisbon
    = 13 predictions against 8 gold mentions; 6 have a gold span (Renault, Paris, Lyon, Renault,
    French, Lisbon) but none a gold label, so strict F1 = 0 and exact-span F1 = 2*6/(13+8).
    Stance: 3 of 6 gold pairs are unrelated -> accuracy 0.5; unrelated F1 = 2/3 (P 3/6, R 1), the
    other classes 0 -> macro 1/6; FNC-1 = 3 * 0.25 / (3 * 1 + 3 * 0.25) = 0.2.
    """
    rec, _, _ = evaluate_extractor(CapitalisedExtractor(), synth_corpus, "synthetic", **FAST)
    ents, stance = rec.task("entities"), rec.task("stance")
    assert rec.task("timex") is None
    assert ents.score("ontonotes.strict.micro_f1").value == 0.0
    assert ents.score("ontonotes.nervaluate.exact.micro_f1").value == pytest.approx(12 / 21)
    assert stance.score("accuracy").value == pytest.approx(0.5)
    assert stance.score("macro_f1").value == pytest.approx(1 / 6)
    assert stance.score("fnc1").value == pytest.approx(0.2)
    assert stance.confusion[1] == ((0, 0, 0, 1), (0, 0, 0, 1), (0, 0, 0, 1), (0, 0, 0, 3))
    strict = TASKS["entities"].metric("ontonotes.strict.micro_f1")
    doc002 = ents.counts.values[ents.counts.units.index("doc002")][ents.counts.columns(strict.fields)]
    assert strict(doc002)[0] == 0.0  # any figure of one document, from its row of counts
    assert ents.counts.units == ("doc000", "doc001", "doc002")


def test_declared_task_without_layer_is_an_error(synth_corpus):
    preds = [Annotations(d.doc_id, (), None, ()) for d in synth_corpus.documents]
    info = ExtractorInfo("x", "1", "ontonotes", ("timex",), ())
    with pytest.raises(DataError, match="x: declares task 'timex' but produced no timexes for doc000"):
        score_predictions(synth_corpus, preds, ("timex",), "ontonotes", info, run_info("d", **FAST))


def test_evaluate_file_and_partial(synth_corpus, tmp_path):
    path = write_perfect(tmp_path / "perfect.jsonl")
    rec, _ = evaluate_file(path, synth_corpus, "d", **FAST)
    assert rec.extractor.name == "file:perfect.jsonl" and rec.extractor.version == "file"
    assert rec.run.predictions[0] == "perfect.jsonl" and len(rec.run.predictions[1]) == 64
    assert rec.task("entities").score("ontonotes.strict.micro_f1").value == 1.0
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(lines[1], encoding="utf-8")  # doc001 only
    rec, _ = evaluate_file(path, synth_corpus, "d", 3, 50, partial=True)
    assert rec.n_documents == 1 and rec.partial
    assert rec.task("timex").doc_ids == ("doc001",)


# ---- command line -------------------------------------------------------------

def test_cli_evaluate_model_writes_a_complete_result(synth_dataset, tmp_path):
    out = tmp_path / "r" / "perfect.json"
    saved = tmp_path / "saved.jsonl"
    res = invoke("evaluate", "--model", PERFECT, "--dataset", synth_dataset, "-o", out, "--resamples", 40,
                 "--seed", 11, "--save-predictions", saved)
    assert res.exit_code == 0, res.output
    assert f"wrote {out}" in res.stdout and "perfect 1.0 on 3 documents" in res.stdout
    obj = json.loads(out.read_text(encoding="utf-8"))
    assert obj["schema"] == "kursk-ie-bench/result/v3"
    assert obj["signature"].startswith("model:perfect@1.0|args:none|config:") and "|seed:11|resamples:40" in obj["signature"]
    assert "|labels:ontonotes|data:sha256:" in obj["signature"]
    assert obj["dataset"]["fingerprint"].startswith("sha256:") and obj["dataset"]["n_documents"] == 3
    assert obj["dataset"]["name"] == synth_dataset.name  # the folder's name, never a machine path
    assert obj["package_version"] == __version__ and obj["run"]["seed"] == 11 and obj["run"]["n_resamples"] == 40
    assert obj["run"]["model"] == PERFECT and obj["run"]["model_args"] == {}
    assert obj["extractor"]["name"] == "perfect" and obj["extractor"]["version"] == "1.0"
    assert {k: v["version"] for k, v in obj["tasks"].items()} == {k: t.version for k, t in TASKS.items()}
    for task in obj["tasks"].values():
        main = task["scores"][task["main_score"]]
        assert main["value"] == 1.0
        assert len(main["ci95_doc"]) == 2 and all(x is not None for x in main["ci95_doc"] + main["ci95_sentence"])
    assert (tmp_path / "r" / "perfect.timings.json").is_file()
    # the saved predictions score the same through --predictions
    out2 = tmp_path / "r" / "saved.json"
    res = invoke("evaluate", "--predictions", saved, "--dataset", synth_dataset, "-o", out2, "--resamples", 40,
                 "--seed", 11)
    assert res.exit_code == 0, res.output
    obj2 = json.loads(out2.read_text(encoding="utf-8"))
    assert obj2["tasks"] == obj["tasks"]
    assert obj2["extractor"]["name"] == "file:saved.jsonl" and obj2["run"]["predictions"]["file"] == "saved.jsonl"


def test_cli_evaluate_predictions_perfect_file(synth_dataset, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_perfect(tmp_path / "my preds.jsonl")
    res = invoke("evaluate", "--predictions", path, "--dataset", synth_dataset, "--resamples", 30, "-q")
    assert res.exit_code == 0, res.output
    out = tmp_path / "results" / "file_my_preds.json"  # default: results/file_<safe stem>.json, apart from models
    obj = json.loads(out.read_text(encoding="utf-8"))
    assert obj["extractor"]["tasks"] == ["entities", "timex", "stance"]
    assert {t: v["scores"][v["main_score"]]["value"] for t, v in obj["tasks"].items()} == {
        "entities": 1.0, "timex": 1.0, "stance": 1.0}


def test_cli_evaluate_is_deterministic(synth_dataset, tmp_path):
    paths = [tmp_path / "a" / "r.json", tmp_path / "b" / "r.json"]
    for p in paths:
        res = invoke("evaluate", "--model", "tests.fixtures:CapitalisedExtractor",
                     "--dataset", synth_dataset, "-o", p, "--resamples", 60)
        assert res.exit_code == 0, res.output
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].with_name("r.timings.json").is_file()


@pytest.mark.parametrize("args, message", [
    (["--model", "no-such-model"], "unknown model 'no-such-model'; available: "),
    (["--model", "hf:"], "'hf:' needs a target, e.g. hf:<model>"),
    (["--model", "tests.fixtures:Missing"], "module 'tests.fixtures' has no attribute 'Missing'"),
    (["--model", "tests.no_such_module:X"], "cannot import module 'tests.no_such_module'"),
    (["--model", "tests.fixtures:NotAnExtractor"], "is not an extractor: missing name, version"),
    (["--model", PERFECT, "--predictions", "x.jsonl"], "pass exactly one of --model or --predictions"),
    ([], "pass exactly one of --model or --predictions"),
    (["--model", PERFECT, "--label-scheme", "bio"], "--label-scheme must be ontonotes or conll"),
    (["--model", PERFECT, "--resamples", "0"], "--resamples must be between 1 and 1,000,000, got 0"),
    (["--model", PERFECT, "--resamples", "100000000"], "--resamples must be between 1 and 1,000,000"),
    (["--model", PERFECT, "--seed", "-1"], "--seed must be between 0 and 4294967295, got -1"),
    (["--model", "os:system"], "'os:system' is not an extractor"),
    (["--model", "hf:../../../etc"], "cannot load '../../../etc'"),
    (["--predictions", "x.jsonl", "--model-args", "a=1"], "--model-args and --trust-remote-code apply to --model only"),
    (["--model", PERFECT, "--model-args", "trust_remote_code=true"], "pass --trust-remote-code"),
    (["--model", PERFECT, "--model-args", "novalue"], "--model-args: expected key=value, got 'novalue'"),
    (["--model", PERFECT, "--partial"], "--partial applies to --predictions only"),
    (["--predictions", "absent.jsonl"], "absent.jsonl: cannot open"),
    (["--predictions", "absent.jsonl", "--workers", "-1"], "--workers must be between 0 (one per CPU) and 256"),
])
def test_cli_evaluate_errors(synth_dataset, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    res = invoke("evaluate", *args, "--dataset", synth_dataset)
    assert res.exit_code == 2
    assert res.stderr.startswith("error: ") and message in res.stderr
    assert not (tmp_path / "results").exists()


def test_unknown_model_lists_the_registered_names(synth_dataset, monkeypatch):
    from bench import extractors

    monkeypatch.setattr(extractors, "registered", lambda: {"zeta": "m:Z", "alpha": "m:A"})
    res = invoke("evaluate", "--model", "nope", "--dataset", synth_dataset)
    assert res.exit_code == 2 and "available: alpha, zeta;" in res.stderr


def test_cli_rejects_a_directory_that_is_not_a_dataset(tmp_path):
    res = invoke("evaluate", "--model", PERFECT, "--dataset", tmp_path)
    assert res.exit_code == 2 and "not a dataset directory in this package's format" in res.stderr


def test_cli_partial_predictions(synth_dataset, tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(sd.prediction_rows()[0], ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "r.json"
    res = invoke("evaluate", "--predictions", path, "--dataset", synth_dataset, "-o", out, "--resamples", 20)
    assert res.exit_code == 2 and "pass --partial" in res.stderr and not out.exists()
    res = invoke("evaluate", "--predictions", path, "--dataset", synth_dataset, "-o", out, "--resamples", 20, "--partial")
    assert res.exit_code == 0, res.output
    obj = json.loads(out.read_text(encoding="utf-8"))
    assert obj["run"]["partial"] is True and obj["dataset"]["n_documents"] == 1 and obj["signature"].endswith("|partial")


def test_progress_bars_only_when_asked(synth_corpus, capsys):
    """Bars on stderr for counting and the bootstrap when asked (a terminal without -q), none
    otherwise; the result is the same either way."""
    from bench.cli import _progress

    quiet, _, _ = evaluate_extractor(PerfectExtractor(), synth_corpus, "synthetic", **FAST)
    assert capsys.readouterr().err == ""
    preds = [PerfectExtractor().extract(d, synth_corpus.claims) for d in synth_corpus.documents]
    info = quiet.extractor
    loud = score_predictions(synth_corpus, preds, info.tasks, "ontonotes", info, quiet.run, progress=True)
    err = capsys.readouterr().err
    assert "count" in err and "bootstrap" in err and "resample" in err
    assert loud.tasks == quiet.tasks
    assert _progress(quiet=False) is False and _progress(quiet=True) is False  # stderr is not a terminal here


def test_counting_in_chunks_gives_the_tables_of_one_pass(synth_corpus, monkeypatch):
    import bench.evaluate as ev

    whole = evaluate_extractor(CapitalisedExtractor(), synth_corpus, **FAST)[0]
    monkeypatch.setattr(ev, "CHUNK_DOCS", 1)  # three chunks of one document
    chunked = evaluate_extractor(CapitalisedExtractor(), synth_corpus, **FAST)[0]
    assert chunked.tasks == whole.tasks
    for t in chunked.tasks:
        assert len(t.counts.units) == 3 and t.counts.values.dtype != np.float64  # joined and stored compact
    perfect = evaluate_extractor(PerfectExtractor(), synth_corpus, **FAST)[0]
    ents, tmx = perfect.task("entities"), perfect.task("timex")
    assert ents.sub_counts.units is tmx.sub_counts.units  # one tuple of sentence ids, not one per task
    assert ents.counts.units is tmx.counts.units
