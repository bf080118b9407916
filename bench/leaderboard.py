"""The leaderboard: committed run records rendered as Markdown, JSON, one HTML page and a README section.

Rendering never re-scores: it reads `leaderboard/runs/<name>.json` (plus the
optional `.timings.json`).  `update_runs` is the only way those files are made
(every registered baseline, run for real); `check` re-runs them in memory and
names the first stale cell, so a committed number can always be reproduced.
Output bytes depend only on the run files: no timestamps, fixed orders.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bench.corpus import BENCHMARK, HELDOUT, REPO_ROOT
from bench.io import DataError, atomic_write_text
from bench.results import RunRecord, TaskResult, read_result, read_timings, to_json

RUNS_DIR = REPO_ROOT / "leaderboard" / "runs"
OUT_DIR = REPO_ROOT / "leaderboard"
README = REPO_ROOT / "README.md"
START, END = "<!-- leaderboard:start -->", "<!-- leaderboard:end -->"


@dataclass(frozen=True)
class Suite:
    """One leaderboard: a dataset, its committed runs, its rendered files and its README markers."""

    name: str  # the built-in dataset's name, as stamped on results
    runs_dir: Path
    out_dir: Path
    marker: str  # README section between <!-- {marker}:start --> and <!-- {marker}:end -->


SUITES = (
    Suite(BENCHMARK.name, RUNS_DIR, OUT_DIR, "leaderboard"),
    # Five unseen articles written and annotated after the baselines were frozen:
    # the gap to the built-in scores shows how much a system is fitted to the benchmark.
    Suite(HELDOUT.name, OUT_DIR / "heldout" / "runs", OUT_DIR / "heldout", "leaderboard-heldout"),
)


def _tags(marker: str) -> tuple[str, str]:
    return f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
SCHEMA = "kursk-ie-bench/leaderboard/v1"
DASH = "\u2014"  # a task (or view) the extractor does not support: never 0
NA = "n/a"  # a figure that is undefined on this data (e.g. precision with no predictions): never 0
TASK_ORDER = ("entities", "timex", "stance")
TASK_TITLES = {"entities": "Named entities", "timex": "Temporal expressions (TIMEX3)", "stance": "Claim stance"}


@dataclass(frozen=True)
class Column:
    task: str
    metrics: tuple[str, ...]  # first one the run has wins; () = the task's main score, with its interval
    header: str  # Markdown header (task-prefixed: one wide table)
    short: str  # header inside the task's own HTML table
    key: str  # leaderboard.json key

    @property
    def main(self) -> bool:
        return not self.metrics


COLUMNS: tuple[Column, ...] = (
    Column("entities", (), "entities strict F1 [95% CI]", "strict F1 (main) [95% CI]", "main"),
    Column("entities", ("fine.strict.micro_f1",), "entities strict F1 OntoNotes", "strict F1 OntoNotes",
           "fine.strict.micro_f1"),
    Column("entities", ("conll.strict.micro_f1",), "entities strict F1 CoNLL", "strict F1 CoNLL",
           "conll.strict.micro_f1"),
    # nervaluate's exact and partial ignore the label, so the CoNLL view gives the same figure
    # for CoNLL extractors
    Column("entities", ("fine.nervaluate.exact.micro_f1", "conll.nervaluate.exact.micro_f1"),
           "entities nervaluate exact F1", "nervaluate exact F1", "nervaluate.exact.micro_f1"),
    Column("entities", ("fine.nervaluate.partial.micro_f1", "conll.nervaluate.partial.micro_f1"),
           "entities nervaluate partial F1", "nervaluate partial F1", "nervaluate.partial.micro_f1"),
    Column("timex", (), "timex value F1 [95% CI]", "value F1 (main) [95% CI]", "main"),
    Column("timex", ("strict.f1",), "timex strict F1", "strict F1", "strict.f1"),
    Column("timex", ("relaxed.f1",), "timex relaxed F1", "relaxed F1", "relaxed.f1"),
    Column("timex", ("value.accuracy",), "timex value accuracy", "value accuracy", "value.accuracy"),
    Column("stance", (), "stance macro-F1 [95% CI]", "macro-F1 (main) [95% CI]", "main"),
    Column("stance", ("accuracy",), "stance accuracy", "accuracy", "accuracy"),
    Column("stance", ("evidence.f1",), "stance evidence F1", "evidence F1 (IoU>=0.5)", "evidence.f1"),
)
ID_HEADERS = ("model", "version", "labels")


@dataclass(frozen=True)
class Run:
    path: Path
    record: RunRecord
    timings: tuple[tuple[str, float], ...] = ()

    @property
    def name(self) -> str:
        return self.record.extractor.name


# ---- reading runs and picking figures -------------------------------------------

def run_file_name(extractor_name: str) -> str:
    return (re.sub(r"[^A-Za-z0-9._-]+", "_", extractor_name).strip("_.") or "run") + ".json"


def load_runs(runs_dir: Path) -> list[Run]:
    runs_dir = Path(runs_dir)
    if not runs_dir.is_dir():
        raise DataError(f"{runs_dir}: no runs directory; run `bench leaderboard --update-runs` first")
    paths = sorted(p for p in runs_dir.glob("*.json") if not p.name.endswith(".timings.json"))
    runs = [Run(p, read_result(p), tuple(sorted(read_timings(p).items()))) for p in paths]
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


def figure(tr: TaskResult | None, col: Column) -> tuple[float, float | None, float | None] | None:
    """(value, low, high) of a column for one task result, None when not available."""
    if tr is None:
        return None
    for name in col.metrics or (tr.main_score,):
        s = tr.score(name)
        if s is not None:
            return (s.value, s.low, s.high) if col.main else (s.value, None, None)
    return None


def entity_main(run: Run) -> float | None:
    f = figure(run.record.task("entities"), COLUMNS[0])
    return None if f is None else f[0]


def sort_runs(runs: Sequence[Run]) -> list[Run]:
    """Entity main score descending (unsupported last), then name."""
    def key(r: Run):
        m = entity_main(r)
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
    out = {"model": run.name, "version": ex.version, "labels": ex.label_scheme}
    for col in COLUMNS:
        out[col.header] = cell_text(figure(run.record.task(col.task), col))
    return out


# ---- Markdown ----------------------------------------------------------------------

def _md_cell(text: str) -> str:
    """Escaped so a name cannot break the table or inject HTML into the README."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|").replace("\n", " ")


def markdown_table(runs: Sequence[Run]) -> str:
    headers = list(ID_HEADERS) + [c.header for c in COLUMNS]
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join(["---"] * len(ID_HEADERS) + ["---:"] * len(COLUMNS)) + "|"]
    for r in runs:
        c = cells(r)
        lines.append("| " + " | ".join(_md_cell(c[h]) for h in headers) + " |")
    return "\n".join(lines) + "\n"


def _legend(runs: Sequence[Run]) -> str:
    if not runs:
        return "No runs yet.\n"
    rec = runs[0].record
    return (f"Scores in %, on {rec.n_documents} documents (dataset `{rec.dataset_fingerprint}`). "
            "[low, high] = 95% percentile bootstrap interval over documents "
            f"({rec.n_resamples} resamples, seed {rec.seed}); {DASH} = task not supported. "
            f"n/a = undefined on this data (e.g. no predictions). Entity main score: set-based strict micro-F1 "
            "(conlleval/seqeval) on OntoNotes labels, on the CoNLL view for CoNLL-label extractors (labels column).\n")


def readme_section(runs: Sequence[Run], out_dir: Path = OUT_DIR) -> str:
    return (markdown_table(runs) + "\n" + _legend(runs)
            + f"Full table with per-label figures: `{_rel(Path(out_dir) / 'index.html', REPO_ROOT)}`; "
              "regenerate with `bench leaderboard --update-runs`.\n")


def markdown(runs: Sequence[Run], runs_dir: Path = RUNS_DIR) -> str:
    out = ["# Leaderboard", "",
           f"Generated by `bench leaderboard` from `{_rel(runs_dir, REPO_ROOT)}/`; do not edit by hand.", "",
           markdown_table(runs), _legend(runs), "## Run signatures", ""]
    out += [f"- `{r.record.signature()}`" for r in runs]
    return "\n".join(out) + "\n"


def parse_markdown_table(text: str) -> dict[str, dict[str, str]]:
    """model -> header -> cell of the first Markdown table in text (for naming stale cells)."""
    rows: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("|"):
            rows.append([html.unescape(c.strip().replace("\\|", "|"))
                         for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
        elif rows:
            break
    if len(rows) < 2:
        return {}
    headers = rows[0]
    return {r[0]: dict(zip(headers, r)) for r in rows[2:] if r}


# ---- JSON --------------------------------------------------------------------------

def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 6)


def per_label(tr: TaskResult | None, task: str) -> dict[str, dict[str, float | None]]:
    """Per-label F1 and gold support: strict F1 per entity label (both views), F1 per stance class."""
    if tr is None:
        return {}
    from bench.types import CONLL_LABELS, ENTITY_LABELS, STANCE_LABELS

    sums = _count_sums(tr)
    out: dict[str, dict[str, float | None]] = {}
    if task == "entities":
        for view, labels in (("fine", ENTITY_LABELS), ("conll", CONLL_LABELS)):
            if tr.score(f"{view}.strict.micro_f1") is None:
                continue
            for lab in labels:
                s = tr.score(f"{view}.strict.{lab}.f1")
                out[f"{view}.{lab}"] = {"f1": _r(s and s.value), "gold": sums.get(f"{view}.strict.{lab}.pos")}
    elif task == "stance":
        for lab in STANCE_LABELS:
            s = tr.score(f"{lab}.f1")
            tp, fn = sums.get(f"{lab}.tp"), sums.get(f"{lab}.fn")
            out[lab] = {"f1": _r(s and s.value), "gold": None if tp is None or fn is None else tp + fn}
    return out


def _count_sums(tr: TaskResult) -> dict[str, float]:
    def num(x: float) -> float:
        return int(x) if float(x).is_integer() else round(x, 6)
    return {f: num(sum(row[i] for _, row in tr.doc_counts)) for i, f in enumerate(tr.count_fields)}


def _task_json(tr: TaskResult | None, task: str) -> dict | None:
    if tr is None:
        return None
    cols = [c for c in COLUMNS if c.task == task]
    value, low, high = figure(tr, cols[0]) or (None, None, None)
    figures = {}
    for c in cols[1:]:
        f = figure(tr, c)
        figures[c.key] = None if f is None else _r(f[0])
    out = {"version": tr.version, "main_score": tr.main_score,
           "main": {"value": _r(value), "ci95": [_r(low), _r(high)]}, "figures": figures}
    labels = per_label(tr, task)
    if labels:
        out["per_label"] = labels
    return out


def leaderboard_json(runs: Sequence[Run], out_dir: Path) -> dict:
    rows = []
    for r in runs:
        rec, ex = r.record, r.record.extractor
        rows.append({
            "file": _rel(r.path, out_dir),
            "extractor": {"name": ex.name, "version": ex.version, "label_scheme": ex.label_scheme,
                          "tasks": list(ex.tasks)},
            "signature": rec.signature(),
            "dataset_fingerprint": rec.dataset_fingerprint,
            "n_documents": rec.n_documents,
            "package_version": rec.package_version,
            "seed": rec.seed,
            "n_resamples": rec.n_resamples,
            "partial": rec.partial,
            "tasks": {t: _task_json(rec.task(t), t) for t in TASK_ORDER},
        })
    return {"schema": SCHEMA, "score_unit": "fraction", "ci": "95% percentile bootstrap over documents",
            "runs": rows}


def _rel(path: Path, base: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(base).resolve()).as_posix()
    except ValueError:
        return Path(path).name


# ---- HTML --------------------------------------------------------------------------

_CSS = """
table.sortable th { cursor: pointer; user-select: none; white-space: nowrap; }
table.sortable th::after { content: " \\2195"; color: #9aa3b2; font-size: .8em; }
table.sortable th[aria-sort="descending"]::after { content: " \\25BC"; color: var(--accent); }
table.sortable th[aria-sort="ascending"]::after { content: " \\25B2"; color: var(--accent); }
svg.ci { vertical-align: middle; margin-left: .4rem; }
td.main { white-space: nowrap; }
.sig { font-size: .78em; word-break: break-all; }
"""

_JS = """
(function () {
  function key(cell, numeric) {
    var v = cell.getAttribute("data-sort");
    if (v === null || v === "") return null;
    return numeric ? parseFloat(v) : v;
  }
  function sortBy(table, th, col) {
    var numeric = th.getAttribute("data-type") === "num";
    var dir = th.getAttribute("aria-sort") === "descending" ? "ascending" : "descending";
    if (!numeric && !th.hasAttribute("aria-sort")) dir = "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[col], numeric), y = key(b.cells[col], numeric);
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;  /* unsupported always last */
      } else if (x !== y) {
        var c = x < y ? -1 : 1;
        return dir === "ascending" ? c : -c;
      }
      return parseInt(a.getAttribute("data-order"), 10) - parseInt(b.getAttribute("data-order"), 10);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.setAttribute("tabindex", "0");
      th.addEventListener("click", function () { sortBy(table, th, col); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(table, th, col); }
      });
    });
  });
})();
"""


def ci_bar(value: float, low: float | None, high: float | None) -> str:
    """Inline SVG: the 0-100 % axis, the interval as a band and the score as a tick."""
    from bench.html import esc

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
    text = cell_text(f)
    extra = ci_bar(*f) if bar else ""
    cls = "num main" if bar else "num"
    return f'<td class="{cls}" data-sort="{f[0]:.6f}">{text}{extra}</td>'


def _task_section(task: str, runs: Sequence[Run]) -> str:
    from bench.html import esc

    cols = [c for c in COLUMNS if c.task == task]
    head = ('<th data-type="text">model</th><th data-type="text">version</th>'
            + "".join(f'<th data-type="num" class="num">{esc(c.short)}</th>' for c in cols))
    body = []
    for i, r in enumerate(runs):
        tr = r.record.task(task)
        tds = (f'<td data-sort="{esc(r.name)}"><b>{esc(r.name)}</b></td>'
               f'<td data-sort="{esc(r.record.extractor.version)}">{esc(r.record.extractor.version)}</td>'
               + "".join(_num_td(figure(tr, c), bar=c.main) for c in cols))
        body.append(f'<tr data-order="{i}" data-model="{esc(r.name)}">{tds}</tr>')
    table = (f'<table class="sortable" id="table-{task}" data-task="{task}">\n<thead><tr>{head}</tr></thead>\n'
             "<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>\n")
    return f'<h2 id="{task}">{esc(TASK_TITLES[task])}</h2>\n{table}{_breakdowns(task, runs)}'


def _breakdowns(task: str, runs: Sequence[Run]) -> str:
    from bench.html import esc
    from bench.types import CONLL_LABELS, ENTITY_LABELS, STANCE_LABELS

    views = {"entities": (("fine", ENTITY_LABELS, "per-label strict F1, OntoNotes labels"),
                          ("conll", CONLL_LABELS, "per-label strict F1, CoNLL view")),
             "stance": (("", STANCE_LABELS, "per-class F1"),)}.get(task, ())
    out = []
    for view, labels, title in views:
        data = {r.name: per_label(r.record.task(task), task) for r in runs}
        keys = [f"{view}.{lab}" if view else lab for lab in labels]
        if not any(k in d for d in data.values() for k in keys):
            continue
        support = {k: next((d[k]["gold"] for d in data.values() if k in d and d[k]["gold"] is not None), None)
                   for k in keys}
        head = "<th>model</th>" + "".join(
            f'<th class="num">{esc(lab)}<br><span class="muted">n={pct_int(support[k])}</span></th>'
            for lab, k in zip(labels, keys))
        rows = []
        for r in runs:
            d = data[r.name]
            tds = "".join(f'<td class="num{"" if k in d and d[k]["f1"] is not None else " na"}">'
                          f'{pct(d[k]["f1"]) if k in d else DASH}</td>' for k in keys)
            rows.append(f"<tr><td>{esc(r.name)}</td>{tds}</tr>")
        out.append(f'<details class="breakdown" data-view="{view or task}"><summary>{esc(title)}</summary>\n'
                   f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows)
                   + "\n</tbody>\n</table>\n</details>\n")
    return "".join(out)


def pct_int(x: float | None) -> str:
    return "?" if x is None else f"{x:g}"


def format_timings(timings: Sequence[tuple[str, float]]) -> str:
    names = {"read_s": ("read", "s"), "predict_s": ("predict", "s"), "score_s": ("score", "s"),
             "docs_per_s": ("", "docs/s")}
    known = list(names)
    parts = []
    for k, v in sorted(timings, key=lambda kv: (known.index(kv[0]) if kv[0] in known else len(known), kv[0])):
        label, unit = names.get(k, (k, ""))
        parts.append(" ".join(p for p in (label, f"{v:.2f}", unit) if p))
    return " · ".join(parts) or DASH


def _runs_section(runs: Sequence[Run]) -> str:
    from bench.html import esc

    rows = []
    for r in runs:
        rec, ex = r.record, r.record.extractor
        versions = ", ".join(f"{t.task} {t.version}" for t in rec.tasks)
        config = "<br>".join(f"{esc(k)}={esc(v)}" for k, v in ex.config) or DASH
        env = ", ".join(f"{esc(k)} {esc(v)}" for k, v in rec.environment) or DASH
        rows.append(
            f'<tr data-model="{esc(r.name)}"><td><b>{esc(r.name)}</b> {esc(ex.version)}<br>'
            f'<span class="muted">{esc(", ".join(ex.tasks))}; labels {esc(ex.label_scheme)}</span></td>'
            f'<td class="mono">{esc(rec.dataset_fingerprint)}<br>{rec.n_documents} documents'
            f'{" (partial)" if rec.partial else ""}</td>'
            f"<td>bench {esc(rec.package_version)}<br>{esc(versions)}</td>"
            f'<td class="num">{rec.seed}</td><td class="num">{rec.n_resamples}</td>'
            f'<td class="timings">{esc(format_timings(r.timings))}</td>'
            f'<td class="mono">{config}</td></tr>\n'
            f'<tr><td colspan="7" class="sig mono">{esc(rec.signature())}<br>'
            f'<span class="muted">environment: {env}</span></td></tr>')
    return ('<h2 id="runs">Runs</h2>\n<p class="muted">Everything that determines the numbers; '
            "timings are wall-clock on the machine that made the run and are shown, never compared.</p>\n"
            '<table id="runs-table">\n<thead><tr><th>extractor</th><th>dataset</th><th>versions</th>'
            '<th class="num">seed</th><th class="num">resamples</th><th>timings</th><th>config</th></tr></thead>\n'
            "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n")


def html_page(runs: Sequence[Run]) -> str:
    from bench.html import esc, page

    legend = esc(_legend(runs).strip()).replace("`", "")
    body = ('<h1>Kursk IE bench leaderboard</h1>\n'
            f'<p class="muted">{legend} Click a column header to sort.</p>\n'
            + "".join(_task_section(t, runs) for t in TASK_ORDER) + _runs_section(runs))
    return page("Kursk IE bench leaderboard", body, _CSS, _JS)


# ---- writing, README, check -----------------------------------------------------------

def _markers(text: str, marker: str = "leaderboard") -> tuple[int, int] | None:
    start, end = _tags(marker)
    a, b = text.find(start), text.find(end)
    return None if a < 0 or b < a else (a + len(start), b)


def replace_section(text: str, section: str, marker: str = "leaderboard") -> str | None:
    """README text with the marked section replaced; None when the markers are missing or out of order."""
    m = _markers(text, marker)
    return None if m is None else text[:m[0]] + "\n" + section.rstrip("\n") + "\n" + text[m[1]:]


def rendered(runs: Sequence[Run], out_dir: Path) -> dict[Path, str]:
    """Every output file's text, computed before anything is written."""
    out_dir = Path(out_dir)
    return {
        out_dir / "leaderboard.md": markdown(runs, runs[0].path.parent if runs else RUNS_DIR),
        out_dir / "leaderboard.json": json.dumps(leaderboard_json(runs, out_dir), indent=1, ensure_ascii=False) + "\n",
        out_dir / "index.html": html_page(runs),
    }


def render(runs_dir: Path = RUNS_DIR, out_dir: Path = OUT_DIR, readme: Path | None = README,
           marker: str = "leaderboard") -> list[str]:
    """Write the leaderboard files (and the README section); returns what was done, one line each."""
    runs = load_runs(runs_dir)
    files = rendered(runs, out_dir)
    notes = []
    if readme is not None:
        readme = Path(readme)
        old = readme.read_text(encoding="utf-8") if readme.is_file() else None
        new = None if old is None else replace_section(old, readme_section(runs, out_dir), marker)
        if new is None:
            start, end = _tags(marker)
            notes.append(f"note: {show(readme)} has no {start} ... {end} markers; README left alone")
        elif new != old:
            files[readme] = new
    for path, text in files.items():
        atomic_write_text(path, text)
    return [f"wrote {show(p)}" for p in files] + notes


def show(path: Path) -> str:
    """A path relative to the working directory when it is below it (messages name files as users see them)."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


Factory = Callable[[], object]


def _registered_factories() -> dict[str, Factory]:
    from bench.extractors import load_extractor, registered

    return {name: (lambda n=name: load_extractor(n)) for name in sorted(registered())}


def fresh_record(factory: Factory, corpus, seed: int, n_resamples: int,
                 dataset_name: str = BENCHMARK.name) -> tuple[RunRecord, dict]:
    from bench.evaluate import Settings, evaluate_extractor
    from bench.results import from_json

    rec, _, timings = evaluate_extractor(factory(), corpus, dataset_name, Settings(seed, n_resamples))
    # through JSON and back: exactly the record a run file holds (figures rounded to 6 decimals)
    return from_json(json.loads(json.dumps(to_json(rec)))), timings


def _defaults(extractors: Mapping[str, Factory] | None, corpus):
    if extractors is None:
        extractors = _registered_factories()
    if corpus is None:
        from bench.corpus import load_dataset_dir

        corpus = load_dataset_dir()
    return extractors, corpus


def update_runs(runs_dir: Path = RUNS_DIR, out_dir: Path = OUT_DIR, readme: Path | None = README,
                seed: int | None = None, n_resamples: int | None = None,
                extractors: Mapping[str, Factory] | None = None, corpus=None,
                echo: Callable[[str], None] = lambda s: None, marker: str = "leaderboard",
                dataset_name: str = BENCHMARK.name) -> list[str]:
    """Run every registered baseline for real, write its run file and timings, then render."""
    from bench.evaluate import DEFAULT_RESAMPLES, DEFAULT_SEED
    from bench.results import write_result

    extractors, corpus = _defaults(extractors, corpus)
    runs_dir = Path(runs_dir)
    lines, written = [], set()
    for name, factory in extractors.items():
        echo(f"running {name} ...")
        rec, timings = fresh_record(factory, corpus, DEFAULT_SEED if seed is None else seed,
                                    DEFAULT_RESAMPLES if n_resamples is None else n_resamples, dataset_name)
        path = runs_dir / run_file_name(rec.extractor.name)
        write_result(path, rec, timings)
        written.add(path.name)
        lines.append(f"wrote {show(path)}")
    for p in sorted(runs_dir.glob("*.json")):
        if not p.name.endswith(".timings.json") and p.name not in written:
            lines.append(f"note: {show(p)} belongs to no registered extractor; delete it or register one")
    return lines + render(runs_dir, out_dir, readme, marker)


def _json_diffs(a, b, path: str = "", limit: int = 3) -> list[str]:
    """Paths where two JSON values differ (committed a, now b), at most limit."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                out.append(f"{path}{k}: {'missing' if k not in a else repr(a[k])[:60]} committed, "
                           f"{'missing' if k not in b else repr(b[k])[:60]} now")
            else:
                out += _json_diffs(a[k], b[k], f"{path}{k}.", limit)
            if len(out) >= limit:
                break
        return out[:limit]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += _json_diffs(x, y, f"{path}{i}.", limit)
        return out[:limit]
    return [] if a == b else [f"{path.rstrip('.')}: committed {json.dumps(a)[:60]}, now {json.dumps(b)[:60]}"]


def _cell_diffs(where: str, old: Mapping[str, Mapping[str, str]], new: Mapping[str, Mapping[str, str]]) -> list[str]:
    out = []
    for model in list(new) + [m for m in old if m not in new]:
        if model not in old:
            out.append(f"{where}: row {model} missing (expected it)")
        elif model not in new:
            out.append(f"{where}: row {model} should not be there")
        else:
            for col, now in new[model].items():
                was = old[model].get(col)
                if was != now:
                    out.append(f"{where}: row {model}, column {col!r}: committed {was or '(none)'}, now {now}")
    return out


def _line_diff(where: str, old: str, new: str) -> list[str]:
    a, b = old.splitlines(), new.splitlines()
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else "(end of file)"
        y = b[i] if i < len(b) else "(end of file)"
        if x != y:
            col = next((k for k, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
            lo = max(col - 30, 0)
            return [f"{where}:{i + 1}:{col + 1}: committed {x[lo:col + 50]!r}, now {y[lo:col + 50]!r}"]
    return [f"{where}: differs (line endings or trailing newline)"]


def check(runs_dir: Path = RUNS_DIR, out_dir: Path = OUT_DIR, readme: Path | None = README,
          extractors: Mapping[str, Factory] | None = None, corpus=None, marker: str = "leaderboard",
          dataset_name: str = BENCHMARK.name, echo: Callable[[str], None] = lambda s: None) -> list[str]:
    """Problems that make the committed leaderboard stale; [] when it is up to date.  Writes nothing.
    Environment-only differences (library versions) go to ``echo`` as notes, not problems."""
    from bench.evaluate import DEFAULT_RESAMPLES, DEFAULT_SEED

    extractors, corpus = _defaults(extractors, corpus)
    runs_dir, out_dir = Path(runs_dir), Path(out_dir)
    committed = {r.name: r for r in load_runs(runs_dir)} if runs_dir.is_dir() else {}
    problems = []
    for name in committed:
        if name not in extractors:
            problems.append(f"{show(committed[name].path)}: run of {name!r}, which is not a registered extractor")
    fresh: list[Run] = []
    for name, factory in extractors.items():
        old = committed.get(name)
        if old is None:
            problems.append(f"{show(runs_dir / run_file_name(name))}: registered extractor {name!r} has no "
                            "committed run; run `bench leaderboard --update-runs`")
        rec, _ = fresh_record(factory, corpus, old.record.seed if old else DEFAULT_SEED,
                              old.record.n_resamples if old else DEFAULT_RESAMPLES, dataset_name)
        if old is not None and old.record.environment != rec.environment:
            # other library versions: worth a look, but only a changed figure or identity is stale
            env_old, env_new = dict(old.record.environment), dict(rec.environment)
            changed = ", ".join(f"{k} {env_old.get(k, '-')} -> {env_new.get(k, '-')}"
                                for k in sorted(set(env_old) | set(env_new)) if env_old.get(k) != env_new.get(k))
            echo(f"note: {show(old.path)}: environment differs from the committed run ({changed})")
            rec = replace(rec, environment=old.record.environment)
        run = Run(old.path if old else runs_dir / run_file_name(rec.extractor.name), rec,
                  old.timings if old else ())
        fresh.append(run)
        if old is not None:
            a = json.loads(json.dumps(to_json(old.record)))
            b = json.loads(json.dumps(to_json(rec)))
            if a != b:
                where = show(old.path)
                diffs = _cell_diffs(where, {name: cells(old)}, {name: cells(run)}) or _json_diffs(a, b, f"{where}: ")
                problems += diffs + [f"{where}: stale; run `bench leaderboard --update-runs`"]
    fresh = sort_runs(fresh)
    for path, text in rendered(fresh, out_dir).items():
        where = show(path)
        if not path.is_file():
            problems.append(f"{where}: missing; run `bench leaderboard`")
            continue
        old_text = path.read_text(encoding="utf-8")
        if old_text == text:
            continue
        if path.suffix == ".md":
            diffs = _cell_diffs(where, parse_markdown_table(old_text), parse_markdown_table(text))
        elif path.suffix == ".json":
            try:
                diffs = _json_diffs(json.loads(old_text), json.loads(text), f"{where}: ")
            except json.JSONDecodeError:
                diffs = [f"{where}: not valid JSON"]
        else:
            diffs = []
        problems += diffs or _line_diff(where, old_text, text)
    if readme is not None and Path(readme).is_file():
        old_text = Path(readme).read_text(encoding="utf-8")
        new = replace_section(old_text, readme_section(fresh, out_dir), marker)
        if new is not None and new != old_text:
            (a, b), (c, d) = _markers(old_text, marker), _markers(new, marker)
            problems += (_cell_diffs(show(readme), parse_markdown_table(old_text[a:b]), parse_markdown_table(new[c:d]))
                         or _line_diff(show(readme), old_text, new))
    return problems


def run_suite(action: str, suite: Suite, readme: Path | None = README,
              echo: Callable[[str], None] = lambda s: None) -> list[str]:
    """render / update / check one suite; returns output lines (check: problems)."""
    kw = {"runs_dir": suite.runs_dir, "out_dir": suite.out_dir, "readme": readme, "marker": suite.marker}
    if action == "render":
        return render(**kw)
    from bench.corpus import builtin_dataset_dir, load_dataset_dir

    corpus = load_dataset_dir(builtin_dataset_dir(suite.name))
    if action == "update":
        return update_runs(**kw, corpus=corpus, echo=echo, dataset_name=suite.name)
    return check(**kw, corpus=corpus, dataset_name=suite.name, echo=echo)


__all__ = ["COLUMNS", "SUITES", "Suite", "run_suite", "Run", "check", "load_runs", "render", "rendered", "replace_section", "update_runs",
           "markdown", "leaderboard_json", "html_page"]
