"""One-off adjudication of the two in-house passes into data/annotations/ (kept for provenance).

This made the gold of dataset 1.0.0. Do not run it again: it would overwrite the gold
of 2.0.0, adjudicated decision by decision against the independent pass afterwards
(docs/adjudication.md).

Rules (see docs/adjudication.md): entities and timexes agreed fully on spans, labels,
types and values; entity ids follow pass B where the slugs differed. Stance evidence:
pass A's spans as the base, plus pass B's spans that overlap none of A's. Labels and
holders where the passes disagreed are decided in DECISIONS below.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
A, B, OUT = (ROOT / "data/agreement/annotator_a", ROOT / "data/agreement/annotator_b", ROOT / "data/annotations")

ID_RENAMES = {"general-political-bureau-of-the-korean-peoples-army": "general-political-bureau"}
KB_NAMES = {"eu": "European Union", "united-states": "United States", "kursk": "Kursk",
            "russian-general-staff": "Russian General Staff"}
# (doc, claim) -> label, where the passes disagreed
DECISIONS = {("doc001", "C02"): "discuss"}  # "reportedly liberated" is an unsourced hedge: doubts


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write(path: Path, items: list[dict]) -> None:
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in items), encoding="utf-8")


def main() -> None:
    ents = rows(A / "entities.jsonl")
    assert [(o["doc_id"], o["start"], o["end"], o["label"]) for o in ents] == \
           [(o["doc_id"], o["start"], o["end"], o["label"]) for o in rows(B / "entities.jsonl")]
    for o in ents:
        o["entity_id"] = ID_RENAMES.get(o["entity_id"], o["entity_id"])
    write(OUT / "entities.jsonl", ents)
    kb = {o["entity_id"]: o for o in rows(A / "entities_kb.jsonl") + rows(B / "entities_kb.jsonl")}
    for old, new in ID_RENAMES.items():
        kb.pop(old, None)
    for eid, name in KB_NAMES.items():
        kb[eid]["name"] = name
    write(OUT / "entities_kb.jsonl", [kb[k] for k in sorted(kb)])
    assert rows(A / "timex.jsonl") == rows(B / "timex.jsonl")
    write(OUT / "timex.jsonl", rows(A / "timex.jsonl"))

    st_b = {(o["doc_id"], o["claim_id"]): o for o in rows(B / "stances.jsonl")}
    out = []
    for a in rows(A / "stances.jsonl"):
        key = (a["doc_id"], a["claim_id"])
        b = st_b[key]
        label = DECISIONS.get(key, a["label"])
        assert label == a["label"] == b["label"] or key in DECISIONS, key
        src = b if key in DECISIONS else a  # a decided pair takes the evidence of the pass it follows
        other = a if src is b else b
        ev = list(src["evidence"]) + [e for e in other["evidence"]
                                      if not any(e["start"] < x["end"] and x["start"] < e["end"] for x in src["evidence"])]
        out.append({**a, "label": label, "evidence": sorted(ev, key=lambda e: (e["start"], e["end"]))} if label != "unrelated"
                   else {**a, "label": label, "evidence": []})
    write(OUT / "stances.jsonl", out)


if __name__ == "__main__":
    main()
