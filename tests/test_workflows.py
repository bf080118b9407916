import json

import pytest

from bench import corpus as corpus_mod
from bench.io import DataError, read_jsonl
from bench.workflows import _safe, compare_results, evaluate_command, predict_file
from tests import synthetic_data as sd

PERFECT = "tests.fixtures_extractors:PerfectExtractor"


def _docs(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _claims(path):
    return _docs(path, sd.claims_rows())


def test_predict_file_on_invented_documents(tmp_path):
    inp = _docs(tmp_path / "docs.jsonl", [{"doc_id": "x1", "text": sd.TEXTS["doc001"], "dct": "2024-05-07"},
                                          {"doc_id": "x2", "text": "Nothing known here."}])
    out = tmp_path / "out" / "preds.jsonl"
    assert predict_file(PERFECT, inp, out, _claims(tmp_path / "claims.jsonl")) == 2
    header, *rows = [o for _, o in read_jsonl(out)]
    assert header == {"label_scheme": "ontonotes"}
    assert [r["doc_id"] for r in rows] == ["x1", "x2"]
    assert [e["text"] for e in rows[0]["entities"]] == ["Lyon", "Renault", "French"]
    assert [s["label"] for s in rows[0]["stances"]] == ["discuss", "unrelated"]
    assert rows[1] == {"doc_id": "x2", "entities": [], "timexes": [], "stances": []}


def test_predict_file_default_claims_come_from_the_builtin_dataset(tmp_path, monkeypatch, synth_dataset):
    monkeypatch.setattr(corpus_mod, "default_dataset_dir", lambda: synth_dataset)
    inp = _docs(tmp_path / "docs.jsonl", [{"doc_id": "a", "text": sd.TEXTS["doc000"]}])
    predict_file(PERFECT, inp, tmp_path / "p.jsonl")
    [(_, header), (_, row)] = list(read_jsonl(tmp_path / "p.jsonl"))
    assert header == {"label_scheme": "ontonotes"}
    assert [s["claim_id"] for s in row["stances"]] == ["C01", "C02"]


def test_predict_file_reports_bad_claims_and_input(tmp_path):
    inp = _docs(tmp_path / "docs.jsonl", [{"doc_id": "a", "text": "x"}])
    bad_claims = _docs(tmp_path / "claims.jsonl", [{"claim_id": "C01"}])
    with pytest.raises(DataError, match=r"claims\.jsonl:1: missing field 'text'"):
        predict_file(PERFECT, inp, tmp_path / "p.jsonl", bad_claims)
    with pytest.raises(DataError, match=r"cannot open"):
        predict_file(PERFECT, tmp_path / "absent.jsonl", tmp_path / "p.jsonl", _claims(tmp_path / "c.jsonl"))
    assert not (tmp_path / "p.jsonl").exists()


@pytest.mark.parametrize("name, safe", [
    ("regex", "regex"), ("hf:dslim/bert-base-NER", "hf_dslim_bert-base-NER"), ("my preds", "my_preds"),
    ("///", "run"), ("café.v2", "caf_.v2"),
])
def test_safe_file_names(name, safe):
    assert _safe(name) == safe


def test_evaluate_command_returns_summary_and_path(synth_dataset, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text, path = evaluate_command(PERFECT, None, synth_dataset, None, None, 4, 20, False, None)
    assert path == tmp_path.joinpath("results", "perfect.json").relative_to(tmp_path)
    assert (tmp_path / path).is_file()
    assert text.startswith("perfect 1.0 on 3 documents")
    text2, _ = evaluate_command(PERFECT, None, synth_dataset, tmp_path / "x.json", None, 4, 20, False, None)
    assert text2 == text


def test_compare_results_delegates(synth_dataset, tmp_path):
    _, path = evaluate_command(PERFECT, None, synth_dataset, tmp_path / "a.json", None, 4, 20, False, None)
    text = compare_results(path, path, "timex", None, "permutation", 1, 50)
    assert "timex     value.f1" in text and "1.0000" in text
