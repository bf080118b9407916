"""Plain-text summary table of a run record (what `bench evaluate` prints)."""

from __future__ import annotations

from bench.results import RunRecord


def _fmt(x: float | None) -> str:
    return "   n/a" if x is None else f"{100 * x:6.1f}"  # None: undefined (e.g. 0/0), never 0


def _line(main: bool, label: str, s) -> str:
    return (f"{'*' if main else ' '} {label:40} {_fmt(s.value)}   [{_fmt(s.low)}, {_fmt(s.high)}]     "
            f"[{_fmt(s.sent_low)}, {_fmt(s.sent_high)}]")


def render(rec: RunRecord) -> str:
    """The main score and the declared columns of every task the run has, in task order."""
    from bench.scoring import TASKS

    lines = [f"{rec.extractor.name} {rec.extractor.version} on {rec.n_documents} documents",
             f"  {rec.signature()}", "",
             f"  {'figure':40} {'score':>6}   {'95% CI (documents)':>18}   {'95% CI (sub-units)':>18}"]
    for name, task in TASKS.items():
        tr = rec.task(name)
        if tr is None:
            continue
        main = tr.score(tr.main_score)
        if main is not None:
            lines.append(_line(True, task.main_header(), main))
        for col in task.columns:
            metric = next((m for m in col.metrics if tr.score(m) is not None), None)
            if metric is not None and metric != tr.main_score:
                lines.append(_line(False, col.header, tr.score(metric)))
        if task.breakdowns and task.confusion is not None:  # say which classes a macro average spans
            b = task.breakdowns[0]
            sums = tr.sums()
            support = {lab: int(sum(sums.get(f.format(label=lab), 0) for f in b.support)) for lab in b.labels}
            lines.append(f"  {name} gold support: " + ", ".join(f"{lab} {n}" for lab, n in support.items())
                         + "; macro averages span the classes with support > 0")
    lines += diagnostics_lines(rec)
    missing = [name for name in TASKS if rec.task(name) is None]
    if missing:
        lines.append(f"  not attempted: {', '.join(missing)}")
    lines.append("  * = the task's main score; scores in %; n/a = undefined; intervals: percentile bootstrap, "
                 f"{rec.n_resamples} resamples, seed {rec.seed}")
    return "\n".join(lines)


def diagnostics_lines(rec: RunRecord) -> list[str]:
    """The extractor's diagnostics, one line per group ("entities.unaligned" -> group entities):
    what it produced but could not use, so a score is never read without them."""
    if not rec.diagnostics:
        return []
    from bench.scoring import TASKS

    groups: dict[str, list[str]] = {}
    for name, count in sorted(rec.diagnostics, key=lambda kv: not kv[0].endswith(".prompts")):  # prompts first
        group, _, what = name.rpartition(".")
        groups.setdefault(group or "run", []).append(f"{what.replace('_', ' ')} {count}")
    order = [t for t in TASKS if t in groups] + sorted(g for g in groups if g not in TASKS)
    return ["  diagnostics (what the extractor could not use):"] + [
        f"    {group}: {', '.join(groups[group])}" for group in order]
