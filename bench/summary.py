"""Plain-text summary table of a run record (what `bench evaluate` prints)."""

from __future__ import annotations

from bench.results import RunRecord

# (task, metric, display name): the figures users look at first
SUMMARY_ROWS = (
    ("entities", "fine.strict.micro_f1", "entities  strict micro-F1 (OntoNotes)"),
    ("entities", "conll.strict.micro_f1", "entities  strict micro-F1 (CoNLL)"),
    ("entities", "fine.exact.micro_f1", "entities  exact-span micro-F1"),
    ("entities", "fine.partial.micro_f1", "entities  partial micro-F1"),
    ("entities", "fine.type.micro_f1", "entities  type micro-F1"),
    ("timex", "strict.f1", "timex     strict span F1"),
    ("timex", "relaxed.f1", "timex     relaxed span F1"),
    ("timex", "value.accuracy", "timex     value accuracy (matched)"),
    ("timex", "value.f1", "timex     value F1"),
    ("stance", "macro_f1", "stance    macro-F1"),
    ("stance", "accuracy", "stance    accuracy"),
    ("stance", "fnc1", "stance    FNC-1 relative score"),
    ("stance", "evidence.f1", "stance    evidence span F1"),
)


def _fmt(x: float | None) -> str:
    return "   -  " if x is None else f"{100 * x:6.1f}"


def render(rec: RunRecord) -> str:
    lines = [f"{rec.extractor.name} {rec.extractor.version} on {rec.n_documents} documents",
             f"  {rec.signature()}", "",
             f"  {'figure':40} {'score':>6}   {'95% CI (documents)':>18}   {'95% CI (sentences)':>18}"]
    for task, metric, label in SUMMARY_ROWS:
        tr = rec.task(task)
        s = tr.score(metric) if tr else None
        if tr is None or s is None:
            continue
        main = "*" if metric == tr.main_score else " "
        lines.append(f"{main} {label:40} {_fmt(s.value)}   [{_fmt(s.low)}, {_fmt(s.high)}]     "
                     f"[{_fmt(s.sent_low)}, {_fmt(s.sent_high)}]")
    missing = [t for t in ("entities", "timex", "stance") if rec.task(t) is None]
    if missing:
        lines.append(f"  not attempted: {', '.join(missing)}")
    lines.append("  * = the task's main score; scores in %; intervals: percentile bootstrap, "
                 f"{rec.n_resamples} resamples, seed {rec.seed}")
    return "\n".join(lines)
