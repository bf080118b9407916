"""Load gold data: from the annotation source (`data/annotations/`) or from a built
dataset directory in the package's Hugging Face format.

Two datasets are built in: the benchmark (`hf/kursk-ie-bench/`) and the held-out
check set (`hf/kursk-ie-bench-heldout/`).  Each folder has a distinct name because
`datasets.load_dataset` keys its cache by the folder name.  In a source checkout
they are read from `hf/`; an installed wheel carries copies as package data
(`bench/_datasets/`).  Evaluation always reads a dataset directory, so users can
score against their own corpora in the same format; the fingerprint is a hash of
its data files.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path

from bench.io import DataError, read_jsonl, require
from bench.records import parse_entity, parse_stance, parse_timex
from bench.timex3 import DCT_FORM, is_valid_dct
from bench.types import STANCE_LABELS, Annotations, Claim, Document, DocumentMeta, GoldCorpus, Stance
from bench.validate import check_annotations

REPO_ROOT = Path(__file__).resolve().parent.parent
ANNOTATIONS_DIR = REPO_ROOT / "data" / "annotations"
CORPUS_DIR = REPO_ROOT / "data" / "corpus"
HF_DIR = REPO_ROOT / "hf"  # built Hugging Face dataset folders (source checkout)
PACKAGED_DIR = Path(__file__).resolve().parent / "_datasets"  # the same folders inside a wheel
DATA_FILES = ("documents/test.jsonl", "claims/test.jsonl", "stance/test.jsonl")


@dataclass(frozen=True)
class BuiltinDataset:
    """A dataset this package builds from its own annotations and ships."""

    name: str  # folder name; distinct, since `datasets` keys its cache by it
    annotations: Path
    corpus: Path
    title: str | None  # None: the benchmark's full card; else the title of a minimal card

    @property
    def source_dir(self) -> Path:
        return HF_DIR / self.name


BENCHMARK = BuiltinDataset("kursk-ie-bench", ANNOTATIONS_DIR, CORPUS_DIR, None)
# Five unseen articles written and annotated after the baselines were frozen.
HELDOUT = BuiltinDataset("kursk-ie-bench-heldout", REPO_ROOT / "data" / "heldout" / "annotations",
                         REPO_ROOT / "data" / "heldout" / "corpus", "Kursk IE Bench held-out check set")
BUILTIN_DATASETS: dict[str, BuiltinDataset] = {d.name: d for d in (BENCHMARK, HELDOUT)}


def builtin_dataset_dir(name: str = BENCHMARK.name) -> Path:
    """A built-in dataset's folder: `hf/<name>` in a source checkout, else the wheel's copy."""
    if name not in BUILTIN_DATASETS:
        raise DataError(f"unknown built-in dataset {name!r}; available: {', '.join(BUILTIN_DATASETS)}")
    source = HF_DIR / name
    return source if (source / DATA_FILES[0]).is_file() else PACKAGED_DIR / name


def default_dataset_dir() -> Path:
    return builtin_dataset_dir(BENCHMARK.name)


def resolve_dataset(spec: str | Path | None) -> tuple[Path, str]:
    """(folder, name stamped on results) for --dataset: None (the benchmark), a built-in
    dataset's name, or a folder.  The stamped name is the folder's name, never a path,
    so results carry nothing of the machine that made them."""
    if spec is None:
        return default_dataset_dir(), BENCHMARK.name
    if str(spec) in BUILTIN_DATASETS and not Path(spec).is_dir():
        return builtin_dataset_dir(str(spec)), str(spec)
    path = Path(spec)
    return path, path.resolve().name


MANIFEST = "MANIFEST.json"  # written by `bench build-dataset`: every file with its sha256
CARD = "README.md"


def fingerprint(dataset_dir: Path, files: tuple[str, ...] = DATA_FILES) -> str:
    """The dataset's identity.  A built folder: the hash of its manifest, after checking
    that every file it lists (JSONL, Parquet, card) is there with those bytes, so a
    folder mixing two builds or a corrupt file is refused, not scored.  A hand-made
    folder without a manifest: the hash of the data files the harness reads."""
    root = Path(dataset_dir)
    if (root / MANIFEST).is_file():
        listed = _verify_manifest(root, (root / MANIFEST).read_bytes())
        # the card is documentation (it quotes figures computed from runs on this data):
        # verified with the rest, but not part of the data's identity
        data = {rel: digest for rel, digest in listed.items() if rel != CARD}
        return "sha256:" + hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
    h = hashlib.sha256()
    for rel in files:
        h.update(rel.encode() + b"\0")
        with open(root / rel, "rb") as fh:  # streamed: a big dataset's files are hundreds of MB
            while block := fh.read(1 << 20):
                h.update(block)
        h.update(b"\0")
    return "sha256:" + h.hexdigest()[:16]


def _verify_manifest(root: Path, raw: bytes) -> dict[str, str]:
    where = root / MANIFEST
    try:
        listed = json.loads(raw.decode("utf-8"))["files"]
        if not isinstance(listed, dict) or not all(isinstance(v, str) for v in listed.values()):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise DataError(f"{where}: not a valid manifest (expected {{\"files\": {{path: sha256}}}})") from None
    missing = [rel for rel in DATA_FILES if rel not in listed]
    if missing:
        raise DataError(f"{where}: does not list {', '.join(missing)}")
    for rel, digest in sorted(listed.items()):
        path = root / rel
        if ".." in Path(rel).parts or Path(rel).is_absolute():
            raise DataError(f"{where}: lists {rel!r}, outside the dataset folder")
        try:
            with open(path, "rb") as fh:  # streamed, like the fingerprint of a folder without a manifest
                actual = hashlib.file_digest(fh, "sha256").hexdigest()
        except OSError:
            raise DataError(f"{path}: listed in {MANIFEST} but missing; rebuild with `bench build-dataset`") from None
        if actual != digest:
            raise DataError(f"{path}: content differs from {MANIFEST} (an interrupted build, or an edited or "
                            "corrupt file); rebuild with `bench build-dataset`")
    return listed


def _meta_from(obj: dict, where: str) -> DocumentMeta:
    return DocumentMeta(
        require(obj, "doc_id", str, where), obj.get("file") or "", obj.get("sha256") or "",
        obj.get("outlet"), obj.get("dct"), obj.get("dct_source") or "",
    )


def load_annotations(ann_dir: Path = ANNOTATIONS_DIR, corpus_dir: Path = CORPUS_DIR) -> GoldCorpus:
    """The validated annotation source as a GoldCorpus (raises DataError listing problems)."""
    ann_dir, corpus_dir = Path(ann_dir), Path(corpus_dir)
    problems = check_annotations(ann_dir, corpus_dir)
    if problems:
        raise DataError(f"{len(problems)} problem(s) in {ann_dir}; first: {problems[0]}")
    metas = [_meta_from(o, f"{ann_dir}/documents.jsonl:{n}") for n, o in read_jsonl(ann_dir / "documents.jsonl")]
    docs = tuple(
        Document(m.doc_id, (corpus_dir / m.file).read_bytes().decode("utf-8"), m.dct) for m in metas
    )
    ents: dict[str, list] = defaultdict(list)
    for n, o in read_jsonl(ann_dir / "entities.jsonl"):
        ents[o["doc_id"]].append(parse_entity(o, f"entities.jsonl:{n}", with_id=True))
    tmx: dict[str, list] = defaultdict(list)
    for n, o in read_jsonl(ann_dir / "timex.jsonl"):
        tmx[o["doc_id"]].append(parse_timex(o, f"timex.jsonl:{n}"))
    sts: dict[str, list] = defaultdict(list)
    for n, o in read_jsonl(ann_dir / "stances.jsonl"):
        sts[o["doc_id"]].append(parse_stance(o, f"stances.jsonl:{n}"))
    claims = tuple(Claim(o["claim_id"], o["text"]) for _, o in read_jsonl(ann_dir / "claims.jsonl"))
    gold = tuple(
        Annotations(d.doc_id, tuple(sorted(ents[d.doc_id])), tuple(sorted(tmx[d.doc_id])),
                    tuple(sorted(sts[d.doc_id], key=lambda s: s.claim_id)))
        for d in docs
    )
    h = hashlib.sha256()
    for name in ("documents.jsonl", "claims.jsonl", "entities.jsonl", "timex.jsonl", "stances.jsonl"):
        h.update((ann_dir / name).read_bytes())
    return GoldCorpus(docs, gold, claims, "sha256:" + h.hexdigest()[:16], tuple(metas))


def _records(obj: dict, key: str, where: str) -> list:
    items = obj.get(key) or []
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise DataError(f"{where}: field {key!r} must be a list of objects")
    return items


def _check_gold_span(span, text: str, doc_id: str, where: str) -> None:
    if not 0 <= span.start < span.end <= len(text) or text[span.start:span.end] != span.text:
        raise DataError(f"{where}: span [{span.start}, {span.end}) {span.text!r} does not fit the text of {doc_id}")


def check_data_files(root: Path) -> None:
    for rel in DATA_FILES:
        if not (root / rel).is_file():
            raise DataError(f"{root}: not a dataset directory in this package's format: missing {rel}")


def gold_document(o: dict, where: str, seen: Container[str]) -> tuple[Document, DocumentMeta, tuple, tuple]:
    """One line of documents/test.jsonl: the document, its metadata and its sorted gold
    entities and timexes (``seen``: the doc ids before it, for the duplicate check)."""
    doc_id = require(o, "doc_id", str, where)
    if doc_id in seen:
        raise DataError(f"{where}: duplicate doc_id {doc_id!r}")
    text = require(o, "text", str, where)
    if o.get("dct") is not None and not is_valid_dct(o["dct"]):
        raise DataError(f"{where}: field 'dct' must be {DCT_FORM} or null, got {o['dct']!r}")
    meta = _meta_from(o, where)
    # a hand-made dataset: spans must be lists of records that fit the text
    ents = [parse_entity(e, where) for e in _records(o, "entities", where)]
    tmx = [parse_timex(t, where) for t in _records(o, "timexes", where)]
    for span in ents + tmx:
        _check_gold_span(span, text, doc_id, where)
    return (Document(doc_id, text, o.get("dct")), meta,
            tuple(sorted(ents, key=lambda e: (e.start, e.end, e.label, e.text, e.entity_id or ""))), tuple(sorted(tmx)))


def read_claims(root: Path) -> tuple[Claim, ...]:
    claim_list: list[Claim] = []
    claim_ids: set[str] = set()
    for n, o in read_jsonl(root / "claims/test.jsonl"):
        where = f"{root}/claims/test.jsonl:{n}"
        claim = Claim(require(o, "claim_id", str, where), require(o, "text", str, where))
        if claim.claim_id in claim_ids:
            raise DataError(f"{where}: duplicate claim_id {claim.claim_id!r}")
        claim_ids.add(claim.claim_id)
        claim_list.append(claim)
    return tuple(claim_list)


def gold_stance(o: dict, where: str, doc_id: str, claim_ids: Container[str], seen: set[tuple[str, str]]) -> Stance:
    """One line of stance/test.jsonl whose (known) doc_id the caller has read."""
    st = parse_stance(o, where)
    if st.claim_id not in claim_ids:
        raise DataError(f"{where}: unknown claim_id {st.claim_id!r}")
    if st.label not in STANCE_LABELS:
        raise DataError(f"{where}: unknown stance label {st.label!r}; expected one of {', '.join(STANCE_LABELS)}")
    if (doc_id, st.claim_id) in seen:
        raise DataError(f"{where}: duplicate stance for ({doc_id}, {st.claim_id})")
    seen.add((doc_id, st.claim_id))
    return st


def check_gold(corpus: GoldCorpus, root: Path) -> None:
    from bench.validate import check_gold_corpus

    problems = check_gold_corpus(corpus, str(root))
    if problems:  # scores against broken gold would be silently wrong
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DataError(f"{problems[0]}{more}; the gold must pass the checks of `bench validate`")


def load_dataset_dir(dataset_dir: Path | None = None) -> GoldCorpus:
    """Gold from a dataset directory (documents, claims and stance configs, test split)."""
    root = Path(dataset_dir) if dataset_dir is not None else default_dataset_dir()
    check_data_files(root)
    docs, gold_ents, gold_tmx, metas = [], {}, {}, []
    for n, o in read_jsonl(root / "documents/test.jsonl"):
        doc, meta, ents, tmx = gold_document(o, f"{root}/documents/test.jsonl:{n}", gold_ents)
        docs.append(doc)
        metas.append(meta)
        gold_ents[doc.doc_id], gold_tmx[doc.doc_id] = ents, tmx
    claims = read_claims(root)
    claim_ids = {c.claim_id for c in claims}
    # a hand-made dataset is not validated by `bench validate`: catch what the scorers cannot take
    stances: dict[str, list] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for n, o in read_jsonl(root / "stance/test.jsonl"):
        where = f"{root}/stance/test.jsonl:{n}"
        doc_id = require(o, "doc_id", str, where)
        if doc_id not in gold_ents:
            raise DataError(f"{where}: unknown doc_id {doc_id!r}")
        stances[doc_id].append(gold_stance(o, where, doc_id, claim_ids, seen))
    gold = tuple(
        Annotations(d.doc_id, gold_ents[d.doc_id], gold_tmx[d.doc_id],
                    tuple(sorted(stances[d.doc_id], key=lambda s: s.claim_id)))
        for d in docs
    )
    corpus = GoldCorpus(tuple(docs), gold, claims, fingerprint(root), tuple(metas))
    check_gold(corpus, root)
    return corpus
