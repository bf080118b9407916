"""Shared fixtures: a tiny invented annotation set and the dataset directory built from it.

Nothing here reads the real gold under data/annotations/, which annotators are still
editing; the synthetic corpus lives in tests/fixtures.py.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # so `--model tests.fixtures:X` imports under plain `pytest`
    sys.path.insert(0, str(REPO))

from bench.corpus import load_annotations  # noqa: E402
from bench.dataset_build import CONFIGS, _yaml_header, build_rows, write_parquet  # noqa: E402
from bench.io import dumps_line  # noqa: E402
from tests import fixtures as sd  # noqa: E402


@dataclass(frozen=True)
class AnnotationSet:
    ann: Path
    corpus: Path

    def path(self, name: str) -> Path:
        return self.ann / name

    def lines(self, name: str) -> list[str]:
        return self.path(name).read_text(encoding="utf-8").splitlines(keepends=True)

    def write_lines(self, name: str, lines: list[str]) -> None:
        self.path(name).write_text("".join(lines), encoding="utf-8")


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(dumps_line(r) for r in rows), encoding="utf-8")


def write_annotation_set(root: Path) -> AnnotationSet:
    ann, corpus = root / "annotations", root / "corpus"
    ann.mkdir(parents=True)
    corpus.mkdir(parents=True)
    for doc, text in sd.TEXTS.items():
        (corpus / sd.FILES[doc]).write_bytes(text.encode("utf-8"))
    write_jsonl(ann / "documents.jsonl", sd.documents_rows())
    write_jsonl(ann / "claims.jsonl", sd.claims_rows())
    write_jsonl(ann / "entities_kb.jsonl", sd.kb_rows())
    write_jsonl(ann / "entities.jsonl", sd.entity_rows())
    write_jsonl(ann / "timex.jsonl", sd.timex_rows())
    write_jsonl(ann / "stances.jsonl", sd.stance_rows())
    return AnnotationSet(ann, corpus)


def write_dataset_dir(ann: AnnotationSet, out: Path, card: bool = True) -> Path:
    """The dataset directory as `bench build-dataset` writes it (card: YAML header only)."""
    rows = build_rows(load_annotations(ann.ann, ann.corpus))
    for name in CONFIGS:
        (out / name).mkdir(parents=True, exist_ok=True)
        write_jsonl(out / name / "test.jsonl", rows[name])
    if card:
        (out / "README.md").write_text(_yaml_header(rows), encoding="utf-8")
        write_parquet(out, rows)
    return out


@pytest.fixture
def synth_ann(tmp_path) -> AnnotationSet:
    """A fresh, valid annotation set (annotations/ + corpus/) that a test may corrupt."""
    return write_annotation_set(tmp_path / "src")


@pytest.fixture(scope="session")
def synth_dataset(tmp_path_factory) -> Path:
    """Session-wide dataset directory built from the synthetic gold: treat as read-only."""
    root = tmp_path_factory.mktemp("synth")
    return write_dataset_dir(write_annotation_set(root / "src"), root / "dataset")


@pytest.fixture(scope="session")
def synth_corpus(synth_dataset):
    from bench.corpus import load_dataset_dir

    return load_dataset_dir(synth_dataset)


@pytest.fixture
def llm_cache(tmp_path, monkeypatch):
    """An empty project cache folder (the openai family's response cache lives there); no API key."""
    monkeypatch.setenv("KURSK_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    return tmp_path / "cache"
