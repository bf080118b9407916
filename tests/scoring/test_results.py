import json
from dataclasses import replace

import pytest

from bench import io
from bench.io import DataError
from bench.results import (
    SCHEMA, SCHEMA_FILE, ExtractorInfo, RunInfo, RunRecord, Score, TaskResult, counts_path, read_result, read_timings,
    round_trip, timings_path, to_json, write_result,
)
from tests.fixtures import sub_table, table


def record(**changes) -> RunRecord:
    fields = ("n", "cm.support.support")
    stance = TaskResult(
        "stance", "stance-v2", "macro_f1", "ontonotes",
        (("macro_f1", Score(0.5, 0.25, 0.75, 0.2, 0.8)), ("accuracy", Score(0.625)), ("fnc1", Score(None))),
        table("stance", fields, {"d1": [2.0, 1.0], "d2": [1.0, 0.0]}), "pair",
        sub_table("stance", ("n",), {"d1": [[1.0], [1.0]], "d2": [[1.0]]}, "pair"),
        (("support",), ((1,),)),
    )
    run = RunInfo("pkg.mod:Sys", (("stride", "64"),), None, "kursk-ie-bench", 7, 100)
    rec = RunRecord(run, ExtractorInfo("sys", "1.2", "ontonotes", ("stance",), (("k", "v"), ("w", "é"))),
                    "sha256:0123456789abcdef", 2, "0.1.0", (stance,), (("python", "3.11.7"),))
    return replace(rec, **changes)


def test_signature_names_everything_that_determines_the_numbers():
    sig = record().signature()
    assert sig.startswith("model:sys@1.2|args:stride=64|config:") and "|labels:ontonotes|" in sig
    assert sig.endswith("|data:sha256:0123456789abcdef|tasks:stance:stance-v2|bench:0.1.0|seed:7|resamples:100")
    other_config = replace(record(), extractor=replace(record().extractor, config=(("k", "other"),)))
    assert other_config.signature() != sig  # two runs with different label maps never share a signature
    assert replace(record(), run=replace(record().run, partial=True)).signature().endswith("|partial")
    assert replace(record(), run=replace(record().run, shard=(1, 4))).signature().endswith("|shard:1/4")
    assert "python" not in sig  # the environment is reported, not part of the signature


def test_to_json_layout():
    obj = to_json(record(), "a" * 64)
    assert obj["schema"] == SCHEMA and obj["signature"] == record().signature()
    assert obj["run"] == {"model": "pkg.mod:Sys", "model_args": {"stride": "64"}, "predictions": None,
                          "dataset": "kursk-ie-bench", "seed": 7, "n_resamples": 100, "partial": False, "shard": None}
    assert obj["extractor"] == {"name": "sys", "version": "1.2", "label_scheme": "ontonotes", "tasks": ["stance"],
                                "config": {"k": "v", "w": "é"}}
    assert obj["dataset"] == {"name": "kursk-ie-bench", "fingerprint": "sha256:0123456789abcdef", "n_documents": 2}
    assert obj["environment"] == {"python": "3.11.7"}
    assert obj["counts_file"] == {"sha256": "a" * 64}
    t = obj["tasks"]["stance"]
    assert t["scores"]["macro_f1"] == {"value": 0.5, "ci95_doc": [0.25, 0.75], "ci95_sentence": [0.2, 0.8]}
    assert t["scores"]["accuracy"] == {"value": 0.625, "ci95_doc": [None, None], "ci95_sentence": [None, None]}
    assert t["scores"]["fnc1"]["value"] is None  # undefined is null, never 0
    assert t["counts"] == {"fields": ["n", "cm.support.support"], "sub_unit": "pair", "sub_fields": ["n"]}
    assert t["confusion"] == {"labels": ["support"], "rows_gold_cols_pred": [[1]]}


def test_round_trip_and_schema_file():
    from jsonschema import Draft202012Validator

    rec = record()
    Draft202012Validator(json.loads(SCHEMA_FILE.read_text())).validate(
        json.loads(json.dumps(to_json(rec, "0" * 64))))  # the published schema holds
    back = round_trip(rec)
    assert back == rec
    assert back.task("stance").sub_counts.units == ("d1#pair0", "d1#pair1", "d2#pair0")


def test_write_and_read_result_with_timings(tmp_path):
    path = tmp_path / "out" / "sys.json"
    write_result(path, record(), {"predict_s": 1.23456})
    assert timings_path(path) == tmp_path / "out" / "sys.timings.json"
    assert counts_path(path) == tmp_path / "out" / "sys.counts.parquet" and counts_path(path).is_file()
    assert read_timings(path) == {"predict_s": 1.235}
    assert read_result(path) == record()
    text = path.read_text(encoding="utf-8")
    assert "é" in text and text.endswith("}\n") and "predict_s" not in text
    assert read_timings(tmp_path / "other.json") == {}


def test_result_bytes_are_deterministic(tmp_path):
    write_result(tmp_path / "a" / "r.json", record(), {"predict_s": 1.0})
    write_result(tmp_path / "b" / "r.json", record(), {"predict_s": 2.0})
    for name in ("r.json", "r.counts.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_failed_write_leaves_old_result_intact(tmp_path, monkeypatch):
    path = tmp_path / "sys.json"
    write_result(path, record())
    before = path.read_bytes()

    def boom(src, dst):
        raise OSError("no space left")

    monkeypatch.setattr(io.os, "replace", boom)
    with pytest.raises(OSError):
        write_result(path, replace(record(), run=replace(record().run, seed=99)))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sys.counts.parquet", "sys.json"]


def _bad(tmp_path, obj) -> str:
    bad = tmp_path / "bad.json"
    write_result(bad, record())  # a real sidecar beside it
    bad.write_text(json.dumps(obj), encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_result(bad)
    assert "\n" not in str(err.value)
    return str(err.value)


def test_read_result_errors_are_one_line(tmp_path):
    with pytest.raises(DataError, match="cannot read"):
        read_result(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{\n "schema": \n}', encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.json:3: invalid JSON"):
        read_result(bad)
    assert "unsupported result schema 'other/v9'" in _bad(tmp_path, {**to_json(record()), "schema": "other/v9"})
    obj = to_json(record(), "0" * 64)
    del obj["tasks"]["stance"]["counts"]
    assert "not a valid result at ['tasks']['stance']: 'counts' is a required property" in _bad(tmp_path, obj)


def test_a_sidecar_that_does_not_match_is_refused(tmp_path):
    path = tmp_path / "sys.json"
    write_result(path, record())
    side = counts_path(path)
    side.write_bytes(side.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(DataError, match=r"sys\.json: its \.counts\.parquet differs from the sha256 the result records"):
        read_result(path)
    side.unlink()
    with pytest.raises(DataError, match=r"cannot read its counts file sys\.counts\.parquet"):
        read_result(path)
    obj = json.loads(path.read_text())
    obj["counts_file"]["file"] = "../../etc/passwd.counts.parquet"  # no name to follow: it is always <stem>.counts.parquet
    path.write_text(json.dumps(obj))
    with pytest.raises(DataError, match=r"not a valid result at \['counts_file'\]"):
        read_result(path)


@pytest.mark.parametrize("where, value", [
    (("run", "seed"), "<script>alert(1)</script>"),  # the reliability issue's injection
    (("run", "n_resamples"), "<b>"),
    (("dataset", "n_documents"), "5<img src=x>"),
    (("run", "seed"), -1),
    (("extractor", "label_scheme"), "bio"),
    (("extractor", "config"), {"k": 1}),
    (("dataset", "fingerprint"), "sha256:<script>"),
])
def test_wrong_types_are_refused_before_anything_is_rendered(tmp_path, where, value):
    obj = to_json(record(), "0" * 64)
    obj[where[0]][where[1]] = value
    msg = _bad(tmp_path, obj)
    assert f"not a valid result at ['{where[0]}']['{where[1]}']" in msg


def test_counts_that_do_not_fit_the_result_are_refused(tmp_path):
    path = tmp_path / "sys.json"
    write_result(path, record())
    obj = json.loads(path.read_text())
    obj["tasks"]["stance"]["counts"]["fields"] = ["n"]
    path.write_text(json.dumps(obj))
    with pytest.raises(DataError, match="the count file's fields for task 'stance' differ from the result's"):
        read_result(path)
    obj["tasks"]["stance"]["counts"]["fields"] = ["n", "cm.support.support"]
    obj["dataset"]["n_documents"] = 3
    path.write_text(json.dumps(obj))
    with pytest.raises(DataError, match="task 'stance' has counts for 2 documents, the result says 3"):
        read_result(path)


@pytest.mark.parametrize("content", ['{"predict_s": "1"}', "[1, 2]", "not json", '{"x": null}'])
def test_a_corrupt_timings_file_is_a_one_line_error(tmp_path, content):
    path = tmp_path / "sys.json"
    write_result(path, record())
    timings_path(path).write_text(content)
    with pytest.raises(DataError, match=r"sys\.timings\.json: "):
        read_timings(path)


def test_big_count_tables_are_written_in_row_groups_of_fixed_size(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from bench import count_store

    whole = tmp_path / "whole" / "r.json"
    write_result(whole, record())
    monkeypatch.setattr(count_store, "ROW_GROUP", 2)  # 2 document rows + 3 sub-unit rows
    grouped = tmp_path / "grouped" / "r.json"
    write_result(grouped, record())
    meta = pq.ParquetFile(counts_path(grouped)).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [2, 2, 1]
    assert pq.ParquetFile(counts_path(whole)).metadata.num_row_groups == 1
    assert read_result(grouped) == read_result(whole)
