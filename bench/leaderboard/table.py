"""The leaderboard's table model: committed runs, their columns (declared by the tasks),
the figure in each cell and the order of the rows.  Pure data; no rendering."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.io import DataError
from bench.leaderboard.submissions import Submission
from bench.results import RunRecord, TaskResult, read_result, read_timings

DASH = "\u2014"  # a task (or view) the extractor does not support: never 0
NA = "n/a"  # a figure undefined on this data (e.g. precision with no predictions): never 0
ID_HEADERS = ("model", "version", "labels")


@dataclass(frozen=True)
class Cell:
    """One column of the wide table: a task's main score (with its interval) or a secondary figure."""

    task: str
    metrics: tuple[str, ...]  # () = the task's main score
    header: str
    short: str
    key: str

    @property
    def main(self) -> bool:
        return not self.metrics


def columns() -> tuple[Cell, ...]:
    """Every registered task's main score, then the columns it declares."""
    from bench.scoring import TASKS

    out = []
    for name, t in TASKS.items():
        out.append(Cell(name, (), f"{t.main_header()} [95% CI]", f"{t.main_header().removeprefix(name).strip()} "
                        "(main) [95% CI]", "main"))
        out += [Cell(name, c.metrics, c.header, c.short, c.key) for c in t.columns]
    return tuple(out)


SUBMITTED = "(submitted)"  # marks a row scored from a committed predictions file, not run by CI


@dataclass(frozen=True)
class Run:
    path: Path | None
    record: RunRecord
    timings: tuple[tuple[str, float], ...] = ()
    submission: Submission | None = None  # the submission it was scored from, if it is one

    @property
    def name(self) -> str:
        return self.record.extractor.name

    @property
    def shown_name(self) -> str:
        """The row's name as tables show it: a submitted row says so."""
        return f"{self.name} {SUBMITTED}" if self.submission is not None else self.name


def run_file_name(extractor_name: str) -> str:
    import re

    return (re.sub(r"[^A-Za-z0-9._-]+", "_", extractor_name).strip("_.") or "run") + ".json"


def load_runs(runs_dir: Path, submissions: Mapping[str, Submission] | None = None) -> list[Run]:
    """Every run file of a folder, validated; one run per extractor, all on one dataset.  A run
    named like one of ``submissions`` is that submission's (``check`` proves it by re-scoring)."""
    runs_dir = Path(runs_dir)
    if not runs_dir.is_dir():
        raise DataError(f"{runs_dir}: no runs directory; run `bench leaderboard --update-runs` first")
    paths = sorted(p for p in runs_dir.glob("*.json") if not p.name.endswith(".timings.json"))
    subs = submissions or {}
    runs = []
    for p in paths:
        rec = read_result(p)
        runs.append(Run(p, rec, tuple(sorted(read_timings(p).items())), subs.get(rec.extractor.name)))
    seen: dict[str, Path] = {}
    for r in runs:
        if r.name in seen:
            raise DataError(f"{r.path}: extractor {r.name!r} already has a run in {seen[r.name]}")
        seen[r.name] = r.path
    prints = {r.record.dataset_fingerprint for r in runs}
    if len(prints) > 1:
        raise DataError(f"{runs_dir}: runs are on different datasets ({', '.join(sorted(prints))}); "
                        "a leaderboard needs one dataset")
    return sort_runs(runs)


def figure(tr: TaskResult | None, col: Cell) -> tuple[float | None, float | None, float | None] | None:
    """(value, low, high) of a column for one task result; None when not available."""
    if tr is None:
        return None
    for name in col.metrics or (tr.main_score,):
        s = tr.score(name)
        if s is not None:
            return (s.value, s.low, s.high) if col.main else (s.value, None, None)
    return None


def first_main(run: Run) -> float | None:
    """The first task's main score (entities): what rows are ranked by."""
    cols = columns()
    f = figure(run.record.task(cols[0].task), cols[0]) if cols else None
    return None if f is None else f[0]


def sort_runs(runs: Sequence[Run]) -> list[Run]:
    """First task's main score descending (unsupported or undefined last), then name."""
    def key(r: Run):
        m = first_main(r)
        return (m is None, -(m or 0.0), r.name)
    return sorted(runs, key=key)


def pct(x: float | None) -> str:
    return NA if x is None else f"{100 * x:.1f}"


def cell_text(f: tuple[float | None, float | None, float | None] | None) -> str:
    if f is None:
        return DASH
    value, low, high = f
    if value is None or low is None or high is None:
        return pct(value)
    return f"{pct(value)} [{pct(low)}, {pct(high)}]"


def cells(run: Run) -> dict[str, str]:
    """Markdown header -> displayed text for one row (also what `check` compares)."""
    ex = run.record.extractor
    out = {"model": run.shown_name, "version": ex.version, "labels": ex.label_scheme}
    for col in columns():
        out[col.header] = cell_text(figure(run.record.task(col.task), col))
    return out


def per_label(tr: TaskResult | None) -> dict[str, dict[str, dict[str, float | None]]]:
    """breakdown key -> label -> {"f1", "gold"} (gold support) for the task's breakdowns."""
    if tr is None:
        return {}
    from bench.scoring import get_task

    sums = tr.sums()
    out = {}
    for b in get_task(tr.task).breakdowns:
        rows = {}
        for lab in b.labels:
            s = tr.score(b.metric.format(label=lab))
            if s is None:
                continue
            support = [sums.get(f.format(label=lab)) for f in b.support]
            gold = None if any(x is None for x in support) else sum(support)
            rows[lab] = {"f1": _r(s.value), "gold": None if gold is None else (int(gold) if float(gold).is_integer()
                                                                                else round(gold, 6))}
        if rows:
            out[b.key] = rows
    return out


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 6)
