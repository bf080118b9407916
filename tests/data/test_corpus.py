import json
import re
import shutil

import pytest

from bench.corpus import DATA_FILES, fingerprint, load_annotations, load_dataset_dir
from bench.io import DataError
from bench.types import Entity, Evidence, Stance, Timex
from tests import fixtures as sd


def test_load_annotations_reads_every_layer(synth_ann):
    corpus = load_annotations(synth_ann.ann, synth_ann.corpus)
    assert [d.doc_id for d in corpus.documents] == ["doc000", "doc001", "doc002"]
    assert corpus.documents[0].text == sd.TEXTS["doc000"] and corpus.documents[0].dct == "2024-05-05"
    assert [c.claim_id for c in corpus.claims] == ["C01", "C02"]
    g0 = corpus.gold[0]
    assert g0.entities[1] == Entity(8, 20, "PERSON", "Marie Durand", "marie-durand")
    assert g0.timexes == (Timex(60, 70, "DATE", "2024-05-05", "5 May 2024"), Timex(133, 143, "DURATION", "P3D", "three days"))
    assert g0.stances[0] == Stance("C01", "refute", (
        Evidence(72, 119, "marie-durand", "denies", "She said the plant’s closure was “not planned”."),))
    assert [len(g.entities) for g in corpus.gold] == [4, 3, 1]
    assert [len(g.stances) for g in corpus.gold] == [2, 2, 2]
    assert corpus.meta[0].sha256 == sd.sha256("doc000") and corpus.meta[0].outlet == "Le Test"
    assert re.fullmatch(r"sha256:[0-9a-f]{16}", corpus.fingerprint)


def test_load_annotations_refuses_invalid_gold(synth_ann):
    (synth_ann.corpus / "000_alpha.txt").write_text("changed", encoding="utf-8")
    with pytest.raises(DataError, match=r"problem\(s\) in .*annotations; first: .*sha256 mismatch"):
        load_annotations(synth_ann.ann, synth_ann.corpus)


def test_dataset_dir_holds_the_same_gold_as_the_source(synth_ann, synth_dataset):
    src = load_annotations(synth_ann.ann, synth_ann.corpus)
    ds = load_dataset_dir(synth_dataset)
    assert ds.documents == src.documents
    assert ds.gold == src.gold
    assert ds.claims == src.claims
    assert ds.meta == src.meta
    assert ds.fingerprint == fingerprint(synth_dataset)


def test_fingerprint_is_stable_and_tracks_data_files(synth_dataset, tmp_path):
    copy = tmp_path / "ds"
    shutil.copytree(synth_dataset, copy)
    assert fingerprint(copy) == fingerprint(synth_dataset)  # depends on content, not location
    (copy / "README.md").write_text("another card", encoding="utf-8")
    assert fingerprint(copy) == fingerprint(synth_dataset)  # the card is not data
    stance = copy / "stance/test.jsonl"
    stance.write_text(stance.read_text(encoding="utf-8").replace('"support"', '"discuss"'), encoding="utf-8")
    assert fingerprint(copy) != fingerprint(synth_dataset)


@pytest.mark.parametrize("rel", DATA_FILES)
def test_missing_data_file_is_a_clear_error(synth_dataset, tmp_path, rel):
    copy = tmp_path / "ds"
    shutil.copytree(synth_dataset, copy)
    (copy / rel).unlink()
    with pytest.raises(DataError, match=f"not a dataset directory in this package's format: missing {rel}"):
        load_dataset_dir(copy)


def test_duplicate_document_and_unknown_stance_document(synth_dataset, tmp_path):
    copy = tmp_path / "ds"
    shutil.copytree(synth_dataset, copy)
    docs = copy / "documents/test.jsonl"
    lines = docs.read_text(encoding="utf-8").splitlines(keepends=True)
    docs.write_text("".join(lines + lines[:1]), encoding="utf-8")
    with pytest.raises(DataError, match=r"documents/test\.jsonl:4: duplicate doc_id 'doc000'"):
        load_dataset_dir(copy)
    docs.write_text("".join(lines[:2]), encoding="utf-8")  # doc002 gone, its stances remain
    with pytest.raises(DataError, match=r"stance/test\.jsonl:5: unknown doc_id 'doc002'"):
        load_dataset_dir(copy)


def test_user_dataset_with_minimal_fields(tmp_path):
    """Users may score their own corpora: only doc_id/text, claims and stances are needed."""
    for rel, rows in {
        "documents/test.jsonl": [{"doc_id": "a", "text": "Oslo is cold."}],
        "claims/test.jsonl": [{"claim_id": "C01", "text": "Oslo is warm."}],
        "stance/test.jsonl": [{"doc_id": "a", "claim_id": "C01", "label": "refute",
                               "evidence": [{"start": 0, "end": 13, "holder": "author", "polarity": "asserts",
                                             "text": "Oslo is cold."}]}],
    }.items():
        (tmp_path / rel).parent.mkdir(parents=True)
        (tmp_path / rel).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    corpus = load_dataset_dir(tmp_path)
    assert corpus.gold[0].entities == () and corpus.gold[0].timexes == ()
    assert corpus.gold[0].stances[0].label == "refute"
    assert corpus.documents[0].dct is None and corpus.meta[0].file == ""


@pytest.mark.parametrize("rel, old, new, message", [
    ("claims/test.jsonl", '"C02"', '"C01"', r"claims/test\.jsonl:2: duplicate claim_id 'C01'"),
    ("claims/test.jsonl", '"text": "Talks', '"txt": "Talks', r"claims/test\.jsonl:2: missing field 'text'"),
    ("stance/test.jsonl", '"claim_id": "C02"', '"claim_id": "C09"', r"stance/test\.jsonl:2: unknown claim_id 'C09'"),
    ("stance/test.jsonl", '"label": "support"', '"label": "agree"', r"stance/test\.jsonl:2: unknown stance label 'agree'"),
    ("stance/test.jsonl", '"claim_id": "C02"', '"claim_id": "C01"',
     r"stance/test\.jsonl:2: duplicate stance for \(doc000, C01\)"),
])
def test_hand_made_dataset_errors_name_the_line(synth_dataset, tmp_path, rel, old, new, message):
    """A user's dataset directory skips `bench validate`: what the scorers cannot take is a DataError."""
    copy = tmp_path / "ds"
    shutil.copytree(synth_dataset, copy)
    path = copy / rel
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError, match=message):
        load_dataset_dir(copy)


def _edit_line(path, n: int, change) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    obj = json.loads(lines[n])
    change(obj)
    lines[n] = json.dumps(obj, ensure_ascii=False) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def _first_entity(o):
    return o["entities"][0]


@pytest.mark.parametrize("rel, line, change, message", [
    ("documents/test.jsonl", 0, lambda o: _first_entity(o).update(label="PERSONA"), r"unknown entity label 'PERSONA'"),
    ("documents/test.jsonl", 0, lambda o: o["timexes"][0].update(value="2024-02-31"), r"malformed TIMEX3 value"),
    ("documents/test.jsonl", 0, lambda o: o["entities"].append(dict(_first_entity(o), label="ORG")),
     r"entity span \[\d+, \d+\) overlaps"),
    ("stance/test.jsonl", 0, lambda o: o["evidence"][0].update(start=10 ** 9, end=10 ** 9 + 5),
     r"evidence\[0\]: offsets \[1000000000, 1000000005\) out of range"),
    ("documents/test.jsonl", 0, lambda o: o.update(sha256="0" * 64), r"doc000: sha256 000000000000\.\.\. does not match"),
    ("documents/test.jsonl", 0, lambda o: o.update(dct="2025-13-45"), r"field 'dct' must be a real date"),
])
def test_a_dataset_passed_with_dataset_meets_the_rules_of_validate(synth_dataset, tmp_path, rel, line, change, message):
    """The reliability issue: bad gold in --dataset folders used to shift scores silently."""
    copy = tmp_path / "ds"
    shutil.copytree(synth_dataset, copy)
    _edit_line(copy / rel, line, change)
    with pytest.raises(DataError, match=message):
        load_dataset_dir(copy)


def test_a_missing_stance_pair_is_refused(synth_dataset, tmp_path):
    copy = tmp_path / "ds"
    shutil.copytree(synth_dataset, copy)
    path = copy / "stance/test.jsonl"
    path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[1:]), encoding="utf-8")
    with pytest.raises(DataError, match=r"doc000: no stance for claim\(s\) C01 \(every pair needs one\)"):
        load_dataset_dir(copy)
