"""Error-analysis report: one self-contained HTML page showing where a run goes wrong.

The page renders the scorers' own alignments (``align_document`` of each task
module), so its counts are the result file's counts:

* entities, in the run's label view (OntoNotes, or CoNLL for CoNLL-label
  extractors): correct = a set-based strict hit (the main figure's tp); the other
  gold and predicted spans are paired by maximum overlap matching into wrong label /
  wrong boundary / both; the rest are missed or spurious;
* timexes: the timex scorer's relaxed maximum matching: same span, type and value =
  correct, same span otherwise = wrong value, overlap = wrong boundary; the strict
  count (identical offsets) is shown beside it;
* stance: every (document, claim) pair, a missing stance counting as "unrelated",
  with the evidence matched at IoU >= 0.5.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.html import attrs, esc, page
from bench.io import DataError
from bench.results import RunRecord
from bench.scoring import TASKS
from bench.scoring.base import Link
from bench.types import CONLL_LABELS, ENTITY_LABELS, STANCE_LABELS, Annotations, GoldCorpus

NONE = "(none)"
SpanPair = Link  # one gold span, one predicted span or a matched pair, with its outcome


def outcomes(task: str) -> tuple[tuple[str, str], ...]:
    return TASKS[task].report.outcomes


@dataclass(frozen=True)
class DocReport:
    doc_id: str
    text: str
    links: tuple[tuple[str, tuple[Link, ...]], ...]  # (task, its links) for each task attempted

    def of(self, task: str) -> tuple[Link, ...] | None:
        return dict(self.links).get(task)

    @property
    def entities(self) -> tuple[Link, ...] | None:
        return self.of("entities")

    @property
    def timexes(self) -> tuple[Link, ...] | None:
        return self.of("timex")

    @property
    def stances(self) -> tuple[tuple[str, str, str], ...] | None:
        """(claim_id, gold label, pred label) per claim."""
        links = self.of("stance")
        return None if links is None else tuple((x.gold.claim_id, x.gold.label, x.pred.label) for x in links)


def analyse(corpus: GoldCorpus, preds: Sequence[Annotations], label_scheme: str) -> list[DocReport]:
    """Per-document alignments, from each task's own matcher, for the documents with predictions."""
    by_id = {p.doc_id: p for p in preds}
    out = []
    for doc, gold in zip(corpus.documents, corpus.gold):
        p = by_id.get(doc.doc_id)
        if p is None:
            continue
        links = tuple((name, t.report.align(doc, gold, p, corpus.claims, label_scheme)) for name, t in TASKS.items()
                      if t.report is not None and getattr(p, t.layer, None) is not None)
        out.append(DocReport(doc.doc_id, doc.text, links))
    return out


def counts(docs: Sequence[DocReport], task: str) -> dict[str, int] | None:
    """Outcome -> count over all documents; None when the task was not attempted."""
    if not docs or docs[0].of(task) is None:
        return None
    c = Counter(x.outcome for d in docs for x in d.of(task))
    return {k: c[k] for k, _ in outcomes(task)}


def scorer_counts(docs: Sequence[DocReport], task: str, label_scheme: str) -> dict[str, float] | None:
    """The result file's count fields, summed over the report's documents, from the same links."""
    if not docs or docs[0].of(task) is None:
        return None
    total: Counter = Counter()
    for d in docs:
        total.update(TASKS[task].report.link_counts(d.of(task), d.text, label_scheme))
    return dict(total)


def entity_confusion(docs: Sequence[DocReport], label_scheme: str) -> tuple[list[str], list[list[int]]]:
    """Gold label x predicted label over overlapping (matched) spans; '(none)' row/column = spurious/missed."""
    c: Counter = Counter()
    for d in docs:
        for sp in d.entities or ():
            c[(sp.gold.label if sp.gold else NONE, sp.pred.label if sp.pred else NONE)] += 1
    view = CONLL_LABELS if label_scheme == "conll" else ENTITY_LABELS
    seen = {lab for pair in c for lab in pair} - {NONE}
    labels = [lab for lab in view if lab in seen] + sorted(seen - set(view)) + [NONE]
    return labels, [[c[(g, p)] for p in labels] for g in labels]


def stance_confusion(docs: Sequence[DocReport]) -> list[list[int]]:
    c = Counter((g, p) for d in docs for _, g, p in d.stances or ())
    return [[c[(g, p)] for p in STANCE_LABELS] for g in STANCE_LABELS]


# ---- HTML ----------------------------------------------------------------------------

_CSS = """
.legend span, .chip { display: inline-block; margin: 0 .5rem .3rem 0; padding: 0 .35rem; border-radius: 3px; }
.summary { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.counts th, .counts td { vertical-align: middle; }
.summary table { margin: 0; }
.panes { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.pane h4 { margin: .2rem 0; font-size: .9rem; color: var(--muted); }
.text { white-space: pre-wrap; border: 1px solid var(--line); border-radius: 4px; padding: .6rem;
        background: #fcfcfd; line-height: 1.9; font-size: 13px; }
mark.ent { color: inherit; border-radius: 2px; padding: 1px 0; }
.lab { font-size: .62em; font-weight: 700; vertical-align: super; margin: 0 .15em 0 .05em; }
.cat-correct { background: #cdeccd; }
.cat-wrong_label { background: #e3d4f7; }
.cat-wrong_boundary { background: #fff1a8; outline: 1px dashed #b59a00; }
.cat-wrong_both { background: #ffd6e7; outline: 1px dashed #c2185b; }
.cat-missed { background: #ffc9c9; outline: 1px solid #c62828; }
.cat-spurious { background: #ffe0b2; outline: 1px solid #e65100; }
.cat-wrong_value { background: #bfe3f5; }
/* timexes: a coloured double underline, so they stay distinct from entity highlights */
span.tx { background: none; outline: none; border-bottom: 3px double #1d3f80; }
span.tx.cat-correct { border-bottom-color: #2e7d32; }
span.tx.cat-missed { border-bottom-color: #c62828; }
span.tx.cat-spurious { border-bottom-color: #e65100; }
span.tx.cat-wrong_value { border-bottom-color: #0277bd; }
span.tx.cat-wrong_boundary { border-bottom-color: #b59a00; }
td.agree { background: #cdeccd; }
td.disagree { background: #ffc9c9; }
td.cm-diag { background: #cdeccd; }
td.cm-off { background: #ffe3e3; }
td.zero { color: #b8bfcc; }
.doc { margin-bottom: 2rem; }
"""


def _title(kind: str, sp: Link, side: str, labels: dict[str, str]) -> str:
    def desc(s) -> str:
        if s is None:
            return "nothing"
        what = f"{s.type} {s.value}" if kind == "timex" else s.label
        return f"{what} {s.text!r} [{s.start}, {s.end})"

    first, other = (sp.gold, sp.pred) if side == "gold" else (sp.pred, sp.gold)
    return f"{side} {desc(first)}; {'pred' if side == 'gold' else 'gold'}: {desc(other)} - {labels[sp.outcome]}"


def highlight(text: str, spans: Sequence[tuple[int, int, str, str, str]]) -> str:
    """Escaped text with spans wrapped; spans = (start, end, opening tag, closing tag, badge html).

    Text is cut at every span boundary, so overlapping or nested spans are all shown.
    """
    cuts = sorted({0, len(text)} | {s for s, *_ in spans} | {e for _, e, *_ in spans})
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], -spans[i][1], i))
    out = []
    for a, b in zip(cuts, cuts[1:]):
        active = [spans[i] for i in order if spans[i][0] <= a and b <= spans[i][1]]
        seg = esc(text[a:b])
        for _, _, open_, close, _ in reversed(active):
            seg = f"{open_}{seg}{close}"
        out.append(seg)
        out += [badge for s, e, _, _, badge in (spans[i] for i in order) if e == b and s < e]
    return "".join(out)


def _pane_spans(d: DocReport, side: str) -> list[tuple[int, int, str, str, str]]:
    ent_labels, tx_labels = dict(outcomes("entities")), dict(outcomes("timex"))
    spans = []
    for sp in d.entities or ():
        s = sp.gold if side == "gold" else sp.pred
        if s is not None:
            open_ = f"<mark{attrs(class_=f'ent cat-{sp.outcome}', title=_title('entity', sp, side, ent_labels))}>"
            spans.append((s.start, s.end, open_, "</mark>",
                          f'<span class="lab cat-{sp.outcome}">{esc(s.label)}</span>'))
    for sp in d.timexes or ():
        s = sp.gold if side == "gold" else sp.pred
        if s is not None:
            open_ = f"<span{attrs(class_=f'tx cat-{sp.outcome}', title=_title('timex', sp, side, tx_labels))}>"
            spans.append((s.start, s.end, open_, "</span>", ""))
    return spans


def _counts_table(task: str, title: str, c: dict[str, int] | None, labels: dict[str, str]) -> str:
    if c is None:
        return f'<table class="counts" data-task="{task}" data-attempted="false"><caption>{esc(title)}</caption>' \
               '<tbody><tr><td class="na">not attempted</td></tr></tbody></table>'
    data = attrs(**{f"data_count_{k}": v for k, v in c.items()})
    rows = "".join(f'<tr><th><span class="chip cat-{k}">{esc(labels.get(k, k))}</span></th>'
                   f'<td class="num" data-count="{k}">{v}</td></tr>' for k, v in c.items())
    return (f'<table class="counts" data-task="{task}" data-attempted="true"{data}>'
            f"<caption>{esc(title)}</caption><tbody>{rows}</tbody></table>")


def _scorer_counts_table(docs: Sequence[DocReport], label_scheme: str) -> str:
    """The count fields the scorer sums for the result file (each task declares which are
    the main figures' inputs), from the links shown here."""
    rows = []
    for task, t in TASKS.items():
        c = scorer_counts(docs, task, label_scheme)
        if c is None:
            continue
        for f in t.report.shown_fields(label_scheme):
            rows.append(f'<tr><td>{esc(task)}</td><td class="mono">{esc(f)}</td>'
                        f'<td class="num" data-field="{esc(task)}:{esc(f)}">{c.get(f, 0):g}</td></tr>')
    return ('<details class="scorer-counts"><summary>scorer counts (the inputs of the main figures, as in the '
            'result file)</summary>\n<table><thead><tr><th>task</th><th>field</th><th class="num">count</th></tr>'
            "</thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table></details>\n")


def _matrix(row_labels: Sequence[str], col_labels: Sequence[str], m: Sequence[Sequence[int]], cls: str,
            corner: str) -> str:
    head = f"<th>{esc(corner)}</th>" + "".join(f'<th class="num">{esc(c)}</th>' for c in col_labels)
    rows = []
    for g, row in zip(row_labels, m):
        tds = "".join(
            f'<td class="num {"zero" if not v else ("cm-diag" if g == p and g != NONE else "cm-off")}">{v}</td>'
            for p, v in zip(col_labels, row))
        rows.append(f"<tr><th>{esc(g)}</th>{tds}</tr>")
    return (f'<table class="{cls}">\n<thead><tr>{head}</tr></thead>\n<tbody>\n' + "\n".join(rows)
            + "\n</tbody>\n</table>\n")


def _timex_table(d: DocReport) -> str:
    labels = dict(outcomes("timex"))
    if not d.timexes:
        return '<p class="muted">No temporal expressions in gold or predictions.</p>'

    def side(t) -> str:
        if t is None:
            return f'<td class="na">{esc(NONE)}</td><td></td><td></td>'
        return f"<td>{esc(t.text)}</td><td>{esc(t.type)}</td><td class=\"mono\">{esc(t.value)}</td>"

    rows = [f'<tr><td><span class="chip cat-{sp.outcome}">{esc(labels[sp.outcome])}</span></td>'
            f"{side(sp.gold)}{side(sp.pred)}</tr>" for sp in d.timexes]
    return ("<details open><summary>TIMEX3 values, gold vs predicted</summary>\n"
            f'<table class="timex-values" data-doc="{esc(d.doc_id)}">\n<thead><tr><th>category</th>'
            "<th>gold text</th><th>type</th><th>value</th><th>pred text</th><th>type</th><th>value</th></tr></thead>\n"
            "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n</details>\n")


def _doc_section(d: DocReport) -> str:
    chips = []
    for task in ("entities", "timex"):
        c = Counter(sp.outcome for sp in d.of(task) or ())
        chips.append(" ".join(f'<span class="chip cat-{k}" title="{esc(task)}: {esc(lab)}">{c[k]}</span>'
                              for k, lab in outcomes(task) if c[k]))
    panes = "".join(
        f'<div class="pane {side}"><h4>{side}</h4>'
        f'<div class="text">{highlight(d.text, _pane_spans(d, side))}</div></div>'
        for side in ("gold", "pred"))
    tx = "" if d.timexes is None else _timex_table(d)
    return (f'<section class="doc" id="{esc(d.doc_id)}" data-doc="{esc(d.doc_id)}">\n<h3>{esc(d.doc_id)}</h3>\n'
            f'<p class="muted">entities: {chips[0] or "-"} &nbsp; timexes: {chips[1] or "-"}</p>\n'
            f'<div class="panes">{panes}</div>\n{tx}</section>\n')


def _legend() -> str:
    ents = "".join(f'<span class="cat-{k}">{esc(v)}</span>' for k, v in outcomes("entities"))
    return (f'<p class="legend"><b>Entities</b> (highlight, label in small capitals): {ents}<br>'
            '<b>Temporal expressions</b> (double underline; hover for gold and predicted values): '
            + "".join(f'<span class="tx cat-{k}">{esc(v)}</span>' for k, v in outcomes("timex"))
            + "</p>\n")


def _stance_grid(docs: Sequence[DocReport], claims) -> str:
    head = "<th>document</th>" + "".join(f'<th title="{esc(c.text)}">{esc(c.claim_id)}</th>' for c in claims)
    rows = []
    for d in docs:
        tds = "".join(
            f'<td class="{"agree" if g == p else "disagree"}" data-claim="{esc(cid)}" '
            f'title="gold {esc(g)}, predicted {esc(p)}">{esc(g)}{"" if g == p else " / " + esc(p)}</td>'
            for cid, g, p in d.stances)
        rows.append(f"<tr><th>{esc(d.doc_id)}</th>{tds}</tr>")
    claim_list = "".join(f"<li><b>{esc(c.claim_id)}</b> {esc(c.text)}</li>" for c in claims)
    return ('<p class="muted">Each cell: gold label, then " / predicted" where they differ '
            "(green = agree, red = disagree).</p>\n"
            f'<table class="stance-grid">\n<thead><tr>{head}</tr></thead>\n<tbody>\n' + "\n".join(rows)
            + f"\n</tbody>\n</table>\n<details><summary>claims</summary><ul>{claim_list}</ul></details>\n")


def _run_header(rec: RunRecord | None, name: str) -> str:
    if rec is None:
        return f"<p>{esc(name)}</p>"
    from bench.leaderboard import cell_text

    scores = []
    for tr in rec.tasks:
        s = tr.score(tr.main_score)
        if s is not None:
            scores.append(f"{esc(tr.task)} {esc(tr.main_score)} = {esc(cell_text((s.value, s.low, s.high)))}")
    return (f"<p><b>{esc(rec.extractor.name)}</b> {esc(rec.extractor.version)} on {esc(rec.n_documents)} documents; "
            f"{'; '.join(scores)} (%, 95% CI over documents)</p>\n"
            f'<p class="mono muted">{esc(rec.signature())}</p>\n' + _diagnostics(rec))


def _diagnostics(rec: RunRecord) -> str:
    """What the extractor could not use (an LLM's parse failures, unaligned strings), counted."""
    if not rec.diagnostics:
        return ""
    items = "".join(f"<li>{esc(k)}: {esc(v)}</li>" for k, v in rec.diagnostics)
    return f'<details class="diagnostics" open><summary>Extractor diagnostics</summary><ul>{items}</ul></details>\n'


def render_report(corpus: GoldCorpus, preds: Sequence[Annotations], label_scheme: str,
                  rec: RunRecord | None = None, name: str = "run") -> str:
    """The whole page; bytes depend only on the inputs."""
    docs = analyse(corpus, preds, label_scheme)
    if not docs:
        raise DataError("no predicted document is in the dataset")
    title = f"Error report: {rec.extractor.name if rec else name}"
    ents, tmx, sts = counts(docs, "entities"), counts(docs, "timex"), counts(docs, "stance")
    view = "CoNLL" if label_scheme == "conll" else "OntoNotes"
    captions = {"entities": f"entities ({view} labels)", "stance": "stance pairs (document x claim)"}
    summary = ('<section id="summary"><h2>Summary</h2><div class="summary">'
               + "".join(_counts_table(task, captions.get(task, t.title), counts(docs, task), dict(t.report.outcomes))
                         for task, t in TASKS.items() if t.report is not None)
               + "</div>\n" + _scorer_counts_table(docs, label_scheme) + "</section>\n")
    parts = [f"<h1>{esc(title)}</h1>\n", _run_header(rec, name), summary]
    parts.append('<h2 id="confusion">Confusion matrices</h2>\n')
    if ents is not None:
        labels, m = entity_confusion(docs, label_scheme)
        parts.append("<h3>Entity labels over overlapping spans (rows gold, columns predicted)</h3>\n"
                     + _matrix(labels, labels, m, "entity-confusion", "gold \\ pred"))
    if sts is not None:
        parts.append("<h3>Stance (rows gold, columns predicted)</h3>\n"
                     + _matrix(STANCE_LABELS, STANCE_LABELS, stance_confusion(docs), "stance-confusion",
                               "gold \\ pred"))
        parts.append('<h2 id="stance">Stance grid</h2>\n' + _stance_grid(docs, corpus.claims))
    if ents is not None or tmx is not None:
        parts.append('<h2 id="documents">Documents: gold and predicted spans</h2>\n' + _legend())
        parts += [_doc_section(d) for d in docs]
    return page(title, "".join(parts), _CSS)


def report_command(result: Path, predictions: Path, dataset: str | None, out: Path
                   ) -> tuple[Path, dict[str, dict[str, int] | None]]:
    """`bench report`: a result file and its predictions, rendered; no model is run."""
    from bench.corpus import load_dataset_dir, resolve_dataset
    from bench.io import atomic_write_text
    from bench.predictions import read_predictions
    from bench.results import read_result

    rec = read_result(result)
    root, _ = resolve_dataset(dataset or rec.dataset)
    corpus = load_dataset_dir(root)
    if rec.dataset_fingerprint != corpus.fingerprint:
        raise DataError(f"{result}: scored on dataset {rec.dataset_fingerprint}, but the dataset given is "
                        f"{corpus.fingerprint}; pass the --dataset it was scored on")
    preds = read_predictions(predictions, corpus, partial=rec.partial)
    html = render_report(corpus, preds, rec.extractor.label_scheme, rec)
    atomic_write_text(Path(out), html)
    docs = analyse(corpus, preds, rec.extractor.label_scheme)
    return Path(out), {task: counts(docs, task) for task, t in TASKS.items() if t.report is not None}
