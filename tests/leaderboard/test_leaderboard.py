import json
import re
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from bench import leaderboard as lb
from bench.results import ExtractorInfo, RunInfo, RunRecord, Score, TaskResult, write_result
from tests.fixtures import sub_table, table, toy_dataset_dir

DASH = "\u2014"
MODELS = {"toy": "tests.fixtures:ToyExtractor", "toy-conll": "tests.fixtures:ToyConll"}


def task(name, main, figures):
    """A TaskResult with the main score (value, low, high) and secondary figures {metric: value}."""
    scores = ((main[0], Score(*main[1:])),) + tuple((k, Score(v)) for k, v in figures.items())
    return TaskResult(name, f"{name}-v2", main[0], "ontonotes", scores, table(name), "sentence", sub_table(name))


def record(name, entities=None, timex=None, stance=None, version="1.0"):
    tasks = []
    if entities is not None:
        tasks.append(task("entities", ("ontonotes.strict.micro_f1", entities, entities - 0.1, entities + 0.05),
                          {"conll.strict.micro_f1": 0.9, "ontonotes.nervaluate.exact.micro_f1": 0.85,
                           "ontonotes.nervaluate.partial.micro_f1": 0.95, "ontonotes.strict.macro_f1": None}))
    if timex is not None:
        tasks.append(task("timex", ("value.f1", timex, 0.3, 0.5),
                          {"strict.f1": 0.5, "relaxed.f1": 0.6, "value.accuracy": 0.7}))
    if stance is not None:
        tasks.append(task("stance", ("macro_f1", stance, 0.1, 0.3), {"accuracy": 0.4, "evidence.f1": 0.0}))
    info = ExtractorInfo(name, version, "ontonotes", tuple(t.task for t in tasks), ())
    return RunRecord(RunInfo(name, (), None, "kursk-ie-bench", 7, 100), info, "sha256:0000000000000abc", 1, "0.1.0",
                     tuple(tasks))


def suite(tmp_path, runs=None, out=None, dataset="kursk-ie-bench"):
    out = out or tmp_path
    return lb.Suite(str(dataset), runs or out / "runs", out, "leaderboard", "Test leaderboard")


def write_runs(d, *recs):
    for r in recs:
        write_result(d / lb.run_file_name(r.extractor.name), r, {"predict_s": 1.5, "score_s": 0.25})


def test_cells_format_percent_with_interval_and_em_dash_for_unsupported():
    c = lb.cells(lb.Run(None, record("ents-only", entities=0.8234)))
    assert c["entities strict F1 [95% CI]"] == "82.3 [72.3, 87.3]"
    assert c["entities nervaluate exact F1"] == "85.0"
    for col in lb.columns():
        if col.task != "entities":
            assert c[col.header] == DASH  # unsupported: a dash, never 0


def test_an_undefined_figure_is_na_not_zero_or_dash():
    rec = record("x", entities=0.5)
    ents = rec.task("entities")
    undefined = replace(ents, scores=tuple((k, Score(None) if k == "conll.strict.micro_f1" else s) for k, s in ents.scores))
    c = lb.cells(lb.Run(None, replace(rec, tasks=(undefined,))))
    assert c["entities strict F1 CoNLL"] == "n/a"
    assert lb.cell_text((None, None, None)) == "n/a" and lb.cell_text(None) == DASH


def test_markdown_and_json_show_unsupported_tasks_as_dash_and_null(tmp_path):
    write_runs(tmp_path, record("ents-only", entities=0.5), record("full", entities=0.6, timex=0.4, stance=0.2))
    runs = lb.load_runs(tmp_path)
    rows = lb.parse_markdown_table(lb.markdown(runs, "runs"))
    assert rows["ents-only"]["timex value F1 [95% CI]"] == DASH
    assert rows["ents-only"]["stance evidence F1"] == DASH
    assert rows["full"]["stance evidence F1"] == "0.0"  # a real zero stays a zero
    data = lb.leaderboard_json(runs, tmp_path)
    by_name = {r["extractor"]["name"]: r for r in data["runs"]}
    assert by_name["ents-only"]["tasks"]["timex"] is None and by_name["ents-only"]["tasks"]["stance"] is None
    assert by_name["full"]["tasks"]["timex"]["main"] == {"value": 0.4, "ci95": [0.3, 0.5]}
    assert by_name["full"]["seed"] == 7 and by_name["full"]["n_resamples"] == 100
    assert by_name["full"]["signature"].startswith("model:full@1.0|args:none|config:")


def test_rows_sorted_by_entity_main_score_then_name_unsupported_last(tmp_path):
    write_runs(tmp_path, record("c", entities=0.5), record("b", entities=0.8), record("a", entities=0.8),
               record("stance-only", stance=0.9), record("d", entities=0.9))
    names = [r.name for r in lb.load_runs(tmp_path)]
    assert names == ["d", "a", "b", "c", "stance-only"]
    assert list(lb.parse_markdown_table(lb.markdown(lb.load_runs(tmp_path), "runs"))) == names


def test_html_is_self_contained_and_escapes_names(tmp_path):
    write_runs(tmp_path, record("x<script>", entities=0.5, timex=0.4))
    page = lb.html_page(lb.load_runs(tmp_path))
    assert "x&lt;script&gt;" in page and "x<script>" not in page
    assert "<link" not in page and "src=" not in page and "http" not in page  # nothing external
    assert page.count('class="sortable"') == 3  # one table per task
    assert "<svg" in page and "predict 1.50 s" in page  # CI bars and timings


def test_replace_section_between_markers():
    text = "intro\n<!-- leaderboard:start -->\nold table\n<!-- leaderboard:end -->\nafter\n"
    assert lb.replace_section(text, "| new |\n") == (
        "intro\n<!-- leaderboard:start -->\n| new |\n<!-- leaderboard:end -->\nafter\n")
    assert lb.replace_section("no markers\n", "x") is None
    assert lb.replace_section(f"{lb.END}\n{lb.START}\n", "x") is None  # out of order


def test_render_writes_files_readme_and_is_deterministic(tmp_path):
    runs, out = tmp_path / "runs", tmp_path / "out"
    runs.mkdir()
    write_runs(runs, record("a", entities=0.5, timex=0.4))
    readme = tmp_path / "README.md"
    readme.write_text(f"# T\n{lb.START}\nold\n{lb.END}\ntail\n")
    lb.render(suite(tmp_path, runs, out), readme)
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(first) == ["index.html", "leaderboard.json", "leaderboard.md"]
    text = readme.read_text()
    assert "| a | 1.0 | ontonotes | 50.0 [40.0, 55.0] |" in text and text.endswith(f"{lb.END}\ntail\n")
    lb.render(suite(tmp_path, runs, out), readme)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    json.loads(first["leaderboard.json"])


def test_readme_without_markers_is_left_alone(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    write_runs(runs, record("a", entities=0.5))
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n")
    lines = lb.render(suite(tmp_path, runs, tmp_path), readme)
    assert readme.read_text() == "# no markers\n"
    assert any(line.startswith("note:") and "markers" in line for line in lines)


def test_failed_render_leaves_old_files_intact(tmp_path, monkeypatch):
    runs = tmp_path / "runs"
    runs.mkdir()
    write_runs(runs, record("a", entities=0.5))
    lb.render(suite(tmp_path, runs), None)
    old_md = (tmp_path / "leaderboard.md").read_text()
    write_runs(runs, record("a", entities=0.9))  # the Markdown would change ...

    def boom(_runs, _title=None):
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(lb.page, "html_page", boom)  # ... but the HTML renderer fails
    with pytest.raises(RuntimeError):
        lb.render(suite(tmp_path, runs), None)
    assert (tmp_path / "leaderboard.md").read_text() == old_md
    assert not list(tmp_path.glob(".*.tmp")) and not list(tmp_path.parent.glob(".*staging*"))


def test_duplicate_extractor_names_and_mixed_datasets_are_errors(tmp_path):
    from bench.io import DataError

    write_result(tmp_path / "one.json", record("a", entities=0.5))
    write_result(tmp_path / "two.json", record("a", entities=0.6))
    with pytest.raises(DataError, match="already has a run"):
        lb.load_runs(tmp_path)
    (tmp_path / "two.json").unlink()
    write_result(tmp_path / "three.json", replace(record("b", entities=0.6), dataset_fingerprint="sha256:00000000000000ff"))
    with pytest.raises(DataError, match="different datasets"):
        lb.load_runs(tmp_path)


@pytest.mark.parametrize("field, value", [("seed", "<script>alert(1)</script>"), ("n_resamples", "1e8")])
def test_a_run_file_with_wrong_types_is_refused_before_rendering(tmp_path, field, value):
    """The reliability issue: a submitted run file's seed landed unescaped in index.html and the README."""
    from bench.io import DataError

    runs = tmp_path / "runs"
    write_runs(runs, record("a", entities=0.5))
    obj = json.loads((runs / "a.json").read_text())
    obj["run"][field] = value
    (runs / "a.json").write_text(json.dumps(obj))
    readme = tmp_path / "R.md"
    readme.write_text(f"{lb.START}\n{lb.END}\n")
    with pytest.raises(DataError, match=rf"a\.json: not a valid result at \['run'\]\['{field}'\]"):
        lb.render(suite(tmp_path, runs, tmp_path / "out"), readme)
    assert not (tmp_path / "out").exists() and "script" not in readme.read_text()


def test_names_and_versions_are_escaped_in_every_output(tmp_path):
    runs, out = tmp_path / "runs", tmp_path / "out"
    evil = "x`|<img src=x onerror=alert(1)>](javascript:alert(1))"
    write_runs(runs, record(evil, entities=0.5, version="1`<b>"))
    readme = tmp_path / "R.md"
    readme.write_text(f"{lb.START}\n{lb.END}\n")
    lb.render(suite(tmp_path, runs, out), readme)
    html_text = (out / "index.html").read_text()
    assert "<img" not in html_text and "1`<b>" not in html_text and "1`&lt;b&gt;" in html_text
    for text in (readme.read_text(), (out / "leaderboard.md").read_text()):
        text = text.split("## Run signatures")[0]  # below: code spans, where HTML is text (checked below)
        assert "<img" not in text and "<b>" not in text
        assert not re.search(r"(?<!\\)\]\(", text)  # a link cannot form: the brackets are escaped
        row = next(line for line in text.splitlines() if line.startswith("| x"))
        assert len(lb.parse_markdown_table(text)) == 1 and row.count(" | ") == len(lb.columns()) + 2
    md = (out / "leaderboard.md").read_text()
    sig = next(line for line in md.splitlines() if line.startswith("- `"))
    fence = sig[2:sig.index("model:")].strip()
    assert set(fence) == {"`"} and len(fence) >= 2 and sig.rstrip().endswith(fence)  # a backtick cannot close it


# ---- update_runs / check with real (toy) evaluation ------------------------------------

@pytest.fixture
def committed(tmp_path):
    ds = toy_dataset_dir(tmp_path / "ds")
    out = tmp_path / "leaderboard"
    s = lb.Suite(str(ds), out / "runs", out, "leaderboard", "Toy")
    readme = tmp_path / "README.md"
    readme.write_text(f"{lb.START}\n{lb.END}\n")
    lb.update_runs(s, readme, MODELS, seed=3, n_resamples=30)
    return s, readme


def test_update_runs_writes_runs_with_timings_and_check_passes(committed):
    s, readme = committed
    assert sorted(p.name for p in s.runs_dir.iterdir()) == [
        "toy-conll.counts.parquet", "toy-conll.json", "toy-conll.timings.json",
        "toy.counts.parquet", "toy.json", "toy.timings.json"]
    assert json.loads((s.runs_dir / "toy.json").read_text())["run"]["seed"] == 3
    # a fresh run has other timings: they are shown but never compared
    assert lb.check(s, readme, MODELS) == []
    rows = lb.parse_markdown_table((s.out_dir / "leaderboard.md").read_text())
    assert rows["toy-conll"]["timex value F1 [95% CI]"] == DASH
    assert rows["toy"]["timex strict F1"] == "40.0"  # 1 exact of 2 pred, 3 gold: P 1/2, R 1/3


def test_check_names_the_stale_cell_when_an_extractor_changed(committed):
    s, readme = committed
    drifted = dict(MODELS, toy="tests.fixtures:DriftedToy")
    problems = lb.check(s, readme, drifted)
    assert any(p.endswith("leaderboard/runs/toy.json: row toy, column 'timex strict F1': committed 40.0, now 80.0")
               for p in problems), problems
    assert any(p.endswith("leaderboard/leaderboard.md: row toy, column 'timex strict F1': committed 40.0, now 80.0")
               for p in problems), problems


def test_check_reports_an_environment_change_without_failing(committed, monkeypatch):
    s, readme = committed
    import bench.environment as env

    monkeypatch.setattr(env, "environment", lambda: (("python", "9.9.9"),))
    notes = []
    assert lb.check(s, readme, MODELS, echo=notes.append) == []
    assert any("environment differs from the committed run" in n and "python" in n for n in notes)


def test_check_names_a_hand_edited_cell(committed):
    s, readme = committed
    md = s.out_dir / "leaderboard.md"
    md.write_text(md.read_text().replace("| 40.0 |", "| 41.2 |", 1))
    problems = lb.check(s, readme, MODELS)
    assert len(problems) == 1
    assert problems[0].endswith("leaderboard.md: row toy, column 'timex strict F1': committed 41.2, now 40.0")


def test_check_reads_only_the_readme_section(committed):
    s, readme = committed
    text = readme.read_text()
    readme.write_text(text + "\n| other | table |\n|---|---|\n| x | y |\n")  # a later table is not the section
    assert lb.check(s, readme, MODELS) == []
    readme.write_text(text.replace("| 40.0 |", "| 39.9 |", 1))
    problems = lb.check(s, readme, MODELS)
    assert problems == [f"{readme}: row toy, column 'timex strict F1': committed 39.9, now 40.0"]


def test_check_flags_missing_and_orphan_runs_and_stale_html(committed):
    s, readme = committed
    (s.runs_dir / "toy-conll.json").unlink()
    (s.out_dir / "index.html").write_text("<html></html>\n")
    problems = lb.check(s, readme, MODELS)
    assert any("registered extractor 'toy-conll' has no committed run" in p for p in problems)
    assert any("index.html:1:" in p for p in problems)
    problems = lb.check(s, readme, {"toy-conll": "tests.fixtures:ToyConll"})
    assert any("run of 'toy', which is not a registered extractor" in p for p in problems)


def test_the_suites_file_is_validated(tmp_path):
    from bench.io import DataError

    path = tmp_path / "suites.json"
    path.write_text(json.dumps({"suites": [{"dataset": "x", "title": "t", "runs": "../../etc", "out": ".",
                                            "readme_marker": "leaderboard"}]}))
    with pytest.raises(DataError, match=r"suites\[0\]\.runs: must be a relative path inside leaderboard/"):
        lb.load_suites(path)
    path.write_text("[]")
    with pytest.raises(DataError, match="expected"):
        lb.load_suites(path)
    assert [x.name for x in lb.load_suites()] == ["kursk-ie-bench", "kursk-ie-bench-heldout"]


def test_cli_renders_from_run_files(tmp_path):
    from bench.cli import app

    runs = tmp_path / "runs"
    runs.mkdir()
    write_runs(runs, record("a", entities=0.5))
    result = CliRunner().invoke(app, ["leaderboard", "--runs", str(runs), "--output", str(tmp_path),
                                      "--readme", str(tmp_path / "missing.md")])
    assert result.exit_code == 0, result.output
    assert "leaderboard.md" in result.output and (tmp_path / "index.html").is_file()
    result = CliRunner().invoke(app, ["leaderboard", "--runs", str(tmp_path / "nope"), "--output", str(tmp_path)])
    assert result.exit_code == 2 and "update-runs" in result.output
