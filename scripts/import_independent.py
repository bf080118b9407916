"""Convert the independent annotation (../shared/annotations/independent/) into a pass of
its own, data/agreement/independent/, in the format of the in-house passes.

    python scripts/import_independent.py [SOURCE_DIR]

The source is one JSON file per document with the annotator's own entity-id slugs;
ID_MAP below renames them to the project's knowledge-base ids (data/annotations/
entities_kb.jsonl). Slugs not in the map are kept as they are, and any id that is then
not in the project KB is reported (it is a referent the gold does not have). Nothing
is judged here: spans, labels, values and stances are copied, so the pass stays the
independent annotator's own. Deterministic: the same source gives the same bytes.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "annotations" / "independent"
OUT = ROOT / "data" / "agreement" / "independent"
KB = ROOT / "data" / "annotations" / "entities_kb.jsonl"
CORPUS = ROOT / "data" / "corpus"

# independent annotator's slug -> project KB id (same referent, other spelling of the slug).
# Slugs equal to a KB id need no entry. Checked by hand against the mentions' texts.
ID_MAP = {
    "apple-app-store": "app-store",                       # "App Store"
    "chatham-illinois": "chatham",                        # "Chatham"
    "comprehensive-strategic-partnership-treaty": "dprk-russia-treaty",
    "cspt-article-4": "dprk-russia-treaty-article-4",     # "Article 4 (of the ... Treaty)"
    "defense-forces-of-ukraine": "ukrainian-defense-forces",
    "european-union": "eu",
    "goerlitz": "gorlitz",                                # "Görlitz"
    "google-play-store": "play-store",                    # "Play Store"
    "international-anti-fascist-conference": "anti-fascist-conference",
    "kpa-general-political-bureau": "general-political-bureau",
    "liebig-family": "liebigs",                           # "the Liebigs"
    "springfield-illinois": "springfield",
    "wpk-central-military-commission": "central-military-commission",
}


def _line(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False) + "\n"


def convert(source: Path) -> tuple[dict[str, str], list[str]]:
    """file name -> content of the pass, and the ids missing from the project KB."""
    kb = {json.loads(line)["entity_id"] for line in KB.read_text(encoding="utf-8").splitlines() if line.strip()}
    texts = {int(p.name[:3]): p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))}
    ents, tmxs, stances = [], [], []
    for path in sorted(source.glob("doc*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        did = doc["doc_id"]
        text = texts[int(did[3:])]  # doc ids are the corpus files in file-name order
        for e in doc["entities"] + doc["timexes"] + [ev for s in doc["stances"] for ev in s["evidence"]]:
            # the README promises exact surface texts; a wrong offset would silently skew agreement
            if text[e["start"]:e["end"]] != e["text"]:
                raise SystemExit(f"{path.name}: span {e['start']}-{e['end']} does not match its text {e['text']!r}")
        ents += [{"doc_id": did, "start": e["start"], "end": e["end"], "label": e["label"],
                  "entity_id": ID_MAP.get(e["entity_id"], e["entity_id"]), "text": e["text"]}
                 for e in doc["entities"]]
        tmxs += [{"doc_id": did, "start": t["start"], "end": t["end"], "type": t["type"], "value": t["value"],
                  "text": t["text"]} for t in doc["timexes"]]
        stances += [{"doc_id": did, "claim_id": s["claim_id"], "label": s["label"], "evidence": sorted(
            ({"start": ev["start"], "end": ev["end"], "holder": ID_MAP.get(ev["holder"], ev["holder"]),
              "polarity": ev["polarity"], "text": ev["text"]} for ev in s["evidence"]),
            key=lambda ev: (ev["start"], ev["end"]))} for s in doc["stances"]]
    ents.sort(key=lambda o: (o["doc_id"], o["start"]))
    tmxs.sort(key=lambda o: (o["doc_id"], o["start"]))
    stances.sort(key=lambda o: (o["doc_id"], o["claim_id"]))
    # the pass's own KB: canonical name = its first mention, label = its most frequent label
    first: dict[str, str] = {}
    labels: dict[str, Counter] = {}
    for e in ents:
        first.setdefault(e["entity_id"], e["text"])
        labels.setdefault(e["entity_id"], Counter())[e["label"]] += 1
    pass_kb = [{"entity_id": i, "name": first[i], "label": labels[i].most_common(1)[0][0]} for i in sorted(first)]
    holders = {ev["holder"] for s in stances for ev in s["evidence"]} - {"author"}
    unmapped = sorted((set(first) | holders) - kb)
    files = {
        "entities.jsonl": "".join(map(_line, ents)),
        "entities_kb.jsonl": "".join(map(_line, pass_kb)),
        "timex.jsonl": "".join(map(_line, tmxs)),
        "stances.jsonl": "".join(map(_line, stances)),
        # provenance, copied verbatim under a note (its relative paths point into the source folder)
        "README.md": "<!-- copied by scripts/import_independent.py from ../shared/annotations/independent/README.md;"
                     " relative paths below are relative to that folder -->\n"
                     + (source / "README.md").read_text(encoding="utf-8"),
    }
    return files, unmapped


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    files, unmapped = convert(source)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (OUT / name).write_text(content, encoding="utf-8")
        print(f"wrote {OUT / name}")
    for i in unmapped:
        print(f"unmapped id (not in {KB.relative_to(ROOT)}): {i}", file=sys.stderr)


if __name__ == "__main__":
    main()
