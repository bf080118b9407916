"""Inter-annotator agreement between the two independent passes (before adjudication).

Figures: entity F1 (strict span+label, one pass as reference; F1 is symmetric),
entity span-only F1, timex span F1 (strict and relaxed), timex value agreement over
strictly matched spans, stance Cohen's kappa and raw agreement over all pairs, and
evidence span-overlap F1.  `bench agreement` writes report.json and report.md.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from bench.io import atomic_write_text, read_jsonl
from bench.types import STANCE_LABELS

AGREEMENT_DIR = Path(__file__).resolve().parent.parent / "data" / "agreement"


def _f1(a: set, b: set) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 1.0


def _rows(path: Path) -> list[dict]:
    return [o for _, o in read_jsonl(path)]


def _relaxed_f1(a: list[tuple], b: list[tuple]) -> float:
    """One-to-one matching of overlapping spans (same document), greedy in order."""
    used: set[int] = set()
    matched = 0
    for d, s, e in a:
        for j, (d2, s2, e2) in enumerate(b):
            if j not in used and d == d2 and s < e2 and s2 < e:
                used.add(j)
                matched += 1
                break
    return 2 * matched / (len(a) + len(b)) if a or b else 1.0


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
            "timex_relaxed_f1": _relaxed_f1(sorted(sa), sorted(sb)),
            "timex_value_agreement": value_agree,
            "timex_type_agreement": type_agree,
            "n_timex_a": len(ta), "n_timex_b": len(tb), "n_timex_matched": len(both),
            "stance_kappa": kappa,
            "stance_raw_agreement": sum(x == y for x, y in zip(la, lb)) / max(len(keys), 1),
            "n_pairs": len(keys),
            "evidence_overlap_f1": _relaxed_f1(ev_a, ev_b),
        },
        "stance_confusion_a_rows_b_cols": {
            a: {b: confusion.get((a, b), 0) for b in STANCE_LABELS} for a in STANCE_LABELS
        },
    }


def render_markdown(report: dict) -> str:
    f = report["figures"]
    lines = [
        "# Inter-annotator agreement (before adjudication)",
        "",
        "Two independent passes (`annotator_a`, `annotator_b`) over the five documents,",
        "each made from `docs/guidelines.md` alone. Regenerate with `bench agreement`.",
        "",
        "Read these figures as an upper bound: both passes were made by separate instances of",
        "the same AI annotator, and the guidelines settle most of this corpus's hard cases with",
        "its own examples, so the passes share conventions (and may share blind spots) more",
        "than two human annotators would. Adjudication: `docs/adjudication.md`.",
        "",
        "| figure | value |", "|---|---|",
        f"| entity F1, strict (span + label) | {f['entity_strict_f1']:.3f} |",
        f"| entity F1, span only | {f['entity_span_f1']:.3f} |",
        f"| entity id consistency on shared spans | {f['entity_id_consistency']:.3f} |",
        f"| entity mentions (A / B) | {f['n_entities_a']} / {f['n_entities_b']} |",
        f"| timex span F1, strict | {f['timex_strict_f1']:.3f} |",
        f"| timex span F1, relaxed (overlap) | {f['timex_relaxed_f1']:.3f} |",
        f"| timex value agreement on strict matches | {f['timex_value_agreement']:.3f} |",
        f"| timex type agreement on strict matches | {f['timex_type_agreement']:.3f} |",
        f"| timexes (A / B / strict matches) | {f['n_timex_a']} / {f['n_timex_b']} / {f['n_timex_matched']} |",
        f"| stance Cohen's kappa ({f['n_pairs']} pairs) | {f['stance_kappa']:.3f} |",
        f"| stance raw agreement | {f['stance_raw_agreement']:.3f} |",
        f"| evidence span-overlap F1 | {f['evidence_overlap_f1']:.3f} |",
        "",
        "Stance confusion (rows: A, columns: B):",
        "",
        "| A \\ B | " + " | ".join(STANCE_LABELS) + " |",
        "|---|" + "---|" * len(STANCE_LABELS),
    ]
    for a, row in report["stance_confusion_a_rows_b_cols"].items():
        lines.append(f"| {a} | " + " | ".join(str(row[b]) for b in STANCE_LABELS) + " |")
    return "\n".join(lines) + "\n"


def write_report(root: Path = AGREEMENT_DIR) -> dict:
    report = compute(root / "annotator_a", root / "annotator_b")
    atomic_write_text(root / "report.json", json.dumps(report, indent=1, sort_keys=True) + "\n")
    atomic_write_text(root / "report.md", render_markdown(report))
    return report
