"""A fourth task, defined here and registered with one line, runs through every command."""

import json

import numpy as np
import pytest

from bench import scoring
from bench.scoring.base import Metric, UnitTables, align, layer, ratio, units_for
from bench.scoring.task import Column, Task
from tests import fixtures as sd

# ---- the toy task: how far the number of predicted entities is from the gold number ----

FIELDS = ("gold", "pred", "abs_diff")


def _count(docs, gold, pred, claims, units, fields, label_scheme="ontonotes"):
    unit_objs = [units_for(docs, u) for u in units]
    t = UnitTables("entity-count", FIELDS, unit_objs, fields)
    for k, u in enumerate(unit_objs):
        for i, (g, p) in enumerate(zip(align(docs, gold, "gold"), align(docs, pred, "pred"))):
            g_rows = u.rows([i] * len(layer(g, "entities", "gold")), [e.start for e in g.entities])
            p_rows = u.rows([i] * len(layer(p, "entities", "pred")), [e.start for e in p.entities])
            n = len(u.ids)
            gc, pc = np.bincount(g_rows, minlength=n), np.bincount(p_rows, minlength=n)
            t.add_counts(k, ["gold"], gc)
            t.add_counts(k, ["pred"], pc)
            t.add_counts(k, ["abs_diff"], np.abs(gc - pc))
    return t.build()


TOY = Task(
    name="entity-count", version="entity-count-v1", layer="entities", title="Entity counts",
    fields=FIELDS,
    metrics=(Metric("count_error", ("abs_diff", "gold"), lambda s: ratio(s[:, 0], s[:, 1])),
             Metric("pred_per_gold", ("pred", "gold"), lambda s: ratio(s[:, 0], s[:, 1]))),
    headline=("count_error",), counter=_count, main_scores={"ontonotes": "count_error"},
    main_title="entity-count error",
    columns=(Column(("pred_per_gold",), "entity-count predicted per gold", "predicted per gold", "pred_per_gold"),),
)


@pytest.fixture
def toy_task():
    scoring.register(TOY)  # the registration line
    yield TOY
    del scoring.TASKS[TOY.name]


def test_a_registered_task_runs_through_evaluate_summary_compare_and_leaderboard(toy_task, synth_dataset, tmp_path):
    from bench import leaderboard as lb
    from bench.comparison import compare
    from bench.runner import RunSpec
    from bench.workflows import evaluate_command

    preds = tmp_path / "p.jsonl"
    preds.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in sd.prediction_rows()), encoding="utf-8")
    text, out = evaluate_command(RunSpec(predictions=preds, dataset=str(synth_dataset), n_resamples=20),
                                 tmp_path / "runs" / "perfect.json")
    obj = json.loads(out.read_text())
    assert list(obj["tasks"]) == ["entities", "timex", "stance", "entity-count"]
    toy = obj["tasks"]["entity-count"]
    assert toy["version"] == "entity-count-v1" and toy["scores"]["count_error"]["value"] == 0.0
    assert toy["counts"]["sub_unit"] == "sentence"
    assert "* entity-count error" in text and "entity-count predicted per gold" in text
    assert "count_error" in compare(out, out, "entity-count", None, "permutation", 1, 10)
    lb.render(lb.Suite(synth_dataset.name, tmp_path / "runs", tmp_path, "leaderboard", "T"), None)
    row = lb.parse_markdown_table((tmp_path / "leaderboard.md").read_text())["file:p.jsonl"]
    assert row["entity-count error [95% CI]"].startswith("0.0") and row["entity-count predicted per gold"] == "100.0"
    assert 'id="table-entity-count"' in (tmp_path / "index.html").read_text()


def test_registering_a_second_task_under_a_taken_name_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        scoring.register(Task(name="entities", version="x", layer="entities", title="", fields=(), metrics=(),
                              headline=(), counter=_count, main_scores={"ontonotes": "x"}))
