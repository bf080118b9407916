"""Sharded evaluation: shards i/n merge into exactly the unsharded result file."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bench.io import DataError, read_jsonl
from bench.records import parse_entity, parse_stance, parse_timex
from bench.results import counts_path, read_result, write_result
from bench.scoring.base import CountTable
from bench.shards import Shard, merge
from bench.types import Annotations
from tests.fixtures import invoke

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
import synth  # noqa: E402

PERFECT = "tests.fixtures:PerfectExtractor"
CAPS = "tests.fixtures:CapitalisedExtractor"
REPLAY = "tests.scoring.test_shards:ReplayExtractor"


class ReplayExtractor:
    """Replays a predictions file ($BENCH_REPLAY): a model for synthetic datasets."""

    name = "replay"
    version = "1"
    tasks = frozenset({"entities", "timex", "stance"})
    label_scheme = "ontonotes"

    def __init__(self) -> None:
        self._by_id = {o["doc_id"]: o for _, o in read_jsonl(Path(os.environ["BENCH_REPLAY"]))}

    def extract(self, doc, claims):
        o = self._by_id[doc.doc_id]
        return Annotations(doc.doc_id, tuple(parse_entity(e, "replay") for e in o["entities"]),
                           tuple(parse_timex(t, "replay") for t in o["timexes"]),
                           tuple(parse_stance(s, "replay") for s in o["stances"]))

    def config(self) -> dict[str, str]:
        return {"source": "replay"}


def _evaluate(tmp_path, model, dataset, out, *extra):
    args = ["evaluate", "--model", model, "-o", tmp_path / out, "-q", "--resamples", "200", *extra]
    if dataset is not None:
        args += ["--dataset", dataset]
    res = invoke(*args)
    assert res.exit_code == 0, res.output
    return tmp_path / out


def _shards_then_merge(tmp_path, model, dataset, n, order=None):
    paths = [_evaluate(tmp_path, model, dataset, f"s{i}.json", "--shard", f"{i}/{n}") for i in range(n)]
    res = invoke("merge-results", *[paths[i] for i in (order or range(n))], "-o", tmp_path / "merged.json")
    assert res.exit_code == 0, res.output
    return tmp_path / "merged.json", paths


def test_shard_spec_parses_and_selects():
    s = Shard.parse("1/3")
    assert (s.index, s.count, str(s)) == (1, 3, "1/3")
    assert s.select(list("abcdefg")) == ["b", "e"]
    for bad in ("3/3", "-1/2", "1", "a/b", "1/0", ""):
        with pytest.raises(DataError, match="i/n"):
            Shard.parse(bad)


@pytest.mark.parametrize("model,n", [(PERFECT, 2), (CAPS, 3)])
def test_merged_shards_are_byte_identical_to_the_unsharded_run(tmp_path, synth_dataset, model, n):
    whole = _evaluate(tmp_path, model, synth_dataset, "whole.json")
    merged, shards = _shards_then_merge(tmp_path, model, synth_dataset, n, order=list(reversed(range(n))))
    assert merged.read_bytes() == whole.read_bytes()
    assert counts_path(merged).read_bytes() == counts_path(whole).read_bytes()
    shard0 = json.loads(shards[0].read_text())
    assert shard0["run"]["shard"] == {"index": 0, "count": n} and shard0["signature"].endswith(f"|shard:0/{n}")
    assert shard0["dataset"]["n_documents"] == len(range(0, 3, n))
    assert len(read_result(shards[0]).task("entities").sub_counts.units) > 0


@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory):
    """80 generated documents (> 1,024 sentences, so the bootstrap's shortcut for repeated rows runs)."""
    root = tmp_path_factory.mktemp("synthetic")
    synth.generate(root, 80, entities_per_doc=8, seed=3)
    return root


@pytest.mark.slow
def test_merge_is_exact_on_a_larger_generated_corpus(tmp_path, synthetic_run, monkeypatch):
    monkeypatch.setenv("BENCH_REPLAY", str(synthetic_run / "predictions.jsonl"))
    whole = _evaluate(tmp_path, REPLAY, synthetic_run / "dataset", "whole.json")
    merged, _ = _shards_then_merge(tmp_path, REPLAY, synthetic_run / "dataset", 4)
    assert merged.read_bytes() == whole.read_bytes()
    assert json.loads(whole.read_text())["dataset"]["n_documents"] == 80


@pytest.mark.slow
def test_prediction_file_shards_merge_to_the_same_scores(tmp_path, synthetic_run):
    """`bench predict --shard`-style files: identical except the per-file digest, recorded per shard."""
    lines = (synthetic_run / "predictions.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    whole_preds = tmp_path / "preds.jsonl"
    whole_preds.write_text("".join(lines), encoding="utf-8")
    ds = synthetic_run / "dataset"
    res = invoke("evaluate", "--predictions", whole_preds, "--dataset", ds, "-o", tmp_path / "whole.json", "-q")
    assert res.exit_code == 0, res.output
    paths = []
    for i in range(2):
        part = tmp_path / f"preds.shard-{i}-of-2.jsonl"
        part.write_text("".join(lines[i::2]), encoding="utf-8")
        out = tmp_path / f"s{i}.json"
        res = invoke("evaluate", "--predictions", part, "--dataset", ds, "--shard", f"{i}/2", "-o", out, "-q")
        assert res.exit_code == 0, res.output
        paths.append(out)
    assert invoke("merge-results", *paths, "-o", tmp_path / "merged.json").exit_code == 0
    whole, merged = (json.loads((tmp_path / f).read_text()) for f in ("whole.json", "merged.json"))
    assert merged["extractor"]["name"] == whole["extractor"]["name"] == "file:preds.jsonl"
    assert merged["run"]["predictions"]["file"] == "preds.jsonl"
    assert merged["run"]["predictions"]["sha256"].startswith("shards:")
    merged["run"]["predictions"] = whole["run"]["predictions"]
    assert merged["tasks"] == whole["tasks"] and merged["dataset"] == whole["dataset"]


def test_predict_shard_writes_every_nth_document(tmp_path):
    docs = tmp_path / "docs.jsonl"
    docs.write_text("".join(json.dumps({"doc_id": f"d{i}", "text": f"Paris {i}."}) + "\n" for i in range(7)))
    res = invoke("predict", "--model", CAPS, "--input", docs, "--output", tmp_path / "p.jsonl", "--shard", "1/3")
    assert res.exit_code == 0, res.output
    assert [o.get("doc_id") for _, o in read_jsonl(tmp_path / "p.jsonl")] == [None, "d1", "d4"]  # header first


def test_merge_refuses_incomplete_or_mismatched_shards(tmp_path, synth_dataset):
    s0 = _evaluate(tmp_path, PERFECT, synth_dataset, "s0.json", "--shard", "0/2")
    s1 = _evaluate(tmp_path, PERFECT, synth_dataset, "s1.json", "--shard", "1/2")
    other_seed = _evaluate(tmp_path, PERFECT, synth_dataset, "x1.json", "--shard", "1/2", "--seed", "7")
    caps = _evaluate(tmp_path, CAPS, synth_dataset, "c1.json", "--shard", "1/2")
    whole = _evaluate(tmp_path, PERFECT, synth_dataset, "whole.json")
    cases = {
        (s0,): "missing \\[1\\]",
        (s0, s0, s1): "repeated \\[0\\]",
        (s0, other_seed): "run differs",
        (s0, caps): "extractor differs",
        (s0, whole): "not a shard result",
    }
    # the reliability issue: a shard whose per-document counts are missing is refused
    rec = read_result(s1)
    ents = rec.task("entities")
    empty = CountTable(ents.task, ents.counts.fields, (), np.zeros((0, len(ents.counts.fields))))
    no_sub = CountTable(ents.task, ents.sub_counts.fields, (), np.zeros((0, len(ents.sub_counts.fields))))
    broken = tmp_path / "broken.json"
    write_result(broken, replace(rec, tasks=tuple(replace(t, counts=empty, sub_counts=no_sub) if t is ents else t
                                                  for t in rec.tasks)))
    cases[(s0, broken)] = "the count file has no tables for task 'entities'"
    for paths, message in cases.items():
        with pytest.raises(DataError, match=message):
            merge(list(paths))
    res = invoke("merge-results", s0, "-o", tmp_path / "m.json")
    assert res.exit_code == 2 and res.stderr.count("\n") == 1 and res.stderr.startswith("error: ")
    assert not (tmp_path / "m.json").exists()


def test_empty_shard_and_partial_shard_are_errors(tmp_path, synth_dataset):
    res = invoke("evaluate", "--model", PERFECT, "--dataset", synth_dataset, "--shard", "5/8", "-o", tmp_path / "x.json")
    assert res.exit_code == 2 and "has no documents" in res.stderr
    res = invoke("evaluate", "--model", PERFECT, "--shard", "0/2", "--dataset", synth_dataset,
                 "--trust-remote-code", "-o", tmp_path / "y.json")
    assert res.exit_code == 2 and "takes no option 'trust_remote_code'" in res.stderr


def test_interleave_restores_dataset_order():
    from bench.shards import _interleave

    docs = list(range(11))
    parts = [Shard(i, 4).select(docs) for i in range(4)]
    assert _interleave(parts) == docs
