"""`bench power`: how small a benchmark this is, stated from its own runs.

For each task's main score, from the committed leaderboard runs of a suite:

* the width of the 95% bootstrap intervals (documents, and sentences / (document,
  claim) pairs for stance), over the runs;
* the smallest difference a paired test at alpha = 0.05 can detect.  Document level:
  the exact permutation test on n documents cannot give p below 2 / 2^n (1/16 with
  five), so when that exceeds alpha no difference is detectable at all.  Sentence
  level: for each pair of runs, the paired-bootstrap standard error of the difference
  d; the minimum detectable effect at 80% power is (z_{1-alpha/2} + z_{0.8}) x SE, the
  normal approximation (Cohen 1988; Card et al. 2020 discuss power in NLP).  The
  median over pairs of runs is reported, with the range.

Everything derives from the per-unit counts stored in the run files; nothing is re-run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np

ALPHA = 0.05
POWER = 0.8
N_RESAMPLES = 2000
SEED = 12345


@dataclass(frozen=True)
class TaskPower:
    task: str
    metric: str
    n_documents: int
    n_sentence_units: int
    doc_width: tuple[float, float, float] | None  # median, min, max width of the 95% interval
    sent_width: tuple[float, float, float] | None
    doc_min_p: float  # smallest p the exact permutation test can give on the documents
    sent_mde: tuple[float, float, float] | None  # median, min, max over pairs of runs
    n_pairs: int


def _spread(xs: list[float]) -> tuple[float, float, float] | None:
    xs = [x for x in xs if x is not None and x == x]
    return (float(np.median(xs)), float(min(xs)), float(max(xs))) if xs else None


def task_power(runs, task: str) -> TaskPower | None:
    """Power figures of one task's main score over a list of RunRecords."""
    from statistics import NormalDist

    from bench.comparison import _sentence_table
    from bench.scoring import get_task
    from bench.stats import paired_diff_se

    trs = [(r, r.task(task)) for r in runs]
    trs = [(r, t) for r, t in trs if t is not None and t.main_score == trs[0][1].main_score] if trs and trs[0][1] else []
    if not trs:
        return None
    metric = get_task(task).metric(trs[0][1].main_score)
    doc_w, sent_w = [], []
    for _, t in trs:
        s = t.score(t.main_score)
        if s is not None and s.low is not None and s.high is not None:
            doc_w.append(s.high - s.low)
        if s is not None and s.sent_low is not None and s.sent_high is not None:
            sent_w.append(s.sent_high - s.sent_low)
    n_docs = len(trs[0][1].counts.units)
    tables = [_sentence_table(t, Path(r.extractor.name)) for r, t in trs]
    z = NormalDist().inv_cdf(1 - ALPHA / 2) + NormalDist().inv_cdf(POWER)
    mdes = []
    for a, b in combinations(tables, 2):
        se = paired_diff_se(a, b, metric, N_RESAMPLES, SEED)
        if se == se and se > 0:  # two runs with identical counts (a shared stance model) say nothing
            mdes.append(z * se)
    return TaskPower(task, metric.name, n_docs, len(tables[0].units), _spread(doc_w), _spread(sent_w),
                     min(1.0, 2 / 2 ** n_docs), _spread(mdes), len(mdes))


def report(suite_name: str, runs_dir: Path) -> list[TaskPower]:
    from bench.leaderboard import load_runs

    runs = [r.record for r in load_runs(runs_dir)]
    out = []
    from bench.scoring import TASKS

    for task in TASKS:
        p = task_power(runs, task)
        if p is not None:
            out.append(p)
    return out


def _pts(x: float) -> str:
    return f"{100 * x:.1f}"


def _range(t: tuple[float, float, float] | None) -> str:
    return "n/a" if t is None else f"{_pts(t[0])} ({_pts(t[1])}-{_pts(t[2])})"


def markdown(suites: list[tuple[str, list[TaskPower]]]) -> str:
    lines = ["| dataset | task (main score) | documents | 95% CI width, documents | 95% CI width, sentences/pairs "
             "| smallest p on documents | detectable at alpha 0.05, documents | detectable at alpha 0.05, sentences/pairs |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for name, rows in suites:
        for p in rows:
            doc_detect = "none (p cannot reach 0.05)" if p.doc_min_p > ALPHA else "see sentences"
            lines.append(f"| {name} | {p.task} ({p.metric}) | {p.n_documents} | {_range(p.doc_width)} | "
                         f"{_range(p.sent_width)} | {p.doc_min_p:.4f} | {doc_detect} | "
                         f"{_range(p.sent_mde)} ({p.n_sentence_units} units) |")
    return "\n".join(lines) + "\n"


def legend() -> str:
    return (f"Points of the main score (x100): median over the leaderboard's runs (range in brackets). "
            f"Detectable = the difference a paired test finds at alpha {ALPHA} with {POWER:.0%} power, "
            f"(z_{{1-alpha/2}} + z_{{power}}) x the paired-bootstrap standard error of the difference "
            f"({N_RESAMPLES} resamples), median over pairs of runs. Generated by `bench power`.\n")


def to_json(suites: list[tuple[str, list[TaskPower]]]) -> dict:
    def r6(t):
        return None if t is None else [round(x, 6) for x in t]

    return {"alpha": ALPHA, "power": POWER, "n_resamples": N_RESAMPLES, "seed": SEED, "suites": {
        name: {p.task: {"metric": p.metric, "n_documents": p.n_documents, "n_sentence_units": p.n_sentence_units,
                        "ci95_width_documents": r6(p.doc_width), "ci95_width_sentences": r6(p.sent_width),
                        "min_p_documents": round(p.doc_min_p, 6), "mde_sentences": r6(p.sent_mde),
                        "n_run_pairs": p.n_pairs}
               for p in rows}
        for name, rows in suites}}


def render(suites: list[tuple[str, list[TaskPower]]]) -> tuple[str, str]:
    """(Markdown report, JSON text)."""
    md = "# Statistical power\n\n" + markdown(suites) + "\n" + legend()
    return md, json.dumps(to_json(suites), indent=1, sort_keys=True) + "\n"


REPORT_MD = Path(__file__).resolve().parent.parent / "data" / "power.md"
REPORT_JSON = REPORT_MD.with_suffix(".json")
MARKER = "power"


def write_or_check(check: bool = False) -> tuple[list[str], list[str]]:
    """(problems, lines): write data/power.{md,json} and the README section, or, with
    ``check``, report which of them differ from what the committed runs give."""
    from bench.io import atomic_write_text
    from bench.leaderboard import README, load_suites, replace_section
    from bench.leaderboard.sync import show

    suites = [(s.name, report(s.name, s.runs_dir)) for s in load_suites()]
    md, js = render(suites)
    files = {REPORT_MD: md, REPORT_JSON: js}
    readme = README.read_text(encoding="utf-8")
    new_readme = replace_section(readme, markdown(suites) + "\n" + legend(), MARKER)
    if new_readme is None:
        return [f"{show(README)}: no <!-- {MARKER}:start --> ... <!-- {MARKER}:end --> markers"], []
    files[README] = new_readme
    if check:
        return [f"{show(p)}: stale" for p, text in files.items()
                if not p.is_file() or p.read_text(encoding="utf-8") != text], []
    for path, text in files.items():
        atomic_write_text(path, text)
    return [], [md.rstrip("\n")] + [f"wrote {show(p)}" for p in files]
