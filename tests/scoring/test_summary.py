from bench.results import ExtractorInfo, RunInfo, RunRecord, Score, TaskResult
from bench.summary import render
from tests.fixtures import sub_table, table


def _task(name, main, scores):
    return TaskResult(name, f"{name}-v2", main, "ontonotes", tuple(scores), table(name), "sentence", sub_table(name))


def _record(*tasks):
    return RunRecord(RunInfo("sys", (), None, "kursk-ie-bench", 1, 20),
                     ExtractorInfo("sys", "2.0", "ontonotes", tuple(t.task for t in tasks), ()),
                     "sha256:ab", 5, "0.1.0", tuple(tasks))


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
    assert body == [  # the main score first, then the task's declared columns it has
        f"* {'timex value F1':40}   12.3   [   n/a,    n/a]     [   n/a,    n/a]",
        f"  {'timex strict F1':40}   50.0   [  25.0,   75.0]     [  30.0,   70.0]",
    ]
    assert "not.in.summary" not in "\n".join(lines)
    assert "  not attempted: entities, stance" in lines
    assert lines[-1].endswith("20 resamples, seed 1")


def test_render_without_missing_tasks_has_no_not_attempted_line():
    tasks = [_task(t, m, [(m, Score(1.0))]) for t, m in
             (("entities", "ontonotes.strict.micro_f1"), ("timex", "value.f1"), ("stance", "macro_f1"))]
    text = render(_record(*tasks))
    assert "not attempted" not in text
    assert text.count("\n* ") == 3


def test_stance_lines_say_which_classes_the_macro_average_spans():
    fields = tuple(f"{c}.{k}" for c in ("support", "refute", "discuss", "unrelated") for k in ("tp", "fp", "fn"))
    row = (2, 0, 1, 0, 0, 0, 0, 1, 0, 3, 0, 0)
    stance = TaskResult("stance", "stance-v2", "macro_f1", "ontonotes", (("macro_f1", Score(0.5)),),
                        table("stance", fields, {"d1": list(row)}), "pair", sub_table("stance"))
    text = render(_record(stance))
    assert "stance gold support: support 3, refute 0, discuss 0, unrelated 3; macro averages span" in text
