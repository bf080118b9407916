"""The leaderboard's self-contained HTML page: one sortable table per task (with an
interval bar for the main score), per-label breakdowns, and the runs with everything
that determines their numbers.  CSS and JS are package data (``assets/``), inlined."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from bench.html import esc, page
from bench.leaderboard.table import DASH, NA, SUBMITTED, Run, cell_text, columns, figure, pct, per_label
from bench.leaderboard.text import legend

ASSETS = Path(__file__).resolve().parent / "assets"


@lru_cache(maxsize=2)
def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def ci_bar(value: float, low: float | None, high: float | None) -> str:
    """Inline SVG: the 0-100 % axis, the interval as a band and the score as a tick."""
    w, pad = 150.0, 5.0

    def x(v: float) -> str:
        return f"{pad + w * min(max(v, 0.0), 1.0):.1f}"

    label = cell_text((value, low, high))
    band = ""
    if low is not None and high is not None:
        band = (f'<rect x="{x(low)}" y="3" width="{max(float(x(high)) - float(x(low)), 1.0):.1f}" height="10" '
                'fill="#9bb7e6" rx="2"/>')
    return (f'<svg class="ci" width="160" height="16" viewBox="0 0 160 16" role="img" aria-label="{esc(label)}">'
            f"<title>{esc(label)}</title>"
            f'<line x1="{x(0)}" y1="8" x2="{x(1)}" y2="8" stroke="#d9dee7" stroke-width="2"/>{band}'
            f'<line x1="{x(value)}" y1="1" x2="{x(value)}" y2="15" stroke="#1d3f80" stroke-width="2"/></svg>')


def _num_td(f, bar: bool = False) -> str:
    if f is None or f[0] is None:
        return f'<td class="num na" data-sort="">{DASH if f is None else NA}</td>'
    extra = ci_bar(*f) if bar else ""
    return f'<td class="{"num main" if bar else "num"}" data-sort="{float(f[0]):.6f}">{esc(cell_text(f))}{extra}</td>'


def _task_section(task: str, title: str, runs: Sequence[Run]) -> str:
    cols = [c for c in columns() if c.task == task]
    head = ('<th data-type="text">model</th><th data-type="text">version</th>'
            + "".join(f'<th data-type="num" class="num">{esc(c.short)}</th>' for c in cols))
    body = []
    for i, r in enumerate(runs):
        tr = r.record.task(task)
        tds = (f'<td data-sort="{esc(r.name)}"><b>{esc(r.name)}</b>{_submitted(r)}</td>'
               f'<td data-sort="{esc(r.record.extractor.version)}">{esc(r.record.extractor.version)}</td>'
               + "".join(_num_td(figure(tr, c), bar=c.main) for c in cols))
        body.append(f'<tr data-order="{i}" data-model="{esc(r.name)}">{tds}</tr>')
    table = (f'<table class="sortable" id="table-{esc(task)}" data-task="{esc(task)}">\n'
             f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>\n")
    return f'<h2 id="{esc(task)}">{esc(title)}</h2>\n{table}{_breakdowns(task, runs)}'


def _breakdowns(task: str, runs: Sequence[Run]) -> str:
    from bench.scoring import get_task

    out = []
    data = {r.name: per_label(r.record.task(task)) for r in runs}
    for b in get_task(task).breakdowns:
        if not any(b.key in d for d in data.values()):
            continue
        support = {lab: next((d[b.key][lab]["gold"] for d in data.values()
                              if lab in d.get(b.key, {}) and d[b.key][lab]["gold"] is not None), None)
                   for lab in b.labels}
        head = "<th>model</th>" + "".join(
            f'<th class="num">{esc(lab)}<br><span class="muted">n={esc("?" if support[lab] is None else support[lab])}'
            "</span></th>" for lab in b.labels)
        rows = []
        for r in runs:
            d = data[r.name].get(b.key, {})
            tds = "".join(f'<td class="num{"" if lab in d and d[lab]["f1"] is not None else " na"}">'
                          f'{esc(pct(d[lab]["f1"])) if lab in d else DASH}</td>' for lab in b.labels)
            rows.append(f"<tr><td>{esc(r.name)}</td>{tds}</tr>")
        out.append(f'<details class="breakdown" data-view="{esc(b.key)}"><summary>{esc(b.title)}</summary>\n'
                   f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows)
                   + "\n</tbody>\n</table>\n</details>\n")
    return "".join(out)


def format_timings(timings: Sequence[tuple[str, float]]) -> str:
    names = {"read_s": ("read", "s"), "predict_s": ("predict", "s"), "score_s": ("score", "s"),
             "docs_per_s": ("", "docs/s")}
    known = list(names)
    parts = []
    for k, v in sorted(timings, key=lambda kv: (known.index(kv[0]) if kv[0] in known else len(known), kv[0])):
        label, unit = names.get(k, (k, ""))
        parts.append(" ".join(p for p in (label, f"{float(v):.2f}", unit) if p))
    return " · ".join(parts) or DASH


def _submitted(r: Run) -> str:
    """The mark of a row scored from a committed predictions file (its model was not run by CI)."""
    if r.submission is None:
        return ""
    s = r.submission
    return (f' <span class="muted submitted" title="{esc(f"{s.model}, {s.date}: {s.produced_by}")}">'
            f"{esc(SUBMITTED)}</span>")


def _runs_section(runs: Sequence[Run]) -> str:
    rows = []
    for r in runs:
        rec, ex = r.record, r.record.extractor
        versions = ", ".join(f"{t.task} {t.version}" for t in rec.tasks)
        config = "<br>".join(f"{esc(k)}={esc(v)}" for k, v in ex.config) or DASH
        args = ", ".join(f"{k}={v}" for k, v in rec.run.model_args)
        env = ", ".join(f"{k} {v}" for k, v in rec.environment) or DASH
        rows.append(
            f'<tr data-model="{esc(r.name)}"><td><b>{esc(r.name)}</b> {esc(ex.version)}{_submitted(r)}<br>'
            f'<span class="muted">{esc(", ".join(ex.tasks))}; labels {esc(ex.label_scheme)}'
            f'{"; args " + esc(args) if args else ""}</span></td>'
            f'<td class="mono">{esc(rec.dataset_fingerprint)}<br>{esc(rec.n_documents)} documents'
            f'{" (partial)" if rec.partial else ""}</td>'
            f"<td>bench {esc(rec.package_version)}<br>{esc(versions)}</td>"
            f'<td class="num">{esc(rec.seed)}</td><td class="num">{esc(rec.n_resamples)}</td>'
            f'<td class="timings">{esc(format_timings(r.timings))}</td>'
            f'<td class="mono">{config}</td></tr>\n'
            f'<tr><td colspan="7" class="sig mono">{esc(rec.signature())}<br>'
            f'<span class="muted">environment: {esc(env)}</span></td></tr>')
    note = (f" Rows marked {SUBMITTED} were scored by CI from a committed predictions file "
            "(leaderboard submissions); the model itself was not run by CI." if any(r.submission for r in runs) else "")
    return ('<h2 id="runs">Runs</h2>\n<p class="muted">Everything that determines the numbers; '
            f"timings are wall-clock on the machine that made the run and are shown, never compared.{esc(note)}</p>\n"
            '<table id="runs-table">\n<thead><tr><th>extractor</th><th>dataset</th><th>versions</th>'
            '<th class="num">seed</th><th class="num">resamples</th><th>timings</th><th>config</th></tr></thead>\n'
            "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n")


def html_page(runs: Sequence[Run], title: str = "Kursk IE bench leaderboard") -> str:
    from bench.scoring import TASKS

    body = (f"<h1>{esc(title)}</h1>\n"
            f'<p class="muted">{esc(legend(runs).strip()).replace("`", "")} Click a column header to sort.</p>\n'
            + "".join(_task_section(name, t.title, runs) for name, t in TASKS.items()) + _runs_section(runs))
    return page(title, body, "\n" + _asset("leaderboard.css"), _asset("leaderboard.js"))
