"""`bench power`: interval widths and detectable differences from stored counts."""

import math

import numpy as np
import pytest

from bench import power
from bench.results import ExtractorInfo, RunInfo, RunRecord, Score, TaskResult
from tests.fixtures import sub_table, table


def _run(name, tp_per_sentence, seed=0):
    """A run with per-sentence counts for a timex-like task: 5 documents x 4 sentences."""
    rng = np.random.default_rng(seed)
    fields = ("gold", "pred", "strict.tp", "relaxed.tp", "type.correct", "value.correct")
    sent = {}
    for d in range(5):
        rows = []
        for _ in range(4):
            g = 2.0
            tp = float(min(g, rng.binomial(2, tp_per_sentence)))
            rows.append([g, g, tp, tp, tp, tp])
        sent[f"d{d}"] = rows
    doc_rows = {d: np.sum(rows, axis=0).tolist() for d, rows in sent.items()}
    tr = TaskResult("timex", "timex-v2", "value.f1", "ontonotes",
                    (("value.f1", Score(0.5, 0.4, 0.6, 0.45, 0.55)),), table("timex", fields, doc_rows),
                    "sentence", sub_table("timex", fields, sent))
    return RunRecord(RunInfo(name, (), None, "x", 1, 10), ExtractorInfo(name, "1", "ontonotes", ("timex",), ()),
                     "sha256:x", 5, "0", (tr,))


def test_widths_min_p_and_detectable_difference():
    runs = [_run("a", 0.5, 1), _run("b", 0.7, 2), _run("c", 0.6, 3)]
    p = power.task_power(runs, "timex")
    assert p.metric == "value.f1" and p.n_documents == 5 and p.n_sentence_units == 20
    assert p.doc_width == pytest.approx((0.2, 0.2, 0.2)) and p.sent_width == pytest.approx((0.1, 0.1, 0.1))
    assert p.doc_min_p == 1 / 16  # five documents: the exact permutation test's floor
    assert p.n_pairs == 3 and 0 < p.sent_mde[1] <= p.sent_mde[0] <= p.sent_mde[2] < 1
    assert power.task_power(runs, "entities") is None


def test_identical_runs_do_not_count_as_a_pair():
    runs = [_run("a", 0.5, 1), _run("a2", 0.5, 1)]
    p = power.task_power(runs, "timex")
    assert p.n_pairs == 0 and p.sent_mde is None
    assert "n/a" in power.markdown([("toy", [p])])


def test_markdown_says_no_document_level_test_can_reach_alpha():
    p = power.task_power([_run("a", 0.5, 1), _run("b", 0.8, 2)], "timex")
    text = power.markdown([("toy", [p])])
    assert "none (p cannot reach 0.05)" in text and "| toy | timex (value.f1) | 5 |" in text
    assert math.isclose(power.to_json([("toy", [p])])["suites"]["toy"]["timex"]["min_p_documents"], 0.0625)


def test_committed_power_report_is_current():
    problems, _ = power.write_or_check(check=True)
    assert problems == []
