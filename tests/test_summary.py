from bench.results import ExtractorInfo, RunRecord, Score, TaskResult
from bench.summary import SUMMARY_ROWS, render


def _task(name, main, scores):
    return TaskResult(name, f"{name}-v1", main, "ontonotes", tuple(scores), (), (), ())


def _record(*tasks):
    return RunRecord(ExtractorInfo("sys", "2.0", "ontonotes", tuple(t.task for t in tasks), ()),
                     "builtin", "sha256:ab", 5, "0.1.0", 1, 20, False, tuple(tasks))


def test_render_lists_known_figures_marks_main_and_missing_tasks():
    timex = _task("timex", "value.f1", [
        ("strict.f1", Score(0.5, 0.25, 0.75, 0.3, 0.7)),
        ("value.f1", Score(0.123456, None, None)),
        ("not.in.summary", Score(0.9)),
    ])
    lines = render(_record(timex)).splitlines()
    assert lines[0] == "sys 2.0 on 5 documents"
    assert lines[1] == "  " + _record(timex).signature()
    body = [ln for ln in lines if "timex" in ln and "F1" in ln]
    assert body == [
        "  timex     strict span F1                   50.0   [  25.0,   75.0]     [  30.0,   70.0]",
        "* timex     value F1                         12.3   [   n/a,    n/a]     [   n/a,    n/a]",
    ]
    assert "not.in.summary" not in "\n".join(lines)
    assert "  not attempted: entities, stance" in lines
    assert lines[-1].endswith("20 resamples, seed 1")


def test_render_without_missing_tasks_has_no_not_attempted_line():
    tasks = [_task(t, m, [(m, Score(1.0))]) for t, m in
             (("entities", "fine.strict.micro_f1"), ("timex", "value.f1"), ("stance", "macro_f1"))]
    text = render(_record(*tasks))
    assert "not attempted" not in text
    assert text.count("\n* ") == 3


def test_summary_rows_name_real_metrics():
    from bench.scoring import get_scorer

    for task, metric, _ in SUMMARY_ROWS:
        get_scorer(task).metric(metric)  # raises KeyError for a typo
