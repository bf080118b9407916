"""Every registered baseline on news it has never seen, through `bench predict`, while any
read of the gold (data/, hf/) is refused: baselines must not depend on it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.model, pytest.mark.slow]

DOCS = [
    {"doc_id": "n1", "dct": "2025-11-20",
     "text": "Finnish Prime Minister Anna Virtanen met Chilean President Luis Moreno in Santiago on Tuesday, "
             "her office said. The two leaders signed the Pacific Trade Accord, which takes effect on "
             "1 March 2026.\nMoreno’s government said the accord would create 4,000 jobs within two years."},
    {"doc_id": "n2", "dct": "2025-06-02",
     "text": "Flooding along the Danube forced the evacuation of 3,000 people in southern Hungary last week, "
             "the Interior Ministry said. Budapest denied reports that the dams had failed."},
]
CLAIMS = [{"claim_id": "C01", "text": "Finland and Chile signed a trade accord."},
          {"claim_id": "C02", "text": "The dams on the Danube failed."}]

# An audit hook in the child process: opening anything under data/ or hf/ aborts the run.
GUARD = f"""
import os, sys
ROOTS = ({str(REPO / 'data')!r}, {str(REPO / 'hf')!r})
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.abspath(os.fsdecode(args[0]))
        if path.startswith(ROOTS):
            raise PermissionError("baseline read gold data: " + path)
sys.addaudithook(hook)
from bench.cli import app
app(sys.argv[1:], prog_name="bench")
"""


def _available(name: str) -> bool:
    if name == "minilm-ner":
        from baselines.train_ner import default_model_dir

        try:
            return default_model_dir(train_if_missing=False).is_dir()
        except Exception:
            return False
    return True


@pytest.mark.parametrize("model", ["regex", "spacy-md", "minilm-ner"])
def test_predict_on_unseen_news_without_gold(model, tmp_path):
    if not _available(model):
        pytest.skip(f"{model}: default model not built (scripts/setup.sh trains it)")
    docs, claims, out = tmp_path / "docs.jsonl", tmp_path / "claims.jsonl", tmp_path / "preds.jsonl"
    docs.write_text("".join(json.dumps(d) + "\n" for d in DOCS), encoding="utf-8")
    claims.write_text("".join(json.dumps(c) + "\n" for c in CLAIMS), encoding="utf-8")
    res = subprocess.run([sys.executable, "-c", GUARD, "predict", "--model", model, "--input", str(docs),
                          "--output", str(out), "--claims", str(claims)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    header, *lines = map(json.loads, out.read_text(encoding="utf-8").splitlines())
    assert header == {"label_scheme": "ontonotes"}
    preds = {p["doc_id"]: p for p in lines}
    assert set(preds) == {"n1", "n2"}
    for doc in DOCS:
        p = preds[doc["doc_id"]]
        for span in p["entities"] + p["timexes"]:
            assert doc["text"][span["start"]:span["end"]] == span["text"]
        assert [s["claim_id"] for s in p["stances"]] == ["C01", "C02"]
    ents = {(e["text"], e["label"]) for e in preds["n1"]["entities"]}
    assert any(label == "PERSON" and "Virtanen" in text for text, label in ents), ents
    assert any(label == "GPE" and text == "Santiago" for text, label in ents), ents
    # "on Tuesday" before a Thursday DCT is the Tuesday of that week
    values = {t["value"] for t in preds["n1"]["timexes"]}
    assert "2025-11-18" in values, values


def test_the_guard_refuses_gold_reads(tmp_path):
    """The audit hook above really blocks: `bench validate` reads data/annotations and must fail."""
    res = subprocess.run([sys.executable, "-c", GUARD, "validate"], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120)
    # the loader turns the refused open into its usual one-line error: a non-zero exit either way
    assert res.returncode != 0 and "data/annotations/documents.jsonl: cannot open" in res.stderr
