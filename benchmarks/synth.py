"""Synthetic gold dataset directory + predictions with realistic errors, at any size.

The dataset is in this package's format (`documents/`, `claims/`, `stance/` test.jsonl,
as `bench.corpus.load_dataset_dir` reads them).  Texts are space-separated words;
entity spans cover whole words and never the sentence-final word, so the whitespace
tokens give an exact BIO view for seqeval.  Errors in the predictions, per gold
entity: missed, wrong label, shifted boundary (one word more or less); plus spurious
spans on free words.  Same arguments -> byte-identical files.

    python benchmarks/synth.py OUT_DIR --docs 100000 [--entities-per-doc 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

LABELS = ("PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE")
LABEL_WEIGHTS = (20, 8, 3, 18, 22, 6, 4, 6, 3, 3, 1)
FILLER = ("the", "of", "and", "to", "in", "said", "were", "café", "troops", "region", "on", "a", "near",
          "officials", "reported", "war", "border", "talks", "week", "forces", "that", "with", "élite")
NAMES = ("Kursk", "Pyongyang", "Moscow", "Kyiv", "Seoul", "Ana", "Kim", "Zelensky", "Naïve", "NATO",
         "Korean", "Russian", "Ukrainian", "Assembly", "Treaty", "Charter", "Bureau", "Army")
TIMEX = (("yesterday", "DATE", "2025-04-28"), ("weekly", "SET", "P1W"), ("tonight", "TIME", "2025-04-29TNI"),
         ("decade", "DURATION", "P1DE"))
CLAIMS = (("C01", "Troops took part in combat."), ("C02", "The region was retaken."),
          ("C03", "The deployment complies with law."))
STANCES = ("support", "refute", "discuss", "unrelated")


def _document(rng: random.Random, doc_id: str, n_ents: int) -> tuple[dict, list[tuple[int, int]], list[bool]]:
    """Text, gold spans and the word offsets; `free[i]` = word i may hold an entity."""
    n_words = max(12, n_ents * 10)
    words, free = [], []
    while len(words) < n_words:
        length = rng.randint(8, 20)
        for k in range(length):
            last = k == length - 1
            words.append(rng.choice(FILLER) + ("." if last else "") if last or rng.random() < 0.7
                         else rng.choice(NAMES))
            free.append(not last)
        words[len(words) - length] = words[len(words) - length].capitalize()
    offsets, pos = [], 0
    for w in words:
        offsets.append((pos, pos + len(w)))
        pos += len(w) + 1
    text = " ".join(words)
    # non-overlapping entity word ranges, at least one free word between them
    ents, timexes, i = [], [], 0
    gap = max(1, len(words) // max(n_ents, 1) - 4)
    while i < len(words) and len(ents) < n_ents:
        i += rng.randint(1, 2 * gap)
        span = rng.choice((1, 1, 1, 2, 2, 3))
        if i + span >= len(words) or not all(free[i:i + span]):
            continue
        s, e = offsets[i][0], offsets[i + span - 1][1]
        ents.append({"start": s, "end": e, "label": rng.choices(LABELS, LABEL_WEIGHTS)[0], "text": text[s:e]})
        for k in range(i, i + span):
            free[k] = False
        i += span
    # a few timexes: replace a free filler word's slot is not possible (text fixed), so
    # append them as a last sentence
    tx_words = [rng.choice(TIMEX) for _ in range(rng.randint(0, 3))]
    for word, typ, value in tx_words:
        s = len(text) + 1
        text += " " + word.capitalize()
        timexes.append({"start": s, "end": s + len(word), "type": typ, "value": value, "text": text[s:s + len(word)]})
    if tx_words:
        text += " now."
    row = {"doc_id": doc_id, "text": text, "file": f"{doc_id}.txt", "sha256": "", "outlet": None,
           "dct": "2025-04-29", "dct_source": "synthetic", "entities": ents, "timexes": timexes}
    return row, offsets, free


def _predict(rng: random.Random, row: dict, offsets: list[tuple[int, int]], free: list[bool]) -> dict:
    text = row["text"]
    start_word = {s: i for i, (s, _) in enumerate(offsets)}
    end_word = {e: i for i, (_, e) in enumerate(offsets)}
    out = []
    for g in row["entities"]:
        r = rng.random()
        if r < 0.06:  # missed
            continue
        s, e, label = g["start"], g["end"], g["label"]
        if r < 0.12:  # wrong label
            label = rng.choice([x for x in LABELS if x != label])
        elif r < 0.18:  # shifted boundary: one word more on the right, or one less
            i, j = start_word[s], end_word[e]
            if j + 1 < len(offsets) and free[j + 1]:
                e = offsets[j + 1][1]
                free[j + 1] = False
            elif j > i:
                e = offsets[j - 1][1]
            else:
                label = rng.choice([x for x in LABELS if x != label])
        out.append({"start": s, "end": e, "label": label, "text": text[s:e]})
    for i, ok in enumerate(free):  # spurious
        if ok and rng.random() < 0.012:
            s, e = offsets[i]
            out.append({"start": s, "end": e, "label": rng.choices(LABELS, LABEL_WEIGHTS)[0], "text": text[s:e]})
    out.sort(key=lambda x: (x["start"], x["end"]))
    tx = []
    for t in row["timexes"]:
        r = rng.random()
        if r < 0.1:
            continue
        t = dict(t)
        if r < 0.2:
            t["value"] = "2025-04-27"
            t["type"] = "DATE"
        tx.append(t)
    return {"doc_id": row["doc_id"], "entities": out, "timexes": tx}


def _stances(rng: random.Random, row: dict) -> list[dict]:
    text = row["text"]
    first = text.index(".") + 1
    out = []
    for cid, claim in CLAIMS:
        label = rng.choice(STANCES)
        ev = [] if label == "unrelated" else [{"start": 0, "end": first, "holder": "author",
                                               "polarity": "asserts", "text": text[:first]}]
        out.append({"doc_id": row["doc_id"], "claim_id": cid, "claim": claim, "label": label, "evidence": ev})
    return out


def generate(out: Path, n_docs: int, entities_per_doc: int = 20, seed: int = 0) -> dict[str, int]:
    """Write OUT/dataset/{documents,claims,stance}/test.jsonl and OUT/predictions.jsonl."""
    out = Path(out)
    for sub in ("documents", "claims", "stance"):
        (out / "dataset" / sub).mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    counts = {"documents": 0, "gold_entities": 0, "pred_entities": 0, "gold_timexes": 0}
    with open(out / "dataset/documents/test.jsonl", "w", encoding="utf-8") as fd, \
            open(out / "dataset/stance/test.jsonl", "w", encoding="utf-8") as fs, \
            open(out / "predictions.jsonl", "w", encoding="utf-8") as fp:
        for k in range(n_docs):
            n = max(0, round(rng.gauss(entities_per_doc, entities_per_doc / 3)))
            row, offsets, free = _document(rng, f"d{k:07d}", n)
            pred = _predict(rng, row, offsets, free)
            sts = _stances(rng, row)
            pred["stances"] = [{"claim_id": s["claim_id"], "label": s["label"] if rng.random() < 0.7
                                else rng.choice(STANCES), "evidence": s["evidence"]} for s in sts]
            fd.write(json.dumps(row, ensure_ascii=False) + "\n")
            fs.write("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in sts))
            fp.write(json.dumps(pred, ensure_ascii=False) + "\n")
            counts["documents"] += 1
            counts["gold_entities"] += len(row["entities"])
            counts["pred_entities"] += len(pred["entities"])
            counts["gold_timexes"] += len(row["timexes"])
    (out / "dataset/claims/test.jsonl").write_text(
        "".join(json.dumps({"claim_id": c, "text": t}) + "\n" for c, t in CLAIMS), encoding="utf-8")
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--entities-per-doc", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    print(json.dumps(generate(a.out, a.docs, a.entities_per_doc, a.seed)))


if __name__ == "__main__":
    main()
