import json

import pytest

from bench import corpus as corpus_mod
from bench.io import DataError, read_jsonl
from bench.runner import RunSpec
from bench.workflows import _safe, compare_results, default_output, evaluate_command, from_result_spec, predict_file
from tests import fixtures as sd

PERFECT = "tests.fixtures:PerfectExtractor"


def _docs(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _claims(path):
    return _docs(path, sd.claims_rows())


def test_predict_file_on_invented_documents(tmp_path):
    inp = _docs(tmp_path / "docs.jsonl", [{"doc_id": "x1", "text": sd.TEXTS["doc001"], "dct": "2024-05-07"},
                                          {"doc_id": "x2", "text": "Nothing known here."}])
    out = tmp_path / "out" / "preds.jsonl"
    assert predict_file(RunSpec(model=PERFECT), inp, out, _claims(tmp_path / "claims.jsonl")) == 2
    header, *rows = [o for _, o in read_jsonl(out)]
    assert header == {"label_scheme": "ontonotes"}
    assert [r["doc_id"] for r in rows] == ["x1", "x2"]
    assert [e["text"] for e in rows[0]["entities"]] == ["Lyon", "Renault", "French"]
    assert [s["label"] for s in rows[0]["stances"]] == ["discuss", "unrelated"]
    assert rows[1] == {"doc_id": "x2", "entities": [], "timexes": [], "stances": []}


def test_predict_file_default_claims_come_from_the_builtin_dataset(tmp_path, monkeypatch, synth_dataset):
    monkeypatch.setattr(corpus_mod, "default_dataset_dir", lambda: synth_dataset)
    inp = _docs(tmp_path / "docs.jsonl", [{"doc_id": "a", "text": sd.TEXTS["doc000"]}])
    predict_file(RunSpec(model=PERFECT), inp, tmp_path / "p.jsonl")
    [(_, header), (_, row)] = list(read_jsonl(tmp_path / "p.jsonl"))
    assert header == {"label_scheme": "ontonotes"}
    assert [s["claim_id"] for s in row["stances"]] == ["C01", "C02"]


def test_predict_file_reports_bad_claims_and_input(tmp_path):
    inp = _docs(tmp_path / "docs.jsonl", [{"doc_id": "a", "text": "x"}])
    bad_claims = _docs(tmp_path / "claims.jsonl", [{"claim_id": "C01"}])
    with pytest.raises(DataError, match=r"claims\.jsonl:1: missing field 'text'"):
        predict_file(RunSpec(model=PERFECT), inp, tmp_path / "p.jsonl", bad_claims)
    with pytest.raises(DataError, match=r"cannot open"):
        predict_file(RunSpec(model=PERFECT), tmp_path / "absent.jsonl", tmp_path / "p.jsonl", _claims(tmp_path / "c.jsonl"))
    with pytest.raises(DataError, match=r"the output would overwrite the --input file"):
        predict_file(RunSpec(model=PERFECT), inp, inp, _claims(tmp_path / "c.jsonl"))
    assert not (tmp_path / "p.jsonl").exists()


@pytest.mark.parametrize("name, safe", [
    ("regex", "regex"), ("hf:dslim/bert-base-NER", "hf_dslim_bert-base-NER"), ("my preds", "my_preds"),
    ("///", "run"), ("café.v2", "caf_.v2"),
])
def test_safe_file_names(name, safe):
    assert _safe(name) == safe


def test_default_outputs_never_collide():
    """The reliability issue: a predictions file called regex.jsonl must not overwrite the regex model's result."""
    model = default_output(RunSpec(model="regex"), "regex")
    file = default_output(RunSpec(predictions="out/regex.jsonl"), "file:regex.jsonl")
    assert (str(model), str(file)) == ("results/regex.json", "results/file_regex.json")
    assert str(default_output(RunSpec(model="regex", shard="1/4"), "regex")) == "results/regex.shard-1-of-4.json"


def test_evaluate_command_returns_summary_and_path(synth_dataset, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = RunSpec(model=PERFECT, dataset=str(synth_dataset), seed=4, n_resamples=20)
    text, path = evaluate_command(spec)
    assert str(path) == "results/perfect.json" and (tmp_path / path).is_file()
    assert text.startswith("perfect 1.0 on 3 documents")
    text2, _ = evaluate_command(spec, tmp_path / "x.json")
    assert text2 == text


def test_the_output_may_not_overwrite_the_predictions(synth_dataset, tmp_path):
    preds = tmp_path / "p.jsonl"
    preds.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in sd.prediction_rows()), encoding="utf-8")
    before = preds.read_bytes()
    with pytest.raises(DataError, match=r"p\.jsonl: the output would overwrite the --predictions file"):
        evaluate_command(RunSpec(predictions=preds, dataset=str(synth_dataset)), preds)
    assert preds.read_bytes() == before


def test_a_result_repeats_its_run(synth_dataset, tmp_path):
    spec = RunSpec(model=PERFECT, dataset=str(synth_dataset), seed=4, n_resamples=20)
    _, path = evaluate_command(spec, tmp_path / "a.json")
    again = from_result_spec(path, dataset=str(synth_dataset))
    assert (again.model, again.seed, again.n_resamples) == (PERFECT, 4, 20)
    _, path2 = evaluate_command(again, tmp_path / "b.json")
    assert path2.read_bytes() == path.read_bytes()


def test_a_result_never_turns_remote_code_on_by_itself(synth_dataset, tmp_path):
    _, path = evaluate_command(RunSpec(model=PERFECT, dataset=str(synth_dataset), n_resamples=5), tmp_path / "a.json")
    obj = json.loads(path.read_text())
    obj["run"]["model_args"] = {"trust_remote_code": "true"}  # a submitted result asking for it
    path.write_text(json.dumps(obj))
    assert from_result_spec(path).model_args == ()
    assert from_result_spec(path, trust_remote_code=True).model_args == (("trust_remote_code", "true"),)


def test_compare_results_delegates(synth_dataset, tmp_path):
    _, path = evaluate_command(RunSpec(model=PERFECT, dataset=str(synth_dataset), seed=4, n_resamples=20),
                               tmp_path / "a.json")
    text = compare_results(path, path, "timex", None, "permutation", 1, 50)
    assert "timex     value.f1" in text and "1.0000" in text
