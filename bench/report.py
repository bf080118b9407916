"""Error-analysis report: one self-contained HTML page showing where a run goes wrong.

Span categories follow the scorer's matching.  Entities (in the run's label view:
OntoNotes, or CoNLL for CoNLL-label extractors): exact span + label = correct
(the strict scheme's COR); then exact span, other label = wrong label; then the
remaining spans are paired by overlap (``greedy_overlap_match``): same label =
wrong boundary, other label = wrong label and boundary; what is left is missed
(gold) or spurious (pred).  Timexes use the relaxed one-to-one matching of the
timex scorer: exact span with the same type and value = correct, exact span
otherwise = wrong value, overlap = wrong boundary.  Stance pairs without a
stance count as "unrelated", as in the stance scorer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.html import attrs, esc, page
from bench.io import DataError
from bench.results import RunRecord
from bench.scoring.base import greedy_overlap_match
from bench.types import CONLL_LABELS, ENTITY_LABELS, FINE_TO_CONLL, STANCE_LABELS, Annotations, Entity, GoldCorpus

ENTITY_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("correct", "correct"), ("wrong_label", "wrong label"), ("wrong_boundary", "wrong boundary"),
    ("wrong_both", "wrong label and boundary"), ("missed", "missed (gold only)"),
    ("spurious", "spurious (predicted only)"),
)
TIMEX_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("correct", "correct (span, type and value)"), ("wrong_value", "wrong value or type"),
    ("wrong_boundary", "wrong boundary"), ("missed", "missed (gold only)"), ("spurious", "spurious (predicted only)"),
)
NONE = "(none)"


@dataclass(frozen=True)
class SpanPair:
    """One gold span, one predicted span or a matched pair, with its error category."""

    category: str
    gold: object | None  # Entity or Timex
    pred: object | None

    @property
    def start(self) -> int:
        return min(s.start for s in (self.gold, self.pred) if s is not None)


def _by_pos(pairs: list[SpanPair]) -> list[SpanPair]:
    return sorted(pairs, key=lambda p: (p.start, p.gold is None, (p.gold or p.pred).end))


def classify_entities(gold: Sequence[Entity], pred: Sequence[Entity]) -> list[SpanPair]:
    """Entity error categories; gold and pred must already be in the same label view."""
    g, p = sorted(gold), sorted(pred)
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs: list[SpanPair] = []
    for same_label in (True, False):  # exact-span matches, right label first (the strict scheme's COR)
        for pi, pe in enumerate(p):
            if pi in used_p:
                continue
            for gi, ge in enumerate(g):
                if gi in used_g or (ge.start, ge.end) != (pe.start, pe.end):
                    continue
                if same_label and ge.label != pe.label:
                    continue
                used_g.add(gi)
                used_p.add(pi)
                pairs.append(SpanPair("correct" if ge.label == pe.label else "wrong_label", ge, pe))
                break
    rest_g = [i for i in range(len(g)) if i not in used_g]
    rest_p = [i for i in range(len(p)) if i not in used_p]
    for a, b in greedy_overlap_match([g[i] for i in rest_g], [p[i] for i in rest_p]):
        ge, pe = g[rest_g[a]], p[rest_p[b]]
        used_g.add(rest_g[a])
        used_p.add(rest_p[b])
        pairs.append(SpanPair("wrong_boundary" if ge.label == pe.label else "wrong_both", ge, pe))
    pairs += [SpanPair("missed", ge, None) for i, ge in enumerate(g) if i not in used_g]
    pairs += [SpanPair("spurious", None, pe) for i, pe in enumerate(p) if i not in used_p]
    return _by_pos(pairs)


def classify_timexes(gold: Sequence, pred: Sequence) -> list[SpanPair]:
    key = lambda t: (t.start, t.end, t.type, t.value)  # noqa: E731 - the timex scorer's order
    g, p = sorted(gold, key=key), sorted(pred, key=key)
    pairs = []
    matched = greedy_overlap_match(g, p)
    for gi, pi in matched:
        ge, pe = g[gi], p[pi]
        if (ge.start, ge.end) != (pe.start, pe.end):
            cat = "wrong_boundary"
        else:
            cat = "correct" if (ge.type, ge.value) == (pe.type, pe.value) else "wrong_value"
        pairs.append(SpanPair(cat, ge, pe))
    mg, mp = {gi for gi, _ in matched}, {pi for _, pi in matched}
    pairs += [SpanPair("missed", t, None) for i, t in enumerate(g) if i not in mg]
    pairs += [SpanPair("spurious", None, t) for i, t in enumerate(p) if i not in mp]
    return _by_pos(pairs)


def to_view(ents: Sequence[Entity], label_scheme: str) -> list[Entity]:
    """Gold (fine) entities in the run's label view; CoNLL runs are judged on CoNLL labels."""
    if label_scheme != "conll":
        return list(ents)
    return [Entity(e.start, e.end, FINE_TO_CONLL.get(e.label, e.label), e.text, e.entity_id) for e in ents]


@dataclass(frozen=True)
class DocReport:
    doc_id: str
    text: str
    entities: tuple[SpanPair, ...] | None  # None: task not attempted
    timexes: tuple[SpanPair, ...] | None
    stances: tuple[tuple[str, str, str], ...] | None  # (claim_id, gold label, pred label)


def analyse(corpus: GoldCorpus, preds: Sequence[Annotations], label_scheme: str) -> list[DocReport]:
    """Per-document categories for the documents that have predictions, in corpus order."""
    by_id = {p.doc_id: p for p in preds}
    out = []
    for doc, gold in zip(corpus.documents, corpus.gold):
        p = by_id.get(doc.doc_id)
        if p is None:
            continue
        ents = None
        if p.entities is not None:
            ents = tuple(classify_entities(to_view(gold.entities or (), label_scheme), p.entities))
        tmx = None if p.timexes is None else tuple(classify_timexes(gold.timexes or (), p.timexes))
        sts = None
        if p.stances is not None:
            g = {s.claim_id: s.label for s in gold.stances or ()}
            pr = {s.claim_id: s.label for s in p.stances}
            sts = tuple((c.claim_id, g.get(c.claim_id, "unrelated"), pr.get(c.claim_id, "unrelated"))
                        for c in corpus.claims)
        out.append(DocReport(doc.doc_id, doc.text, ents, tmx, sts))
    return out


def counts(docs: Sequence[DocReport], layer: str) -> dict[str, int] | None:
    """Category -> count over all documents; None when the task was not attempted."""
    if not docs or getattr(docs[0], layer) is None:
        return None
    if layer == "stances":
        c = Counter("agree" if g == p else "disagree" for d in docs for _, g, p in d.stances)
        return {"agree": c["agree"], "disagree": c["disagree"]}
    cats = ENTITY_CATEGORIES if layer == "entities" else TIMEX_CATEGORIES
    c = Counter(sp.category for d in docs for sp in getattr(d, layer))
    return {k: c[k] for k, _ in cats}


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


def _title(kind: str, sp: SpanPair, side: str, labels: dict[str, str]) -> str:
    def desc(s) -> str:
        if s is None:
            return "nothing"
        what = f"{s.type} {s.value}" if kind == "timex" else s.label
        return f"{what} {s.text!r} [{s.start}, {s.end})"

    first, other = (sp.gold, sp.pred) if side == "gold" else (sp.pred, sp.gold)
    return f"{side} {desc(first)}; {'pred' if side == 'gold' else 'gold'}: {desc(other)} - {labels[sp.category]}"


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
    ent_labels, tx_labels = dict(ENTITY_CATEGORIES), dict(TIMEX_CATEGORIES)
    spans = []
    for sp in d.entities or ():
        s = sp.gold if side == "gold" else sp.pred
        if s is not None:
            open_ = f"<mark{attrs(class_=f'ent cat-{sp.category}', title=_title('entity', sp, side, ent_labels))}>"
            spans.append((s.start, s.end, open_, "</mark>",
                          f'<span class="lab cat-{sp.category}">{esc(s.label)}</span>'))
    for sp in d.timexes or ():
        s = sp.gold if side == "gold" else sp.pred
        if s is not None:
            open_ = f"<span{attrs(class_=f'tx cat-{sp.category}', title=_title('timex', sp, side, tx_labels))}>"
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
    labels = dict(TIMEX_CATEGORIES)
    if not d.timexes:
        return '<p class="muted">No temporal expressions in gold or predictions.</p>'

    def side(t) -> str:
        if t is None:
            return f'<td class="na">{esc(NONE)}</td><td></td><td></td>'
        return f"<td>{esc(t.text)}</td><td>{esc(t.type)}</td><td class=\"mono\">{esc(t.value)}</td>"

    rows = [f'<tr><td><span class="chip cat-{sp.category}">{esc(labels[sp.category])}</span></td>'
            f"{side(sp.gold)}{side(sp.pred)}</tr>" for sp in d.timexes]
    return ("<details open><summary>TIMEX3 values, gold vs predicted</summary>\n"
            f'<table class="timex-values" data-doc="{esc(d.doc_id)}">\n<thead><tr><th>category</th>'
            "<th>gold text</th><th>type</th><th>value</th><th>pred text</th><th>type</th><th>value</th></tr></thead>\n"
            "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n</details>\n")


def _doc_section(d: DocReport) -> str:
    chips = []
    for layer, cats in (("entities", ENTITY_CATEGORIES), ("timexes", TIMEX_CATEGORIES)):
        c = Counter(sp.category for sp in getattr(d, layer) or ())
        chips.append(" ".join(f'<span class="chip cat-{k}" title="{esc(layer)}: {esc(lab)}">{c[k]}</span>'
                              for k, lab in cats if c[k]))
    panes = "".join(
        f'<div class="pane {side}"><h4>{side}</h4>'
        f'<div class="text">{highlight(d.text, _pane_spans(d, side))}</div></div>'
        for side in ("gold", "pred"))
    tx = "" if d.timexes is None else _timex_table(d)
    return (f'<section class="doc" id="{esc(d.doc_id)}" data-doc="{esc(d.doc_id)}">\n<h3>{esc(d.doc_id)}</h3>\n'
            f'<p class="muted">entities: {chips[0] or "-"} &nbsp; timexes: {chips[1] or "-"}</p>\n'
            f'<div class="panes">{panes}</div>\n{tx}</section>\n')


def _legend() -> str:
    ents = "".join(f'<span class="cat-{k}">{esc(v)}</span>' for k, v in ENTITY_CATEGORIES)
    return (f'<p class="legend"><b>Entities</b> (highlight, label in small capitals): {ents}<br>'
            '<b>Temporal expressions</b> (double underline; hover for gold and predicted values): '
            + "".join(f'<span class="tx cat-{k}">{esc(v)}</span>' for k, v in TIMEX_CATEGORIES)
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
    return (f"<p><b>{esc(rec.extractor.name)}</b> {esc(rec.extractor.version)} on {rec.n_documents} documents; "
            f"{'; '.join(scores)} (%, 95% CI over documents)</p>\n"
            f'<p class="mono muted">{esc(rec.signature())}</p>\n')


def render_report(corpus: GoldCorpus, preds: Sequence[Annotations], label_scheme: str,
                  rec: RunRecord | None = None, name: str = "run") -> str:
    """The whole page; bytes depend only on the inputs."""
    docs = analyse(corpus, preds, label_scheme)
    if not docs:
        raise DataError("no predicted document is in the dataset")
    title = f"Error report: {rec.extractor.name if rec else name}"
    ents, tmx, sts = counts(docs, "entities"), counts(docs, "timexes"), counts(docs, "stances")
    view = "CoNLL" if label_scheme == "conll" else "OntoNotes"
    summary = ('<section id="summary"><h2>Summary</h2><div class="summary">'
               + _counts_table("entities", f"entities ({view} labels)", ents, dict(ENTITY_CATEGORIES))
               + _counts_table("timex", "temporal expressions", tmx, dict(TIMEX_CATEGORIES))
               + _counts_table("stance", "stance pairs (document x claim)", sts, {})
               + "</div></section>\n")
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


def report_command(model: str | None, result: Path | None, predictions: Path | None, dataset: Path | None,
                   out: Path) -> tuple[Path, dict[str, dict[str, int] | None]]:
    """`bench report`: run a model (or read a result + its predictions file) and write the page."""
    from bench.corpus import load_dataset_dir, resolve_dataset
    from bench.io import atomic_write_text

    root, shown = resolve_dataset(dataset)
    corpus = load_dataset_dir(root)
    if model is not None:
        from bench.evaluate import Settings, evaluate_extractor
        from bench.extractors import load_extractor

        rec, preds, _ = evaluate_extractor(load_extractor(model), corpus, shown, Settings())
    else:
        from bench.predictions import read_predictions
        from bench.results import read_result

        rec = read_result(result)
        if rec.dataset_fingerprint != corpus.fingerprint:
            raise DataError(f"{result}: scored on dataset {rec.dataset_fingerprint}, but the dataset given is "
                            f"{corpus.fingerprint}; pass the --dataset it was scored on")
        preds = read_predictions(predictions, corpus, partial=rec.partial)
    html = render_report(corpus, preds, rec.extractor.label_scheme, rec)
    atomic_write_text(Path(out), html)
    docs = analyse(corpus, preds, rec.extractor.label_scheme)
    return Path(out), {t: counts(docs, layer) for t, layer in
                       (("entities", "entities"), ("timex", "timexes"), ("stance", "stances"))}
