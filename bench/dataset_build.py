"""Build a Hugging Face dataset directory (`hf/<name>/`) from an annotation directory.

One command (`bench build-dataset`) writes every data file and the dataset card;
`--check` rebuilds in memory and reports which file is stale.  Two forms of the
same rows: `<config>/test.jsonl` (label names; what the harness reads, diff-friendly)
and `<config>/test-<hash>.parquet` (what the card's configs point `datasets.load_dataset`
at: typed columns, ClassLabel ids).  Parquet because the JSON loader of `datasets`
lets pyarrow turn ISO date strings such as the DCT into timestamps.

The Parquet file names carry a hash of their rows: `datasets` keys its cache by the
folder name and the data-file paths the card declares, not by file contents, so a
rebuilt file under an old name would be served stale from the cache.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench import __version__
from bench.bio import sentence_rows
from bench.corpus import ANNOTATIONS_DIR, BENCHMARK, CORPUS_DIR, load_annotations
from bench.io import DataError, atomic_write_bytes, atomic_write_tree, dumps_line
from bench.records import entity_row, stance_row, timex_row
from bench.types import CONLL_LABELS, ENTITY_LABELS, POLARITIES, STANCE_LABELS, TIMEX_TYPES, GoldCorpus

# The benchmark data's own version (the package version is the harness's): bump it when the
# gold changes. 1.0.0: gold from two in-house passes; 2.0.0: adjudicated against an
# independent annotation (docs/adjudication.md). The card's change log says what changed.
DATASET_VERSION = "2.0.0"
MANIFEST = "MANIFEST.json"  # every file of the folder with its sha256, written with the rest


def sha256_bytes(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def manifest_bytes(files: dict[str, bytes]) -> bytes:
    body = {"schema": "kursk-ie-bench/dataset-manifest/v1",
            "files": {rel: sha256_bytes(files[rel]) for rel in sorted(files)}}
    return (json.dumps(body, indent=1, sort_keys=True) + "\n").encode("utf-8")

CARD_TEMPLATE = ANNOTATIONS_DIR.parent / "dataset_card.md"
AGREEMENT_JSON = ANNOTATIONS_DIR.parent / "agreement" / "report.json"
POWER_MD = ANNOTATIONS_DIR.parent / "power.md"  # written by `bench power` from the leaderboard runs


def _bio(labels: tuple[str, ...]) -> list[str]:
    return ["O"] + [f"{p}-{lab}" for lab in labels for p in ("B", "I")]


def _class(names) -> dict:
    return {"class_label": {"names": {str(i): n for i, n in enumerate(names)}}}


def _span_fields(label_name: str, label_names) -> list[dict]:
    return [
        {"name": "start", "dtype": "int32"}, {"name": "end", "dtype": "int32"},
        {"name": label_name, "dtype": _class(label_names)},
    ]


FEATURES: dict[str, list[dict]] = {
    "documents": [
        {"name": "doc_id", "dtype": "string"}, {"name": "text", "dtype": "string"},
        {"name": "file", "dtype": "string"}, {"name": "sha256", "dtype": "string"},
        {"name": "outlet", "dtype": "string"}, {"name": "dct", "dtype": "string"},
        {"name": "dct_source", "dtype": "string"},
        {"name": "entities", "list": _span_fields("label", ENTITY_LABELS)
            + [{"name": "entity_id", "dtype": "string"}, {"name": "text", "dtype": "string"}]},
        {"name": "timexes", "list": _span_fields("type", TIMEX_TYPES)
            + [{"name": "value", "dtype": "string"}, {"name": "text", "dtype": "string"}]},
    ],
    "ner": [
        {"name": "id", "dtype": "string"}, {"name": "doc_id", "dtype": "string"},
        {"name": "sentence_index", "dtype": "int32"},
        {"name": "start", "dtype": "int32"}, {"name": "end", "dtype": "int32"},
        {"name": "tokens", "sequence": "string"},
        {"name": "token_starts", "sequence": "int32"}, {"name": "token_ends", "sequence": "int32"},
        {"name": "ner_tags", "sequence": _class(_bio(ENTITY_LABELS))},
        {"name": "conll_ner_tags", "sequence": _class(_bio(CONLL_LABELS))},
    ],
    "timex": [
        {"name": "doc_id", "dtype": "string"}, {"name": "dct", "dtype": "string"},
        *_span_fields("type", TIMEX_TYPES),
        {"name": "value", "dtype": "string"}, {"name": "text", "dtype": "string"},
    ],
    "claims": [{"name": "claim_id", "dtype": "string"}, {"name": "text", "dtype": "string"}],
    "stance": [
        {"name": "doc_id", "dtype": "string"}, {"name": "claim_id", "dtype": "string"},
        {"name": "claim", "dtype": "string"},
        {"name": "label", "dtype": _class(STANCE_LABELS)},
        {"name": "evidence", "list": [
            {"name": "start", "dtype": "int32"}, {"name": "end", "dtype": "int32"},
            {"name": "holder", "dtype": "string"},
            {"name": "polarity", "dtype": _class(POLARITIES)},
            {"name": "text", "dtype": "string"},
        ]},
    ],
}
CONFIGS = tuple(FEATURES)


def build_rows(corpus: GoldCorpus) -> dict[str, list[dict]]:
    meta = {m.doc_id: m for m in corpus.meta}
    claim_text = {c.claim_id: c.text for c in corpus.claims}
    rows: dict[str, list[dict]] = {name: [] for name in CONFIGS}
    for doc, gold in zip(corpus.documents, corpus.gold):
        m = meta[doc.doc_id]
        rows["documents"].append({
            "doc_id": doc.doc_id, "text": doc.text, "file": m.file, "sha256": m.sha256,
            "outlet": m.outlet, "dct": m.dct, "dct_source": m.dct_source,
            "entities": [entity_row(None, e) for e in gold.entities],
            "timexes": [timex_row(None, t) for t in gold.timexes],
        })
        sents = sentence_rows(doc.doc_id, doc.text, gold.entities)
        covered = sum(t.startswith("B-") for r in sents for t in r["ner_tags"])
        if covered != len(gold.entities):
            raise DataError(f"{doc.doc_id}: {len(gold.entities) - covered} entity span(s) cross a sentence boundary")
        rows["ner"].extend(sents)
        rows["timex"].extend({"doc_id": doc.doc_id, "dct": doc.dct, **timex_row(None, t)} for t in gold.timexes)
        rows["stance"].extend(
            {"doc_id": doc.doc_id, "claim_id": s.claim_id, "claim": claim_text[s.claim_id],
             **{k: v for k, v in stance_row(None, s).items() if k != "claim_id"}}
            for s in gold.stances
        )
    rows["claims"] = [{"claim_id": c.claim_id, "text": c.text} for c in corpus.claims]
    return rows


def parquet_path(config: str, rows: list[dict]) -> str:
    """`<config>/test-<hash12>.parquet`, the hash over the rows and the declared features."""
    import hashlib

    h = hashlib.sha256(json.dumps(FEATURES[config], sort_keys=True).encode())
    for row in rows:
        h.update(dumps_line(row).encode("utf-8"))
    return f"{config}/test-{h.hexdigest()[:12]}.parquet"


def _yaml_header(rows: dict[str, list[dict]], version: str | None = None) -> str:
    import yaml

    meta = {
        **({"version": version} if version else {}),
        "language": ["en"],
        "license": "cc-by-4.0",
        "pretty_name": "Kursk IE Bench",
        "size_categories": ["n<1K"],
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["named-entity-recognition", "fact-checking"],
        # the gold's annotation passes and both adjudications were made by AI agents (card datasheet)
        "annotations_creators": ["machine-generated"],
        "language_creators": ["found"],
        "multilinguality": ["monolingual"],
        "source_datasets": ["original"],
        "tags": ["timex3", "temporal-expressions", "stance-detection", "news"],
        "configs": [
            {"config_name": name, "data_files": [{"split": "test", "path": parquet_path(name, rows[name])}]}
            for name in CONFIGS
        ],
        "dataset_info": [{"config_name": name, "features": FEATURES[name]} for name in CONFIGS],
    }
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=120) + "---\n"


MINIMAL_CARD = """
# {name}

Generated by `bench build-dataset` (package version {version}) from an annotation
directory in this package's format: {n_documents} documents, {n_entities} entity
mentions, {n_timexes} temporal expressions, {n_pairs} (document, claim) pairs.
Same configs and features as the main dataset.
"""


def render_card(corpus: GoldCorpus, rows: dict[str, list[dict]], name: str | None = None) -> str:
    """The main card (template + agreement figures), or a minimal card for other corpora."""
    if name is not None:
        from bench.leaderboard.text import md_cell

        return _yaml_header(rows) + MINIMAL_CARD.format(
            name=md_cell(name), version=__version__, n_documents=len(corpus.documents),
            n_entities=sum(len(g.entities) for g in corpus.gold),
            n_timexes=sum(len(g.timexes) for g in corpus.gold), n_pairs=len(rows["stance"]))
    if not AGREEMENT_JSON.is_file():
        raise DataError(f"{AGREEMENT_JSON}: missing; run `bench agreement` first")
    agreement = json.loads(AGREEMENT_JSON.read_text(encoding="utf-8"))
    if not POWER_MD.is_file():
        raise DataError(f"{POWER_MD}: missing; run `bench power` first")
    power_table = POWER_MD.read_text(encoding="utf-8").split("\n", 2)[2].strip()  # without its title
    values = {
        "power_table": power_table,
        "version": __version__,
        "dataset_version": DATASET_VERSION,
        "n_documents": len(corpus.documents),
        "n_entities": sum(len(g.entities) for g in corpus.gold),
        "n_timexes": sum(len(g.timexes) for g in corpus.gold),
        "n_sentences": len(rows["ner"]),
        "n_tokens": sum(len(r["tokens"]) for r in rows["ner"]),
        "n_pairs": len(rows["stance"]),
        "n_related": sum(r["label"] != "unrelated" for r in rows["stance"]),
        "n_evidence": sum(len(r["evidence"]) for r in rows["stance"]),
        **{k: f"{v:.3f}" if isinstance(v, float) else v for k, v in agreement["figures"].items()},
    }
    template = CARD_TEMPLATE.read_text(encoding="utf-8")
    try:
        return _yaml_header(rows, DATASET_VERSION) + template.format(**values)
    except KeyError as exc:
        raise DataError(f"{CARD_TEMPLATE}: unknown placeholder {exc}") from None


def hf_features(config: str):
    import datasets

    return datasets.Features._from_yaml_list(FEATURES[config])


def parquet_table(config: str, rows: list[dict]):
    """The typed Arrow table of one config (ClassLabel names encoded as ids)."""
    import datasets

    return datasets.Dataset.from_list(rows, features=hf_features(config)).data.table


def parquet_bytes(config: str, rows: list[dict]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = pa.BufferOutputStream()
    pq.write_table(parquet_table(config, rows), buffer)
    return buffer.getvalue().to_pybytes()


def write_parquet(out_dir: Path, rows: dict[str, list[dict]]) -> list[str]:
    """Write `<config>/test-<hash>.parquet` for every config into an existing folder (test
    fixtures); `build` writes the whole folder at once instead."""
    written = []
    for config in CONFIGS:
        rel = parquet_path(config, rows[config])
        atomic_write_bytes(Path(out_dir) / rel, parquet_bytes(config, rows[config]))
        written.append(rel)
    return written


def render_all(ann_dir: Path = ANNOTATIONS_DIR, corpus_dir: Path = CORPUS_DIR,
               name: str | None = None) -> dict[str, str]:
    """relative path -> file content for the whole dataset directory.

    ``name`` given: a corpus other than the built-in one, with a minimal card.
    """
    corpus = load_annotations(ann_dir, corpus_dir)
    return _text_files(corpus, build_rows(corpus), name)


def _text_files(corpus: GoldCorpus, rows: dict[str, list[dict]], name: str | None) -> dict[str, str]:
    files = {f"{config}/test.jsonl": "".join(dumps_line(r) for r in rows[config]) for config in CONFIGS}
    files["README.md"] = render_card(corpus, rows, name)
    return files


def build(out_dir: Path = BENCHMARK.source_dir, ann_dir: Path = ANNOTATIONS_DIR, corpus_dir: Path = CORPUS_DIR,
          name: str | None = None) -> list[str]:
    """Write the whole dataset folder in one step (``io.atomic_write_tree``): an interrupted
    build leaves the old folder, never new JSONL beside old Parquet.  The manifest lists
    every file's sha256; readers verify it (``bench.corpus.fingerprint``)."""
    corpus = load_annotations(ann_dir, corpus_dir)
    rows = build_rows(corpus)
    files = {rel: text.encode("utf-8") for rel, text in _text_files(corpus, rows, name).items()}
    files.update({parquet_path(c, rows[c]): parquet_bytes(c, rows[c]) for c in CONFIGS})
    files[MANIFEST] = manifest_bytes(files)
    atomic_write_tree(Path(out_dir), files)
    return sorted(files)


def stale_files(out_dir: Path = BENCHMARK.source_dir, ann_dir: Path = ANNOTATIONS_DIR, corpus_dir: Path = CORPUS_DIR,
                name: str | None = None) -> list[str]:
    """Files of the dataset directory that differ from a fresh build."""
    import pyarrow.parquet as pq

    corpus = load_annotations(ann_dir, corpus_dir)
    rows = build_rows(corpus)
    stale = []
    texts = _text_files(corpus, rows, name)
    for rel, content in texts.items():
        path = Path(out_dir) / rel
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            stale.append(rel)
    # the manifest must list exactly these files with their committed bytes (Parquet bytes
    # vary with the pyarrow version, so for them it must match the committed file itself)
    try:
        listed = json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))["files"]
        want = set(texts) | {parquet_path(c, rows[c]) for c in CONFIGS}
        ok = set(listed) == want and all(
            listed[rel] == sha256_bytes(texts[rel].encode("utf-8")) if rel in texts
            else (Path(out_dir) / rel).is_file() and listed[rel] == sha256_bytes((Path(out_dir) / rel).read_bytes())
            for rel in want)
    except (OSError, ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        stale.append(MANIFEST)
    # Parquet bytes depend on the pyarrow version: compare typed content instead.
    for config in CONFIGS:
        rel = parquet_path(config, rows[config])
        stale += sorted(f"{config}/{p.name}" for p in (Path(out_dir) / config).glob("*.parquet")
                        if p.name != Path(rel).name)  # left over from an older build
        fresh = parquet_table(config, rows[config])
        try:
            old = pq.read_table(Path(out_dir) / rel)
        except (OSError, ValueError):
            stale.append(rel)
            continue
        if old.schema.metadata != fresh.schema.metadata or old.to_pylist() != fresh.to_pylist():
            stale.append(rel)
    return stale


def build_command(check: bool, out: Path | None, annotations: Path | None, corpus: Path | None,
                  name: str | None) -> list[str]:
    """`bench build-dataset`: every built-in dataset, or one of the user's (--output with
    --annotations and --corpus); with ``check``, refuse stale files and write nothing."""
    from bench.corpus import BUILTIN_DATASETS

    if out is None:
        if annotations or corpus or name:
            raise DataError("--annotations, --corpus and --name describe a dataset of your own: pass --output too")
        jobs = [(d.source_dir, d.annotations, d.corpus, d.title) for d in BUILTIN_DATASETS.values()]
    else:
        if annotations is None or corpus is None:
            raise DataError("--output needs --annotations and --corpus (the built-in datasets are built without it)")
        jobs = [(Path(out), Path(annotations), Path(corpus), name or Path(out).resolve().name)]
    lines = []
    for target, ann, corp, title in jobs:
        if check:
            stale = stale_files(target, ann, corp, title)
            if stale:
                raise StaleDataset(f"{target}: dataset files stale against the annotations: {', '.join(stale)}; "
                                   "run `bench build-dataset`")
            lines.append(f"{target.name}: dataset files up to date")
        else:
            lines += [f"wrote {target / rel}" for rel in build(target, ann, corp, title)]
    return lines


class StaleDataset(DataError):
    """`bench build-dataset --check` found stale files (exit code 1, not 2)."""
