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


def _both(synth_dataset, preds, tmp_path, workers=2, **spec):
    """(chunked result bytes, whole-file result bytes), and whether the chunked path ran.
    The chunked run writes the sidecar it encoded while the bootstrap ran, as the CLI does."""
    out = []
    for keep in (False, True):
        rs = RunSpec(predictions=preds, dataset=str(synth_dataset), seed=3, n_resamples=40, workers=workers, **spec)
        outcome = evaluate(rs, keep_predictions=keep)
        path = tmp_path / f"keep{keep}" / "r.json"
        write_result(path, outcome.record, counts=outcome.counts)
        out.append((path.read_bytes(), path.with_name("r.counts.parquet").read_bytes()))
    streamed = stream_score_file(preds, synth_dataset, run_info(seed=3, n_resamples=40), spec.get("label_scheme"))
    return out[0], out[1], streamed is not None


@pytest.mark.parametrize("chunk,workers", [(1, 1), (1, 2), (2, 2), (4096, 2)])
@pytest.mark.parametrize("rows", [sd.prediction_rows, _imperfect_rows])
def test_chunked_scoring_equals_the_whole_file_path(synth_dataset, tmp_path, monkeypatch, chunk, workers, rows):
    monkeypatch.setattr(ev, "CHUNK_DOCS", chunk)
    preds = _write(tmp_path / "p.jsonl", rows())
    chunked, whole, streamed = _both(synth_dataset, preds, tmp_path, workers)
    assert streamed and chunked == whole


def test_a_chunk_whose_labels_fit_both_schemes_is_counted_with_the_first_chunks(synth_dataset, tmp_path,
                                                                              monkeypatch):
    monkeypatch.setattr(ev, "CHUNK_DOCS", 1)
    rows = sd.prediction_rows()
    assert any(e["label"] not in ("ORG", "LOC") for e in rows[0]["entities"])  # the first chunk tells
    rows[1]["entities"] = [e for e in rows[1]["entities"] if e["label"] in ("ORG", "LOC")]  # this one cannot
    preds = _write(tmp_path / "p.jsonl", rows)
    chunked, whole, streamed = _both(synth_dataset, preds, tmp_path)
    assert streamed and chunked == whole


def test_lines_are_routed_by_position_not_by_a_scan_for_doc_id(synth_dataset, tmp_path, monkeypatch):
    """A nested "doc_id" before the line's own one does not matter: lines go to workers by
    position, and each worker checks the doc_id it parses."""
    monkeypatch.setattr(ev, "CHUNK_DOCS", 1)
    rows = _imperfect_rows()
    rows[1] = {"entities": [dict(e, doc_id=rows[0]["doc_id"]) for e in rows[1]["entities"]],
               **{k: v for k, v in rows[1].items() if k != "entities"}}
    preds = _write(tmp_path / "p.jsonl", rows)
    chunked, whole, streamed = _both(synth_dataset, preds, tmp_path)
    assert streamed and chunked == whole


def test_prediction_lines_in_another_order_take_the_whole_file_path(synth_dataset, tmp_path, monkeypatch):
    monkeypatch.setattr(ev, "CHUNK_DOCS", 2)
    rows = _imperfect_rows()
    rows[0], rows[-1] = rows[-1], rows[0]
    preds = _write(tmp_path / "p.jsonl", rows)
    chunked, whole, streamed = _both(synth_dataset, preds, tmp_path)
    assert not streamed and chunked == whole


def test_stance_lines_in_another_order_take_the_whole_file_path(synth_dataset, tmp_path, monkeypatch):
    monkeypatch.setattr(ev, "CHUNK_DOCS", 1)
    data = tmp_path / "data"
    shutil.copytree(synth_dataset, data)
    stance = data / "stance/test.jsonl"
    lines = stance.read_text(encoding="utf-8").splitlines(keepends=True)
    stance.write_text("".join(sorted(lines, key=lambda x: json.loads(x)["claim_id"])), encoding="utf-8")
    assert stance.read_text(encoding="utf-8") != "".join(lines)
    preds = _write(tmp_path / "p.jsonl", _imperfect_rows())
    chunked, whole, streamed = _both(data, preds, tmp_path)
    assert not streamed and chunked == whole


def test_blank_and_indented_lines_a_bom_and_crlf_are_read_as_the_whole_file_path_reads_them(
        synth_dataset, tmp_path, monkeypatch):
    import bench.streaming as st

    monkeypatch.setattr(ev, "CHUNK_DOCS", 2)
    monkeypatch.setattr(st, "_READ_BLOCK", 7)  # lines and newlines across block ends
    lines = [json.dumps(r) for r in _imperfect_rows()]
    text = "\ufeff" + lines[0] + "\r\n\n  \n\t" + lines[1] + "\n\n" + "\n".join(lines[2:]) + "\n \n"
    preds = tmp_path / "p.jsonl"
    preds.write_text(text, encoding="utf-8")
    chunked, whole, streamed = _both(synth_dataset, preds, tmp_path)
    assert streamed and chunked == whole


@pytest.mark.parametrize("block", [1, 2, 5, 64, 1 << 20])
def test_record_lines_are_the_lines_raw_lines_yields(tmp_path, monkeypatch, block):
    import bench.streaming as st
    from bench.io import raw_lines

    monkeypatch.setattr(st, "_READ_BLOCK", block)
    rnd = random.Random(block)
    for trial in range(40):
        pieces = ["{}", '{"a": 1}', "", " ", "\t{}", "\r", " \r", "{", "x"]
        parts = [rnd.choice(pieces) for _ in range(rnd.randint(0, 9))]
        data = ("\ufeff" if trial % 3 == 0 else "") + "\n".join(parts) + ("\n" if trial % 2 else "")
        path = tmp_path / f"f{trial}.jsonl"
        path.write_bytes(data.encode("utf-8"))
        expected = [(i, raw.removesuffix(b"\n")) for i, raw in raw_lines(path)]  # a span's lines lack the newline
        records = st._Records(path)
        n = records.left()
        assert records.take(n).lines() == expected, data
        assert records.left() == 0 and records.take(3).lines() == []
        if n >= 2:  # taken in two parts: the same lines
            again = st._Records(path, skip=1)
            assert again.take(1).lines() + again.take(n).lines() == expected[1:]


def test_escaped_doc_ids_are_routed(synth_dataset, tmp_path, monkeypatch):
    monkeypatch.setattr(ev, "CHUNK_DOCS", 1)
    lines = []
    for r in _imperfect_rows():
        escaped = "".join(f"\\u{ord(c):04x}" for c in r["doc_id"])  # "d1" as "\u0064\u0031"
        lines.append(json.dumps(r).replace(f'"doc_id": "{r["doc_id"]}"', f'"doc_id": "{escaped}"', 1) + "\n")
    assert all("\\u00" in line for line in lines)
    preds = tmp_path / "p.jsonl"
    preds.write_text("".join(lines), encoding="utf-8")
    chunked, whole, streamed = _both(synth_dataset, preds, tmp_path)
    assert streamed and chunked == whole


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
    streamed = invoke("evaluate", "--predictions", preds, "--dataset", synth_dataset, "-o", tmp_path / "a.json",
                      "--workers", "2")  # errors in worker processes
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


def test_without_process_pools_the_chunks_are_counted_here(synth_dataset, tmp_path, monkeypatch):
    import concurrent.futures

    def refuse(*_, **__):
        raise NotImplementedError("no sem_open on this system")

    monkeypatch.setattr(ev, "CHUNK_DOCS", 1)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refuse)
    preds = _write(tmp_path / "p.jsonl", _imperfect_rows())
    chunked, whole, streamed = _both(synth_dataset, preds, tmp_path)
    assert streamed and chunked == whole
