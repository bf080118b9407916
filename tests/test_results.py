import json

import pytest

from bench import io
from bench.io import DataError
from bench.results import (
    SCHEMA, ExtractorInfo, RunRecord, Score, TaskResult, from_json, read_result, read_timings, timings_path,
    to_json, write_result,
)


def record(**changes) -> RunRecord:
    stance = TaskResult(
        "stance", "stance-v1", "macro_f1", "ontonotes",
        (("macro_f1", Score(0.5, 0.25, 0.75, 0.2, 0.8)), ("accuracy", Score(2 / 3))),
        (("d1", (("macro_f1", 1.0),)), ("d2", (("macro_f1", 0.25),))),
        ("n", "cm.support.support"),
        (("d1", (2.0, 1.0)), ("d2", (1.0, 0.0))),
        (("confusion_matrix", {"labels": ["support"], "rows_gold_cols_pred": [[1]]}),),
    )
    rec = RunRecord(ExtractorInfo("sys", "1.2", "ontonotes", ("stance",), (("k", "v"), ("w", "é"))),
                    "builtin", "sha256:0123456789abcdef", 2, "0.1.0", 7, 100, False, (stance,))
    return RunRecord(**{**rec.__dict__, **changes})


def test_signature_names_everything_that_determines_the_numbers():
    assert record().signature() == ("model:sys@1.2|data:sha256:0123456789abcdef|tasks:stance:stance-v1"
                                    "|bench:0.1.0|seed:7|resamples:100")
    assert record(partial=True).signature().endswith("|partial")


def test_to_json_layout():
    obj = to_json(record())
    assert obj["schema"] == SCHEMA and obj["signature"] == record().signature()
    assert obj["extractor"] == {"name": "sys", "version": "1.2", "label_scheme": "ontonotes", "tasks": ["stance"],
                                "config": {"k": "v", "w": "é"}}
    assert obj["dataset"] == {"path": "builtin", "fingerprint": "sha256:0123456789abcdef", "n_documents": 2}
    t = obj["tasks"]["stance"]
    assert t["scores"]["macro_f1"] == {"value": 0.5, "ci95_doc": [0.25, 0.75], "ci95_sentence": [0.2, 0.8]}
    assert t["scores"]["accuracy"] == {"value": 0.666667, "ci95_doc": [None, None], "ci95_sentence": [None, None]}
    assert t["per_document"] == {"d1": {"macro_f1": 1.0}, "d2": {"macro_f1": 0.25}}
    assert t["counts"] == {"fields": ["n", "cm.support.support"], "documents": {"d1": [2.0, 1.0], "d2": [1.0, 0.0]}}
    assert t["confusion_matrix"]["rows_gold_cols_pred"] == [[1]]


def test_json_round_trip():
    rec = record()
    back = from_json(json.loads(json.dumps(to_json(rec))))
    assert to_json(back) == to_json(rec)
    assert back.task("stance").score("macro_f1") == Score(0.5, 0.25, 0.75, 0.2, 0.8)
    assert back.task("stance").extra == rec.task("stance").extra
    assert back.task("entities") is None and back.extractor == rec.extractor


def test_write_and_read_result_with_timings(tmp_path):
    path = tmp_path / "out" / "sys.json"
    write_result(path, record(), {"predict_s": 1.23456})
    assert timings_path(path) == tmp_path / "out" / "sys.timings.json"
    assert read_timings(path) == {"predict_s": 1.235}
    assert to_json(read_result(path)) == to_json(record())
    text = path.read_text(encoding="utf-8")
    assert "é" in text and text.endswith("}\n") and "predict_s" not in text
    assert read_timings(tmp_path / "other.json") == {}


def test_result_bytes_are_deterministic(tmp_path):
    write_result(tmp_path / "a.json", record(), {"predict_s": 1.0})
    write_result(tmp_path / "b.json", record(), {"predict_s": 2.0})
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_failed_write_leaves_old_result_intact(tmp_path, monkeypatch):
    path = tmp_path / "sys.json"
    write_result(path, record())
    before = path.read_bytes()

    def boom(src, dst):
        raise OSError("no space left")

    monkeypatch.setattr(io.os, "replace", boom)
    with pytest.raises(OSError):
        write_result(path, record(seed=99))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["sys.json"]


def test_read_result_errors(tmp_path):
    with pytest.raises(DataError, match="cannot read"):
        read_result(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{\n "schema": \n}', encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.json:3: invalid JSON"):
        read_result(bad)
    bad.write_text(json.dumps({**to_json(record()), "schema": "other/v9"}), encoding="utf-8")
    with pytest.raises(DataError, match=r"unsupported result schema 'other/v9'"):
        read_result(bad)
    obj = to_json(record())
    del obj["tasks"]["stance"]["counts"]
    bad.write_text(json.dumps(obj), encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.json: malformed result file: KeyError: 'counts'"):
        read_result(bad)
