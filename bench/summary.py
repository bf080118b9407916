"""Plain-text summary table of a run record (what `bench evaluate` prints)."""

from __future__ import annotations

from bench.results import RunRecord

# (task, metric, display name): the figures users look at first
SUMMARY_ROWS = (
    ("entities", "fine.strict.micro_f1", "entities  strict micro-F1 (OntoNotes)"),
    ("entities", "conll.strict.micro_f1", "entities  strict micro-F1 (CoNLL)"),
    ("entities", "fine.nervaluate.exact.micro_f1", "entities  nervaluate exact micro-F1"),
    ("entities", "fine.nervaluate.partial.micro_f1", "entities  nervaluate partial micro-F1"),
    ("entities", "fine.nervaluate.type.micro_f1", "entities  nervaluate type micro-F1"),
    ("timex", "strict.f1", "timex     strict span F1"),
    ("timex", "relaxed.f1", "timex     relaxed span F1"),
    ("timex", "value.accuracy", "timex     value accuracy (matched)"),
    ("timex", "value.f1", "timex     value F1"),
    ("stance", "macro_f1", "stance    macro-F1"),
    ("stance", "accuracy", "stance    accuracy"),
    ("stance", "fnc1", "stance    FNC-1 relative score"),
    ("stance", "evidence.f1", "stance    evidence F1 (IoU >= 0.5)"),
    ("stance", "evidence.token_f1", "stance    evidence token-overlap F1"),
)


def _fmt(x: float | None) -> str:
    return "   n/a" if x is None else f"{100 * x:6.1f}"  # None: undefined (e.g. 0/0), never 0


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
    stance = rec.task("stance")
    if stance is not None and "support.tp" in stance.count_fields:  # macro-F1 averages the supported classes
        from bench.types import STANCE_LABELS

        sums = [sum(row[i] for _, row in stance.doc_counts) for i in range(len(stance.count_fields))]
        col = {f: i for i, f in enumerate(stance.count_fields)}
        support = {c: int(sums[col[f"{c}.tp"]] + sums[col[f"{c}.fn"]]) for c in STANCE_LABELS}
        lines.append("  stance gold support: " + ", ".join(f"{c} {n}" for c, n in support.items())
                     + "; macro-F1 averages the classes with support > 0")
    missing = [t for t in ("entities", "timex", "stance") if rec.task(t) is None]
    if missing:
        lines.append(f"  not attempted: {', '.join(missing)}")
    lines.append("  * = the task's main score; scores in %; intervals: percentile bootstrap, "
                 f"{rec.n_resamples} resamples, seed {rec.seed}")
    return "\n".join(lines)
