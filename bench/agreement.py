"""Annotation agreement between passes over the same documents, measured before adjudication.

A pass is a folder of `data/agreement/` in the gold's format. Each comparison gives entity
F1 (strict span+label; F1 is symmetric, so either pass can be the reference), entity
span-only F1 and id consistency, timex span F1 (strict and relaxed = one-to-one overlap),
timex value agreement over strictly and over overlap-matched spans, stance Cohen's kappa,
raw agreement and confusion over all (document, claim) pairs, and evidence span-overlap
F1.  The adjudicated gold is compared too, apart, as the residue of kept decisions.
`bench agreement` writes report.json (flat `figures`, keyed `<comparison>_<figure>`, which
the dataset card quotes) and report.md.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from bench.io import atomic_write_text, read_jsonl
from bench.types import STANCE_LABELS

AGREEMENT_DIR = Path(__file__).resolve().parent.parent / "data" / "agreement"

# Who made each pass. Stated in the report so that no figure is read as more than it is.
PASSES = {
    "independent": "made outside the project by an annotator who worked only from the annotation contract "
                   "of the gold issue (labels, span rules, TIMEX3 values, claims C01-C10, stance definitions), "
                   "without the project's guidelines or files; imported by `scripts/import_independent.py` "
                   "(entity ids mapped to the knowledge base). Its README (`independent/README.md`) does not "
                   "say whether the annotator is a person or an AI system, so this report claims neither.",
    "gold_before_independent": "the gold (dataset 1.0.0) as it stood before it was adjudicated against the "
                               "independent pass: A and B merged by the project's developer, an AI agent, "
                               "with `scripts/adjudicate.py`. Kept so that its figure stays reproducible.",
    "annotator_a": "in-house: an instance of an AI annotator working from `docs/guidelines.md` (v1) alone.",
    "annotator_b": "in-house: a second instance of the same AI annotator, working from the same guidelines.",
}

# (key, rows pass, columns pass, column heading). Comparisons with the independent pass come
# first: only they compare two different annotation processes.
BEFORE = (
    ("gold_vs_independent", "gold_before_independent", "independent", "gold before adjudication vs independent"),
    ("a_vs_independent", "annotator_a", "independent", "A vs independent"),
    ("b_vs_independent", "annotator_b", "independent", "B vs independent"),
    ("a_vs_b", "annotator_a", "annotator_b", "A vs B (in-house, upper bound)"),
)
# The adjudicated gold (data/annotations/, one level up) against the pass it was adjudicated
# against: not an agreement figure, only the residue of decisions kept with their reasons.
AFTER = (("gold_after_vs_independent", "../annotations", "independent", "gold after adjudication vs independent"),)


def _f1(a: set, b: set) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 1.0


def _rows(path: Path) -> list[dict]:
    return [o for _, o in read_jsonl(path)]


def _overlap_pairs(a: list[tuple], b: list[tuple]) -> list[tuple[int, int]]:
    """One-to-one matching of overlapping spans (same first field, e.g. document), greedy in order."""
    used: set[int] = set()
    pairs = []
    for i, (d, s, e) in enumerate(a):
        for j, (d2, s2, e2) in enumerate(b):
            if j not in used and d == d2 and s < e2 and s2 < e:
                used.add(j)
                pairs.append((i, j))
                break
    return pairs


def _relaxed_f1(a: list[tuple], b: list[tuple]) -> float:
    return 2 * len(_overlap_pairs(a, b)) / (len(a) + len(b)) if a or b else 1.0


def compute(dir_a: Path, dir_b: Path) -> dict:
    from sklearn.metrics import cohen_kappa_score

    ea, eb = _rows(dir_a / "entities.jsonl"), _rows(dir_b / "entities.jsonl")
    strict = _f1({(o["doc_id"], o["start"], o["end"], o["label"]) for o in ea},
                 {(o["doc_id"], o["start"], o["end"], o["label"]) for o in eb})
    spans = _f1({(o["doc_id"], o["start"], o["end"]) for o in ea}, {(o["doc_id"], o["start"], o["end"]) for o in eb})
    ids_a = {(o["doc_id"], o["start"], o["end"]): o["entity_id"] for o in ea}
    ids_b = {(o["doc_id"], o["start"], o["end"]): o["entity_id"] for o in eb}
    common = sorted(set(ids_a) & set(ids_b))
    # ids are free slugs, so agreement means the two passes cluster mentions the same way:
    # a mention counts when its A-id and its B-id label exactly the same shared mentions
    pairs = Counter((ids_a[k], ids_b[k]) for k in common)
    per_a, per_b = Counter(ids_a[k] for k in common), Counter(ids_b[k] for k in common)
    id_consistent = sum(n for (a, b), n in pairs.items() if per_a[a] == n == per_b[b]) / max(len(common), 1)

    ta, tb = _rows(dir_a / "timex.jsonl"), _rows(dir_b / "timex.jsonl")
    sa = {(o["doc_id"], o["start"], o["end"]): o for o in ta}
    sb = {(o["doc_id"], o["start"], o["end"]): o for o in tb}
    both = sorted(set(sa) & set(sb))
    value_agree = sum(sa[k]["value"] == sb[k]["value"] for k in both) / max(len(both), 1)
    type_agree = sum(sa[k]["type"] == sb[k]["type"] for k in both) / max(len(both), 1)
    # values also over overlapping spans: an extent convention ("a day" / "day") is not a value disagreement
    ka, kb = sorted(sa), sorted(sb)
    overlap = _overlap_pairs(ka, kb)
    value_agree_relaxed = sum(sa[ka[i]]["value"] == sb[kb[j]]["value"] for i, j in overlap) / max(len(overlap), 1)

    st_a = {(o["doc_id"], o["claim_id"]): o for o in _rows(dir_a / "stances.jsonl")}
    st_b = {(o["doc_id"], o["claim_id"]): o for o in _rows(dir_b / "stances.jsonl")}
    keys = sorted(set(st_a) & set(st_b))
    la = [st_a[k]["label"] for k in keys]
    lb = [st_b[k]["label"] for k in keys]
    kappa = float(cohen_kappa_score(la, lb, labels=list(STANCE_LABELS)))
    ev_a = [(k, e["start"], e["end"]) for k in keys for e in st_a[k]["evidence"]]
    ev_b = [(k, e["start"], e["end"]) for k in keys for e in st_b[k]["evidence"]]
    confusion = Counter(zip(la, lb))
    return {
        "figures": {
            "entity_strict_f1": strict,
            "entity_span_f1": spans,
            "entity_id_consistency": id_consistent,
            "n_entities_a": len(ea), "n_entities_b": len(eb),
            "timex_strict_f1": _f1(set(sa), set(sb)),
            "timex_relaxed_f1": _relaxed_f1(ka, kb),
            "timex_value_agreement": value_agree,
            "timex_value_agreement_relaxed": value_agree_relaxed,
            "timex_type_agreement": type_agree,
            "n_timex_a": len(ta), "n_timex_b": len(tb), "n_timex_matched": len(both),
            "n_timex_overlap_matched": len(overlap),
            "stance_kappa": kappa,
            "stance_raw_agreement": sum(x == y for x, y in zip(la, lb)) / max(len(keys), 1),
            "n_pairs": len(keys),
            "evidence_overlap_f1": _relaxed_f1(ev_a, ev_b),
        },
        "stance_confusion_a_rows_b_cols": {
            a: {b: confusion.get((a, b), 0) for b in STANCE_LABELS} for a in STANCE_LABELS
        },
    }


ROWS = (  # (label, figure names joined by " / ")
    ("entity F1, strict (span + label)", "entity_strict_f1"),
    ("entity F1, span only", "entity_span_f1"),
    ("entity id consistency on shared spans", "entity_id_consistency"),
    ("entity mentions (first / second pass)", "n_entities_a/n_entities_b"),
    ("timex span F1, strict", "timex_strict_f1"),
    ("timex span F1, relaxed (overlap)", "timex_relaxed_f1"),
    ("timex value agreement on strict matches", "timex_value_agreement"),
    ("timex value agreement on overlap matches", "timex_value_agreement_relaxed"),
    ("timex type agreement on strict matches", "timex_type_agreement"),
    ("timexes (first / second / strict / overlap matches)",
     "n_timex_a/n_timex_b/n_timex_matched/n_timex_overlap_matched"),
    ("stance (document, claim) pairs", "n_pairs"),
    ("stance Cohen's kappa", "stance_kappa"),
    ("stance raw agreement", "stance_raw_agreement"),
    ("evidence span-overlap F1", "evidence_overlap_f1"),
)


def _table(report: dict, comparisons: list[dict]) -> list[str]:
    f = report["figures"]

    def cell(key: str, names: str) -> str:
        return " / ".join(f"{v:.3f}" if isinstance(v := f[f"{key}_{n}"], float) else str(v) for n in names.split("/"))

    lines = ["| figure | " + " | ".join(c["heading"] for c in comparisons) + " |",
             "|---|" + "---|" * len(comparisons)]
    lines += [f"| {label} | " + " | ".join(cell(c["key"], names) for c in comparisons) + " |" for label, names in ROWS]
    for c in comparisons:
        cm = report["stance_confusions"][c["key"]]
        rows, cols = Path(c["rows"]).name, Path(c["columns"]).name  # "../annotations" reads "annotations"
        lines += ["", f"Stance confusion, {c['heading']} (rows: {rows}, columns: {cols}):", "",
                  "| rows \\ columns | " + " | ".join(STANCE_LABELS) + " |", "|---|" + "---|" * len(STANCE_LABELS)]
        lines += [f"| {a} | " + " | ".join(str(cm[a][b]) for b in STANCE_LABELS) + " |" for a in STANCE_LABELS]
    return lines


def render_markdown(report: dict) -> str:
    before = [c for c in report["comparisons"] if c["key"] not in {k for k, *_ in AFTER}]
    after = [c for c in report["comparisons"] if c not in before]
    lines = [
        "# Annotation agreement (before adjudication)",
        "",
        "Regenerate with `bench agreement`. The passes (folders of `data/agreement/`) and who made them:",
        "",
        *[f"- `{name}`: {who}" for name, who in PASSES.items() if name in report["passes"]],
        "",
    ]
    if any(c["key"] == "a_vs_b" for c in before):
        lines += [
            "The A vs B figure is an upper bound, not inter-annotator agreement: both passes come from one",
            "annotation process (instances of the same AI annotator, and guidelines that settle most of this",
            "corpus's hard cases with its own examples), so they share conventions and blind spots. Where an",
            "independent pass exists, its comparisons are the agreement figures to quote.",
            "",
        ]
    lines += [
        "Timex value and type agreement count only the spans both passes marked (strict or overlap",
        "matches): there they show how values were normalised, not how far the passes agree on which",
        "expressions to mark and where they end; the span F1 rows show that.",
        "",
        *_table(report, before),
    ]
    if after:
        lines += [
            "",
            "## After adjudication (not an agreement figure)",
            "",
            "The gold was adjudicated against the independent pass (`docs/adjudication.md`), so this column only",
            "shows what remains different: each remaining difference is a decision kept with its reason there.",
            "",
            *_table(report, after),
        ]
    lines += ["", "Adjudication: `docs/adjudication.md`."]
    return "\n".join(lines) + "\n"


def write_report(root: Path = AGREEMENT_DIR) -> dict:
    """Compare every pair of passes present under `root` (missing passes are skipped)."""
    report: dict = {"passes": [], "comparisons": [], "figures": {}, "stance_confusions": {}}
    for key, rows, cols, heading in BEFORE + AFTER:
        if not ((root / rows / "entities.jsonl").is_file() and (root / cols / "entities.jsonl").is_file()):
            continue
        result = compute(root / rows, root / cols)
        report["comparisons"].append({"key": key, "rows": rows, "columns": cols, "heading": heading})
        report["figures"].update({f"{key}_{name}": v for name, v in result["figures"].items()})
        report["stance_confusions"][key] = result["stance_confusion_a_rows_b_cols"]
        report["passes"] += [p for p in (rows, cols) if p in PASSES and p not in report["passes"]]
    atomic_write_text(root / "report.json", json.dumps(report, indent=1, sort_keys=True) + "\n")
    atomic_write_text(root / "report.md", render_markdown(report))
    return report
