import json

import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.comparison import compare
from bench.evaluate import Settings, evaluate_extractor, evaluate_file
from bench.io import DataError
from bench.results import write_result
from tests import synthetic_data as sd
from tests.fixtures_extractors import CapitalisedExtractor, PerfectExtractor


@pytest.fixture(scope="module")
def results(synth_corpus, tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    s = Settings(seed=1, n_resamples=30)
    paths = {}
    for name, ex in (("perfect", PerfectExtractor()), ("caps", CapitalisedExtractor())):
        rec, _, _ = evaluate_extractor(ex, synth_corpus, "synthetic", s)
        paths[name] = root / f"{name}.json"
        write_result(paths[name], rec)
    # the same perfect system on doc000 only
    partial = root / "one.jsonl"
    partial.write_text(json.dumps(sd.prediction_rows()[0], ensure_ascii=False) + "\n", encoding="utf-8")
    rec, _ = evaluate_file(partial, synth_corpus, "synthetic", Settings(1, 30, partial=True))
    paths["partial"] = root / "partial.json"
    write_result(paths["partial"], rec)
    return paths


def _rows(text):
    """task -> (metric, A, B, diff, p) from the table printed by compare."""
    out = {}
    for line in text.splitlines()[2:-1]:
        f = line.split()
        out[f[0]] = (f[1], float(f[2]), float(f[3]), float(f[4]), float(f[-2]))
    return out


def test_identical_results_differ_by_zero_with_p_one(results):
    for method in ("bootstrap", "randomization"):
        rows = _rows(compare(results["perfect"], results["perfect"], None, None, method, 5, 200))
        assert set(rows) == {"entities", "timex", "stance"}
        for metric, a, b, diff, p in rows.values():
            assert a == b == 1.0 and diff == 0.0 and p == 1.0


def test_better_system_wins_on_shared_tasks(results):
    text = compare(results["perfect"], results["caps"], None, None, "bootstrap", 5, 200)
    assert text.splitlines()[0] == "A = perfect 1.0   B = capitalised 0.1"
    rows = _rows(text)
    assert set(rows) == {"entities", "stance"}  # caps did not attempt timex
    assert rows["entities"][:4] == ("fine.strict.micro_f1", 1.0, 0.0, 1.0)
    assert rows["stance"][0] == "macro_f1" and rows["stance"][2] == pytest.approx(1 / 6, abs=1e-4)
    assert text.splitlines()[-1] == "resamples=200 seed=5; the unit of resampling is the document"


def test_explicit_task_and_metric(results):
    rows = _rows(compare(results["perfect"], results["caps"], "stance", "accuracy", "randomization", 5, 100))
    assert list(rows) == ["stance"] and rows["stance"][:4] == ("accuracy", 1.0, 0.5, 0.5)
    with pytest.raises(DataError, match="stance has no metric 'bogus'"):
        compare(results["perfect"], results["caps"], "stance", "bogus", "bootstrap", 5, 100)
    with pytest.raises(DataError, match=r"task 'timex' is missing from .*caps\.json"):
        compare(results["perfect"], results["caps"], "timex", None, "bootstrap", 5, 100)


def test_different_fingerprints_are_refused(results, tmp_path):
    obj = json.loads(results["caps"].read_text(encoding="utf-8"))
    obj["dataset"]["fingerprint"] = "sha256:ffffffffffffffff"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(obj), encoding="utf-8")
    with pytest.raises(DataError, match=r"other\.json: dataset fingerprint sha256:ffffffffffffffff differs from "
                                        r".*perfect\.json's sha256:[0-9a-f]{16}; results on different data cannot be paired"):
        compare(results["perfect"], other, None, None, "bootstrap", 1, 10)
    res = CliRunner().invoke(app, ["compare", str(results["perfect"]), str(other)])
    assert res.exit_code == 2 and "cannot be paired" in res.stderr


def test_different_documents_cannot_be_paired(results):
    with pytest.raises(DataError, match="cannot pair"):
        compare(results["perfect"], results["partial"], "entities", None, "bootstrap", 1, 10)


def test_cli_compare(results):
    res = CliRunner().invoke(app, ["compare", str(results["perfect"]), str(results["perfect"]), "--resamples", "100"])
    assert res.exit_code == 0, res.output
    assert all(r[3] == 0.0 and r[4] == 1.0 for r in _rows(res.stdout.rstrip("\n")).values())
    res = CliRunner().invoke(app, ["compare", str(results["perfect"]), str(results["caps"]), "--method", "magic"])
    assert res.exit_code == 2 and "--method must be bootstrap or randomization" in res.stderr
    res = CliRunner().invoke(app, ["compare", str(results["perfect"]), "absent.json"])
    assert res.exit_code == 2 and "absent.json: cannot read" in res.stderr
