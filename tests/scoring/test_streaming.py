"""Chunked scoring of a predictions file (`bench.streaming`) against the whole-file path."""

import json
import random
import shutil

import pytest

import bench.evaluate as ev
from bench.results import read_result, write_result
from bench.runner import RunSpec, evaluate
from bench.streaming import stream_score_file
from tests import fixtures as sd
from tests.fixtures import invoke, run_info


def _imperfect_rows() -> list[dict]:
    """The gold with errors of every kind: a missed entity, a relabelled one, a missed timex,
    a flipped stance."""
    rows = sd.prediction_rows()
    for i, row in enumerate(rows):
        row["entities"] = row["entities"][1:]
        if row["entities"]:
            row["entities"][0] = dict(row["entities"][0], label="GPE" if i % 2 else "ORG")
        row["timexes"] = row["timexes"][i % 2:]
        for st in row["stances"][:1]:
            st["label"] = {"support": "refute"}.get(st["label"], st["label"])
    return rows


def _write(path, rows, header=None):
    lines = ([header] if header else []) + rows
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")
    return path


def _both(synth_dataset, preds, tmp_path, **spec):
    """(chunked result bytes, whole-file result bytes), and whether the chunked path ran."""
    out = []
    for keep in (False, True):
        rs = RunSpec(predictions=preds, dataset=str(synth_dataset), seed=3, n_resamples=40, **spec)
        outcome = evaluate(rs, keep_predictions=keep)
        path = tmp_path / f"keep{keep}" / "r.json"
        write_result(path, outcome.record)
        out.append((path.read_bytes(), path.with_name("r.counts.parquet").read_bytes()))
    streamed = stream_score_file(preds, synth_dataset, run_info(seed=3, n_resamples=40), spec.get("label_scheme"))
    return out[0], out[1], streamed is not None


@pytest.mark.parametrize("chunk", [1, 2, 4096])
@pytest.mark.parametrize("rows", [sd.prediction_rows, _imperfect_rows])
def test_chunked_scoring_equals_the_whole_file_path(synth_dataset, tmp_path, monkeypatch, chunk, rows):
    monkeypatch.setattr(ev, "CHUNK_DOCS", chunk)
    preds = _write(tmp_path / "p.jsonl", rows())
    chunked, whole, streamed = _both(synth_dataset, preds, tmp_path)
    assert streamed and chunked == whole


def test_a_declared_label_scheme_streams(synth_dataset, tmp_path, monkeypatch):
    monkeypatch.setattr(ev, "CHUNK_DOCS", 1)
    preds = _write(tmp_path / "p.jsonl", _imperfect_rows(), {"label_scheme": "ontonotes"})
    chunked, whole, streamed = _both(synth_dataset, preds, tmp_path)
    assert streamed and chunked == whole


def test_other_orders_take_the_whole_file_path_with_the_same_result(synth_dataset, tmp_path, monkeypatch):
    monkeypatch.setattr(ev, "CHUNK_DOCS", 1)
    preds = _write(tmp_path / "p.jsonl", _imperfect_rows()[::-1])
    chunked, whole, streamed = _both(synth_dataset, preds, tmp_path)
    assert not streamed and chunked == whole


def test_a_stance_file_in_another_order_takes_the_whole_file_path(synth_dataset, tmp_path, monkeypatch):
    monkeypatch.setattr(ev, "CHUNK_DOCS", 1)
    data = tmp_path / "dataset"
    shutil.copytree(synth_dataset, data)
    (data / "MANIFEST.json").unlink(missing_ok=True)
    stance = data / "stance" / "test.jsonl"
    lines = stance.read_text(encoding="utf-8").splitlines(keepends=True)
    random.Random(1).shuffle(lines)
    stance.write_text("".join(lines), encoding="utf-8")
    preds = _write(tmp_path / "p.jsonl", _imperfect_rows())
    chunked, whole, streamed = _both(data, preds, tmp_path)
    assert not streamed and chunked == whole


def test_a_label_scheme_only_later_chunks_tell_takes_the_whole_file_path(synth_dataset, tmp_path, monkeypatch):
    monkeypatch.setattr(ev, "CHUNK_DOCS", 1)
    rows = sd.prediction_rows()
    first = rows[0]["entities"]
    rows[0]["entities"] = [e for e in first if e["label"] in ("ORG", "LOC")]  # fits both schemes
    assert any(e["label"] not in ("ORG", "LOC") for r in rows[1:] for e in r["entities"])
    preds = _write(tmp_path / "p.jsonl", rows)
    chunked, whole, streamed = _both(synth_dataset, preds, tmp_path)
    assert not streamed and chunked == whole


@pytest.mark.parametrize("damage", [
    lambda rows: rows[1]["entities"].append({"start": 0, "end": 3, "label": "PERSON", "text": "zzz"}),
    lambda rows: rows[2].update(entities=[{"start": 0, "end": 1, "label": "WHATEVER", "text": "x"}]),
    lambda rows: rows.append(dict(rows[0])),  # a duplicate line
    lambda rows: rows.pop(),  # a missing document
])
def test_bad_files_give_the_whole_file_paths_error(synth_dataset, tmp_path, monkeypatch, damage):
    monkeypatch.setattr(ev, "CHUNK_DOCS", 1)
    rows = sd.prediction_rows()
    damage(rows)
    preds = _write(tmp_path / "p.jsonl", rows)
    assert stream_score_file(preds, synth_dataset, run_info()) is None
    streamed = invoke("evaluate", "--predictions", preds, "--dataset", synth_dataset, "-o", tmp_path / "a.json")
    whole = invoke("evaluate", "--predictions", preds, "--dataset", synth_dataset, "-o", tmp_path / "b.json",
                   "--save-predictions", tmp_path / "saved.jsonl")
    assert streamed.exit_code == whole.exit_code != 0
    assert streamed.output == whole.output and streamed.output.startswith("error: ")


def test_the_cli_streams_and_keeps_nothing_it_does_not_need(synth_dataset, tmp_path):
    preds = _write(tmp_path / "p.jsonl", _imperfect_rows())
    a = invoke("evaluate", "--predictions", preds, "--dataset", synth_dataset, "-o", tmp_path / "a.json", "-q")
    b = invoke("evaluate", "--predictions", preds, "--dataset", synth_dataset, "-o", tmp_path / "b.json", "-q",
               "--save-predictions", tmp_path / "saved.jsonl")
    assert a.exit_code == b.exit_code == 0, a.output + b.output
    assert read_result(tmp_path / "a.json") == read_result(tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
