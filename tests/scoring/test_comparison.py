import json
import re
from dataclasses import replace

import numpy as np

import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.comparison import compare
from bench.io import DataError
from bench.count_store import sub_unit_ids
from bench.results import read_result, write_result
from bench.scoring.base import CountTable
from tests import fixtures as sd
from tests.fixtures import CapitalisedExtractor, PerfectExtractor, evaluate_extractor, evaluate_file, write_edited


@pytest.fixture(scope="module")
def results(synth_corpus, tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    paths = {}
    for name, ex in (("perfect", PerfectExtractor()), ("caps", CapitalisedExtractor())):
        rec, _, _ = evaluate_extractor(ex, synth_corpus, "synthetic", 1, 30)
        paths[name] = root / f"{name}.json"
        write_result(paths[name], rec)
        # the same run on ten copies of each of the three documents: 30 documents, 60 sentences
        paths[f"{name}30"] = _widen(paths[name], root / f"{name}30.json", copies=10)
    # the same perfect system on doc000 only
    partial = root / "one.jsonl"
    partial.write_text(json.dumps(sd.prediction_rows()[0], ensure_ascii=False) + "\n", encoding="utf-8")
    rec, _ = evaluate_file(partial, synth_corpus, "synthetic", 1, 30, partial=True)
    paths["partial"] = root / "partial.json"
    write_result(paths["partial"], rec)
    return paths


def _widen(src, dst, copies):
    rec = read_result(src)
    tasks = []
    for t in rec.tasks:
        sub_ids = [u.rsplit("#", 1)[0] for u in t.sub_counts.units]
        doc_units = tuple(f"{d}~{k}" for k in range(copies) for d in t.counts.units)
        sub_units = sub_unit_ids([f"{d}~{k}" for k in range(copies) for d in sub_ids], t.sub_unit)
        tasks.append(replace(
            t, counts=CountTable(t.task, t.counts.fields, doc_units, np.tile(t.counts.values, (copies, 1))),
            sub_counts=CountTable(t.task, t.sub_counts.fields, sub_units, np.tile(t.sub_counts.values, (copies, 1)))))
    write_result(dst, replace(rec, tasks=tuple(tasks), n_documents=rec.n_documents * copies))
    return dst


ROW = re.compile(r"(?P<task>\S+)\s+(?P<metric>\S+)\s+(?P<a>\S+)\s+(?P<b>\S+)\s+(?P<diff>\S+)\s+"
                 r"\[\s*(?P<low>\S+),\s*(?P<high>\S+)\]\s+(?P<p>\S+)\s+(?P<min_p>\S+)\s+(?P<unit>\S+)\s+"
                 r"(?P<n>\d+)\s+(?P<method>.+)$")


def _rows(text):
    """task -> the fields of its row in the table printed by compare (numbers as floats)."""
    lines = text.splitlines()
    assert lines[1].split()[:5] == ["task", "metric", "A", "B", "A-B"]
    end = next(i for i, line in enumerate(lines) if line.startswith("two-sided p;"))
    out = {}
    for line in lines[2:end]:
        m = ROW.match(line)
        assert m, line
        row = m.groupdict()
        for k in ("a", "b", "diff", "low", "high", "p", "min_p"):
            row[k] = float(row[k])
        row["n"] = int(row["n"])
        out[row.pop("task")] = row
    return out


def _warnings(text):
    return [line for line in text.splitlines() if line.startswith("WARNING")]


def test_identical_results_differ_by_zero_with_p_one(results):
    for method, path in (("permutation", "perfect"), ("bootstrap", "perfect30")):
        rows = _rows(compare(results[path], results[path], None, None, method, 5, 200))
        assert set(rows) == {"entities", "timex", "stance"}
        for r in rows.values():
            assert r["a"] == r["b"] == 1.0 and r["diff"] == 0.0 and r["p"] == 1.0
            assert (r["low"], r["high"]) == (0.0, 0.0)


def test_exact_permutation_on_three_documents_warns(results):
    text = compare(results["perfect"], results["caps"], None, None, "permutation", 5, 200)
    assert text.splitlines()[0] == "A = perfect 1.0   B = capitalised 0.1"
    rows = _rows(text)
    assert set(rows) == {"entities", "stance"}  # caps did not attempt timex
    ent = rows["entities"]
    assert (ent["metric"], ent["a"], ent["b"], ent["diff"]) == ("ontonotes.strict.micro_f1", 1.0, 0.0, 1.0)
    # three documents all differ: 8 swap patterns, only the observed one and its mirror as extreme
    assert (ent["p"], ent["min_p"], ent["unit"], ent["n"], ent["method"]) == (
        0.25, 0.25, "document", 3, "exact permutation")
    assert rows["stance"]["metric"] == "macro_f1" and rows["stance"]["b"] == pytest.approx(1 / 6, abs=1e-4)
    assert _warnings(text)[0] == ("WARNING: entities: with 3 documents the exact permutation test cannot reach "
                                  "p < 0.25, so never p <= alpha = 0.05; use --unit sentence or more documents")
    assert _warnings(text)[1].startswith("WARNING: stance: with 3 documents (2 differing between A and B) ")
    assert text.splitlines()[len(rows) + 2] == ("two-sided p; alpha=0.05 resamples=200 seed=5; min p = the "
                                                "smallest p-value the test can give on these units")


def test_sentence_units(results):
    text = compare(results["perfect"], results["caps"], None, None, "permutation", 5, 200, unit="sentence")
    rows = _rows(text)
    # entities: 6 sentences, all different: exact, p = 2 / 2^6, which alpha = 0.05 can reach
    assert (rows["entities"]["unit"], rows["entities"]["n"]) == ("sentence", 6)
    assert rows["entities"]["p"] == rows["entities"]["min_p"] == pytest.approx(1 / 32, abs=1e-4)
    # stance units are (document, claim) pairs
    assert (rows["stance"]["unit"], rows["stance"]["n"]) == ("pair", 6)
    assert [w.split(":")[1] for w in _warnings(text)] == [" stance"]
    assert _warnings(text)[0].endswith("use more pairs")
    # the same corpus-level figures as at document level
    doc = _rows(compare(results["perfect"], results["caps"], None, None, "permutation", 5, 200))
    assert all(rows[t][k] == doc[t][k] for t in rows for k in ("a", "b", "diff"))


def test_thirty_documents_monte_carlo_and_bootstrap(results):
    a, b = results["perfect30"], results["caps30"]
    perm = _rows(compare(a, b, "entities", None, "permutation", 5, 999))["entities"]
    assert (perm["n"], perm["method"]) == (30, "Monte Carlo permutation")
    assert perm["p"] == perm["min_p"] == pytest.approx(1 / 1000, abs=1e-5)  # no swap reaches +-1
    text = compare(a, b, None, None, "bootstrap", 5, 999)
    assert _warnings(text) == []
    rows = _rows(text)
    assert {r["method"] for r in rows.values()} == {"paired bootstrap-t"}
    assert rows["entities"]["p"] == pytest.approx(1 / 1000, abs=1e-5) and rows["stance"]["p"] < 0.05
    # both methods report the paired-bootstrap interval of the same draws
    assert (perm["low"], perm["high"]) == (rows["entities"]["low"], rows["entities"]["high"])
    # too few resamples to reach alpha: Monte Carlo's floor is 1 / (R + 1)
    text = compare(a, b, "entities", None, "permutation", 5, 10)
    assert _warnings(text) == ["WARNING: entities: with 30 documents the Monte Carlo permutation test cannot reach "
                               "p < 0.09091, so never p <= alpha = 0.05; raise --resamples"]
    # deterministic for a seed
    assert compare(a, b, None, None, "bootstrap", 5, 999) == compare(a, b, None, None, "bootstrap", 5, 999)


def test_alpha_sets_interval_and_reachability(results):
    text = compare(results["perfect"], results["caps"], "entities", None, "permutation", 5, 200, alpha=0.3)
    assert "70% CI of A-B" in text.splitlines()[1]
    assert _warnings(text) == []  # 0.25 <= 0.3
    with pytest.raises(DataError, match="alpha must be between 0 and 1, got 1.5"):
        compare(results["perfect"], results["caps"], None, None, "permutation", 5, 200, alpha=1.5)


def test_bootstrap_refused_on_few_units(results):
    with pytest.raises(DataError, match=r"^entities: the paired bootstrap test needs at least 10 units, got 3 "
                                        r"documents; use --method permutation or --unit sentence$"):
        compare(results["perfect"], results["caps"], None, None, "bootstrap", 5, 200)
    with pytest.raises(DataError, match=r"got 6 sentences; use --method permutation$"):
        compare(results["perfect"], results["caps"], "entities", None, "bootstrap", 5, 200, unit="sentence")


def test_explicit_task_and_metric(results):
    rows = _rows(compare(results["perfect"], results["caps"], "stance", "accuracy", "permutation", 5, 100))
    assert list(rows) == ["stance"] and (rows["stance"]["metric"], rows["stance"]["a"], rows["stance"]["b"],
                                         rows["stance"]["diff"]) == ("accuracy", 1.0, 0.5, 0.5)
    with pytest.raises(DataError, match="stance has no metric 'bogus'"):
        compare(results["perfect"], results["caps"], "stance", "bogus", "permutation", 5, 100)
    with pytest.raises(DataError, match=r"task 'timex' is missing from .*caps\.json"):
        compare(results["perfect"], results["caps"], "timex", None, "permutation", 5, 100)


def test_unknown_method_and_unit_are_refused(results):
    with pytest.raises(DataError, match="^method must be permutation or bootstrap, got 'randomization'$"):
        compare(results["perfect"], results["caps"], None, None, "randomization", 5, 100)
    with pytest.raises(DataError, match="^unit must be document or sentence, got 'token'$"):
        compare(results["perfect"], results["caps"], None, None, "permutation", 5, 100, unit="token")


def test_missing_sentence_counts(results, tmp_path):
    rec = read_result(results["caps"])
    ents, stance = rec.task("entities"), rec.task("stance")
    first = ents.counts.units[0]
    keep = [i for i, u in enumerate(ents.sub_counts.units) if not u.startswith(first + "#")]
    sub = ents.sub_counts
    ents = replace(ents, sub_counts=CountTable(sub.task, sub.fields, tuple(sub.units[i] for i in keep), sub.values[keep]))
    sub = stance.sub_counts
    stance = replace(stance, sub_counts=CountTable(sub.task, sub.fields[:1], sub.units, sub.values[:, :1]))
    old = tmp_path / "old.json"
    write_result(old, replace(rec, tasks=tuple({"entities": ents, "stance": stance}.get(t.task, t) for t in rec.tasks)))
    with pytest.raises(DataError, match=r"^cannot pair \S*perfect\.json and \S*old\.json: the two tables must have "
                                        r"the same units"):
        compare(results["perfect"], old, None, None, "permutation", 5, 100, unit="sentence")
    with pytest.raises(DataError, match=r"^metric 'macro_f1' has no sub-unit counts .*; use --unit document$"):
        compare(results["perfect"], old, "stance", None, "permutation", 5, 100, unit="sentence")
    # the document level still works
    assert "entities" in _rows(compare(results["perfect"], old, None, None, "permutation", 5, 100))


def test_different_fingerprints_are_refused(results, tmp_path):
    obj = json.loads(results["caps"].read_text(encoding="utf-8"))
    obj["dataset"]["fingerprint"] = "sha256:ffffffffffffffff"
    other = write_edited(results["caps"], tmp_path / "other.json", obj)
    with pytest.raises(DataError, match=r"other\.json: dataset fingerprint sha256:ffffffffffffffff differs from "
                                        r".*perfect\.json's sha256:[0-9a-f]{16}; results on different data cannot be paired"):
        compare(results["perfect"], other, None, None, "permutation", 1, 10)
    res = CliRunner().invoke(app, ["compare", str(results["perfect"]), str(other)])
    assert res.exit_code == 2 and "cannot be paired" in res.stderr


def test_different_documents_cannot_be_paired(results):
    with pytest.raises(DataError, match="cannot pair"):
        compare(results["perfect"], results["partial"], "entities", None, "permutation", 1, 10)


def test_cli_compare(results):
    run = CliRunner().invoke
    res = run(app, ["compare", str(results["perfect"]), str(results["perfect"]), "--resamples", "100"])
    assert res.exit_code == 0, res.output
    rows = _rows(res.stdout)
    assert all(r["diff"] == 0.0 and r["p"] == 1.0 and r["method"] == "exact permutation" for r in rows.values())
    # default: exact permutation over documents, with the reachability warning
    res = run(app, ["compare", str(results["perfect"]), str(results["caps"]), "--task", "entities"])
    assert res.exit_code == 0, res.output
    assert _rows(res.stdout)["entities"]["min_p"] == 0.25
    assert _warnings(res.stdout) == ["WARNING: entities: with 3 documents the exact permutation test cannot reach "
                                     "p < 0.25, so never p <= alpha = 0.05; use --unit sentence or more documents"]
    res = run(app, ["compare", str(results["perfect30"]), str(results["caps30"]), "--method", "bootstrap",
                    "--unit", "sentence", "--alpha", "0.01", "--resamples", "300", "--seed", "3"])
    assert res.exit_code == 0, res.output
    rows = _rows(res.stdout)
    assert rows["entities"]["unit"] == "sentence" and rows["entities"]["n"] == 60
    assert rows["stance"]["unit"] == "pair" and "99% CI of A-B" in res.stdout
    assert "alpha=0.01 resamples=300 seed=3" in res.stdout
    for args, message in ((["--method", "magic"], "error: --method must be permutation or bootstrap, got 'magic'"),
                          (["--unit", "token"], "error: --unit must be document or sentence, got 'token'"),
                          (["--alpha", "0"], "error: --alpha must be between 0 and 1, got 0.0"),
                          (["--method", "bootstrap"], "error: entities: the paired bootstrap test needs at least "
                                                      "10 units, got 3 documents; use --method permutation or "
                                                      "--unit sentence")):
        res = run(app, ["compare", str(results["perfect"]), str(results["caps"]), *args])
        assert res.exit_code == 2 and res.stderr.strip() == message, res.output
    res = run(app, ["compare", str(results["perfect"]), "absent.json"])
    assert res.exit_code == 2 and "absent.json: cannot read" in res.stderr
