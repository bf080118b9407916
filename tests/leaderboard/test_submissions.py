"""Submitted runs: predictions + metadata that CI scores itself, marked as submitted on every page."""

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench import leaderboard as lb
from bench.io import DataError
from bench.predictions import write_predictions
from tests import fixtures as sd

MODELS = {"toy": "tests.fixtures:ToyExtractor"}
REPO = Path(__file__).resolve().parents[2]


def make_submission(folder: Path, dataset: str = "ds", name: str = "team-x", preds=sd.PRED, **meta) -> Path:
    folder.mkdir(parents=True)
    write_predictions(folder / "predictions.jsonl", preds, "ontonotes")
    obj = {"schema": "kursk-ie-bench/submission/v1", "name": name, "model": "gpt-test-2025", "version": "2025-01",
           "date": "2025-05-01", "produced_by": "bench predict --model openai:gpt-test-2025 (template kursk-ie@1)",
           "label_scheme": "ontonotes", "dataset": dataset,
           "predictions_sha256": hashlib.sha256((folder / "predictions.jsonl").read_bytes()).hexdigest()}
    obj.update(meta)
    obj = {k: v for k, v in obj.items() if v is not None}
    (folder / "submission.json").write_text(json.dumps(obj), encoding="utf-8")
    return folder


@pytest.fixture
def board(tmp_path):
    """A toy leaderboard with one registered extractor's run and a submissions folder."""
    ds = sd.toy_dataset_dir(tmp_path / "ds")
    out = tmp_path / "leaderboard"
    suite = lb.Suite(str(ds), out / "runs", out, "leaderboard", "Toy", out / "submissions")
    readme = tmp_path / "README.md"
    readme.write_text(f"{lb.START}\n{lb.END}\n")
    lb.update_runs(suite, readme, MODELS, seed=3, n_resamples=30)
    return suite, readme, tmp_path


def test_add_submission_scores_it_and_marks_it_on_every_page(board):
    suite, readme, tmp = board
    src = make_submission(tmp / "incoming")
    lines = lb.add_submission(src, [suite], readme, MODELS)
    assert lines[0] == "added submission team-x to the ds leaderboard"
    placed = suite.submissions_dir / "team-x"
    assert (placed / "predictions.jsonl").read_bytes() == (src / "predictions.jsonl").read_bytes()
    assert (placed / "submission.json").read_bytes() == (src / "submission.json").read_bytes()
    run = json.loads((suite.runs_dir / "team-x.json").read_text())
    assert run["extractor"]["name"] == "team-x" and run["extractor"]["version"] == "2025-01"
    assert run["run"]["model"] is None and run["run"]["predictions"]["file"] == "predictions.jsonl"
    assert run["extractor"]["config"]["submitted"] == "true" and run["extractor"]["config"]["model"] == "gpt-test-2025"
    # the submission's predictions are the toy extractor's: the same scores, scored by the harness
    toy = json.loads((suite.runs_dir / "toy.json").read_text())
    assert run["tasks"]["timex"]["scores"] == toy["tasks"]["timex"]["scores"]
    rows = lb.parse_markdown_table((suite.out_dir / "leaderboard.md").read_text())
    assert set(rows) == {"toy", "team-x (submitted)"}
    assert "(submitted) = a submission" in readme.read_text()
    page = (suite.out_dir / "index.html").read_text()
    assert '<b>team-x</b> <span class="muted submitted"' in page and "gpt-test-2025, 2025-05-01" in page
    data = json.loads((suite.out_dir / "leaderboard.json").read_text())
    by_name = {r["extractor"]["name"]: r for r in data["runs"]}
    assert "submission" not in by_name["toy"]
    assert by_name["team-x"]["submission"]["predictions"] == "submissions/team-x/predictions.jsonl"
    assert lb.check(suite, readme, MODELS) == []


def test_check_rescores_submissions_and_never_trusts_committed_scores(board):
    suite, readme, tmp = board
    lb.add_submission(make_submission(tmp / "incoming"), [suite], readme, MODELS)
    path = suite.runs_dir / "team-x.json"
    obj = json.loads(path.read_text())
    obj["tasks"]["timex"]["scores"]["strict.f1"]["value"] = 0.99  # a better number by hand
    path.write_text(json.dumps(obj, indent=1))
    problems = lb.check(suite, readme, MODELS)
    assert any("team-x.json: row team-x, column 'timex strict F1': committed 99.0, now 40.0" in p
               for p in problems), problems


def test_changed_predictions_or_metadata_are_caught(board):
    suite, readme, tmp = board
    lb.add_submission(make_submission(tmp / "incoming"), [suite], readme, MODELS)
    preds = suite.submissions_dir / "team-x" / "predictions.jsonl"
    preds.write_text(preds.read_text().replace('"2025-04-21"', '"2025-04-28"'))
    with pytest.raises(DataError, match=r"submission.json: predictions_sha256 is [0-9a-f]{64}, but predictions.jsonl "
                                        r"has [0-9a-f]{64}"):
        lb.check(suite, readme, MODELS)
    meta = suite.submissions_dir / "team-x" / "submission.json"
    obj = json.loads(meta.read_text())
    obj["predictions_sha256"] = hashlib.sha256(preds.read_bytes()).hexdigest()
    obj["model"] = "gpt-test-2026"
    meta.write_text(json.dumps(obj))
    problems = lb.check(suite, readme, MODELS)
    assert any("team-x.json: row team-x, column 'timex value F1 [95% CI]'" in p for p in problems)
    assert any("extractor.config.model: 'gpt-test-2025' committed, 'gpt-test-2026' now" in p
               or "stale" in p for p in problems), problems


@pytest.mark.slow
def test_update_runs_scores_submissions_and_check_flags_a_missing_run(board):
    suite, readme, tmp = board
    shutil.copytree(make_submission(tmp / "incoming"), suite.submissions_dir / "team-x")
    problems = lb.check(suite, readme, MODELS)
    assert any("submission 'team-x' has no committed run" in p for p in problems), problems
    lines = lb.update_runs(suite, readme, MODELS, seed=3, n_resamples=30)
    assert any(line.endswith("runs/team-x.json") for line in lines)
    assert lb.check(suite, readme, MODELS) == []
    lb.render(suite, readme)
    assert "team-x (submitted)" in (suite.out_dir / "leaderboard.md").read_text()


@pytest.mark.parametrize("meta, message", [
    ({"date": "2025-13-01"}, r"date '2025-13-01' is not a calendar date"),
    ({"date": "May 2025"}, r"not a valid submission at date: 'May 2025' does not match"),
    ({"name": "Team X"}, r"not a valid submission at name: 'Team X' does not match"),
    ({"model": None}, r"not a valid submission at top level: 'model' is a required property"),
    ({"model": "x\ny"}, r"not a valid submission at model: 'x\\ny' does not match"),
    ({"score": 0.99}, r"not a valid submission at top level: Additional properties are not allowed \('score'"),
    ({"label_scheme": "bio"}, r"not a valid submission at label_scheme: 'bio' is not one of"),
    ({"predictions_sha256": "0" * 64}, r"predictions_sha256 is 0{64}, but predictions.jsonl has"),
    ({"label_scheme": "conll"}, r"label_scheme conll contradicts the predictions' header \(ontonotes\)"),
    ({"url": "javascript:alert(1)"}, r"not a valid submission at url: 'javascript:alert\(1\)' does not match"),
    ({"dataset": "other"}, r"dataset 'other' has no leaderboard; the leaderboards are for 'ds'"),
])
def test_bad_metadata_is_refused_with_one_line(board, meta, message):
    suite, readme, tmp = board
    src = make_submission(tmp / "incoming", **meta)
    with pytest.raises(DataError, match=message) as err:
        lb.add_submission(src, [suite], readme, MODELS)
    assert "\n" not in str(err.value)
    assert not suite.submissions_dir.exists()  # nothing written


def test_predictions_that_do_not_fit_the_dataset_are_refused(board):
    suite, readme, tmp = board
    src = make_submission(tmp / "incoming", preds=sd.PRED[:1])
    with pytest.raises(DataError, match=r"predictions.jsonl: missing predictions for 1 document\(s\): d2"):
        lb.add_submission(src, [suite], readme, MODELS)
    assert not suite.submissions_dir.exists()


def test_names_taken_by_an_extractor_or_a_submission_are_refused(board):
    suite, readme, tmp = board
    with pytest.raises(DataError, match=r"'toy' is already on the ds leaderboard"):
        lb.add_submission(make_submission(tmp / "a", name="toy"), [suite], readme, MODELS)
    lb.add_submission(make_submission(tmp / "b"), [suite], readme, MODELS)
    with pytest.raises(DataError, match=r"'team-x' is already on the ds leaderboard"):
        lb.add_submission(make_submission(tmp / "c"), [suite], readme, MODELS)


def test_metadata_is_escaped_in_every_output(board):
    suite, readme, tmp = board
    evil = "<img src=x onerror=alert(1)>|`*[x](javascript:1)"
    lb.add_submission(make_submission(tmp / "incoming", model=evil, produced_by=evil, notes=evil), [suite], readme,
                      MODELS)
    page = (suite.out_dir / "index.html").read_text()
    assert "<img" not in page and "&lt;img src=x" in page
    for text in ((suite.out_dir / "leaderboard.md").read_text(), readme.read_text()):
        assert "<img" not in text and "javascript" not in text  # metadata is not in the Markdown at all
    assert json.loads((suite.out_dir / "leaderboard.json").read_text())["runs"][0]["submission"]["model"] == evil


def test_cli_add_submission(board):
    from bench.cli import app

    suite, readme, tmp = board
    src = make_submission(tmp / "incoming")
    args = ["leaderboard", "--runs", str(suite.runs_dir), "--output", str(suite.out_dir), "--submissions",
            str(suite.submissions_dir), "--readme", str(readme)]
    # the custom leaderboard is on the benchmark's dataset, not the toy one: one-line refusal
    res = CliRunner().invoke(app, args + ["--add-submission", str(src)])
    assert res.exit_code == 2 and "dataset 'ds' has no leaderboard" in res.output
    src2 = make_submission(tmp / "bad", name="BAD")
    res = CliRunner().invoke(app, args + ["--add-submission", str(src2)])
    assert res.exit_code == 2 and res.output.count("\n") == 1 and "not a valid submission at name" in res.output
    res = CliRunner().invoke(app, args + ["--check", "--add-submission", str(src)])
    assert res.exit_code == 2 and "at most one of" in res.output


def test_the_suites_file_names_the_submissions_folders():
    suites = {s.name: s for s in lb.load_suites()}
    assert suites["kursk-ie-bench"].submissions_dir == (REPO / "leaderboard" / "submissions").resolve()
    assert suites["kursk-ie-bench-heldout"].submissions_dir == (REPO / "leaderboard" / "heldout" / "submissions").resolve()


def test_the_worked_submission_is_valid_and_scores():
    subs = lb.load_submissions(REPO / "leaderboard" / "submissions")
    sub = subs["regex-submitted"]
    assert sub.dataset == "kursk-ie-bench" and "regex" in sub.produced_by
    rec, _ = lb.submissions.score(sub, "kursk-ie-bench", 1, 20)
    assert rec.extractor.name == "regex-submitted" and dict(rec.extractor.config)["submitted"] == "true"
    assert {t.task for t in rec.tasks} == {"entities", "timex", "stance"}
