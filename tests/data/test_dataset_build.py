import json
import re

import pytest

from bench import dataset_build as db
from bench.corpus import load_annotations
from bench.io import DataError
from bench.types import Entity
from tests import fixtures as sd


@pytest.fixture
def gold(synth_ann):
    return load_annotations(synth_ann.ann, synth_ann.corpus)


def test_build_rows_counts_per_config(gold):
    rows = db.build_rows(gold)
    assert set(rows) == set(db.CONFIGS)
    # doc000 has 3 sentences (the “not planned”. quote ends one), doc001 2, doc002 1
    assert {k: len(v) for k, v in rows.items()} == {"documents": 3, "ner": 6, "timex": 4, "claims": 2, "stance": 6}
    assert [r["id"] for r in rows["ner"]][:4] == ["doc000-s000", "doc000-s001", "doc000-s002", "doc001-s000"]
    assert [r["label"] for r in rows["stance"]] == ["refute", "support", "discuss", "unrelated", "unrelated", "unrelated"]
    assert rows["stance"][0]["claim"] == "Renault will close its plant."
    assert rows["timex"][2] == {"doc_id": "doc001", "dct": "2024-05-07", "start": 30, "end": 36, "type": "DATE",
                                "value": "2024-05-06", "text": "Monday"}
    assert rows["documents"][0]["entities"][0] == {"start": 0, "end": 5, "label": "GPE", "entity_id": "paris",
                                                   "text": "PARIS"}


def test_bio_tags_match_the_entities(gold):
    rows = db.build_rows(gold)
    first = rows["ner"][0]
    assert first["tokens"][:4] == ["PARIS", "—", "Marie", "Durand"]
    assert first["token_starts"][:4] == [0, 6, 8, 14]  # code points: "—" is one
    assert first["ner_tags"] == ["B-GPE", "O", "B-PERSON", "I-PERSON", "O", "O", "O", "B-ORG", "O", "B-GPE",
                                 "O", "O", "O", "O", "O"]
    assert first["conll_ner_tags"][:4] == ["B-LOC", "O", "B-PER", "I-PER"]
    # every gold entity is exactly one B- run whose tokens rebuild its text
    for doc, g in zip(gold.documents, gold.gold):
        spans = []
        for r in (r for r in rows["ner"] if r["doc_id"] == doc.doc_id):
            for i, tag in enumerate(r["ner_tags"]):
                if tag.startswith("B-"):
                    j = i + 1
                    while j < len(r["ner_tags"]) and r["ner_tags"][j] == "I-" + tag[2:]:
                        j += 1
                    spans.append((r["token_starts"][i], r["token_ends"][j - 1], tag[2:]))
        assert spans == [(e.start, e.end, e.label) for e in g.entities]


def test_entity_across_a_sentence_boundary_is_refused(gold):
    doc0 = gold.documents[0]
    start = doc0.text.index("2024.")
    bad = gold.gold[0].__class__(doc0.doc_id, (Entity(start, start + 9, "EVENT", doc0.text[start:start + 9]),), (), ())
    broken = gold.__class__(gold.documents[:1], (bad,), gold.claims, gold.fingerprint, gold.meta[:1])
    with pytest.raises(DataError, match="doc000: 1 entity span\\(s\\) cross a sentence boundary"):
        db.build_rows(broken)


def test_yaml_header_declares_every_config(gold):
    import yaml

    text = db._yaml_header(db.build_rows(gold))
    assert text.startswith("---\n") and text.endswith("---\n")
    meta = yaml.safe_load(text.strip("-\n"))
    assert [c["config_name"] for c in meta["configs"]] == list(db.CONFIGS)
    rows = db.build_rows(gold)
    assert meta["configs"][1]["data_files"] == [{"split": "test", "path": db.parquet_path("ner", rows["ner"])}]
    assert re.fullmatch(r"ner/test-[0-9a-f]{12}\.parquet", db.parquet_path("ner", rows["ner"]))
    assert [i["features"] for i in meta["dataset_info"]] == [db.FEATURES[c] for c in db.CONFIGS]


def test_bio_label_names():
    assert db._bio(("PER", "ORG")) == ["O", "B-PER", "I-PER", "B-ORG", "I-ORG"]


def test_render_card_fills_placeholders(gold, tmp_path, monkeypatch):
    (tmp_path / "card.md").write_text("{n_documents} docs, {n_entities} entities, {n_pairs} pairs, "
                                      "{n_related} related, kappa {stance_kappa}, v{version}\n", encoding="utf-8")
    (tmp_path / "report.json").write_text(json.dumps({"figures": {"stance_kappa": 0.5, "n_pairs_a": 6}}),
                                          encoding="utf-8")
    monkeypatch.setattr(db, "CARD_TEMPLATE", tmp_path / "card.md")
    monkeypatch.setattr(db, "AGREEMENT_JSON", tmp_path / "report.json")
    card = db.render_card(gold, db.build_rows(gold))
    assert card.endswith("---\n3 docs, 8 entities, 6 pairs, 3 related, kappa 0.500, v0.1.0\n")
    (tmp_path / "card.md").write_text("{nonsense}", encoding="utf-8")
    with pytest.raises(DataError, match="unknown placeholder 'nonsense'"):
        db.render_card(gold, db.build_rows(gold))
    monkeypatch.setattr(db, "AGREEMENT_JSON", tmp_path / "absent.json")
    with pytest.raises(DataError, match="run `bench agreement` first"):
        db.render_card(gold, db.build_rows(gold))


def test_build_then_check_reports_stale_files(synth_ann, tmp_path):
    out = tmp_path / "ds"
    written = db.build(out, synth_ann.ann, synth_ann.corpus, "Synthetic corpus")
    parquet = {c: next((out / c).glob("*.parquet")).name for c in db.CONFIGS}
    assert written == sorted(["MANIFEST.json", "README.md"] + [f"{c}/test.jsonl" for c in db.CONFIGS]
                             + [f"{c}/{parquet[c]}" for c in db.CONFIGS])
    card = (out / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\n") and "# Synthetic corpus" in card and "3 documents, 8 entity" in card
    assert db.stale_files(out, synth_ann.ann, synth_ann.corpus, "Synthetic corpus") == []
    (out / "ner/test.jsonl").unlink()
    stance = out / "stance/test.jsonl"
    stance.write_text(stance.read_text(encoding="utf-8").replace("refute", "support"), encoding="utf-8")
    assert db.stale_files(out, synth_ann.ann, synth_ann.corpus, "Synthetic corpus") == [
        "ner/test.jsonl", "stance/test.jsonl"]  # the manifest still describes a fresh build
    import pyarrow as pa
    import pyarrow.parquet as pq

    # a parquet file whose content (not bytes) differs is stale too
    claims = out / "claims" / parquet["claims"]
    table = pq.read_table(claims)
    pq.write_table(table.set_column(1, "text", pa.array(["changed"] * table.num_rows)), claims)
    assert f"claims/{parquet['claims']}" in db.stale_files(out, synth_ann.ann, synth_ann.corpus, "Synthetic corpus")
    # so is a Parquet file an older build left behind
    (out / "ner" / "test.parquet").write_bytes(b"old")
    assert "ner/test.parquet" in db.stale_files(out, synth_ann.ann, synth_ann.corpus, "Synthetic corpus")


def test_built_directory_matches_the_test_fixture(synth_ann, synth_dataset, tmp_path):
    """conftest writes the data files with build_rows as build() does: same bytes."""
    db.build(tmp_path / "ds", synth_ann.ann, synth_ann.corpus, "x")
    for config in db.CONFIGS:
        rel = f"{config}/test.jsonl"
        assert (tmp_path / "ds" / rel).read_bytes() == (synth_dataset / rel).read_bytes(), rel


def test_datasets_loads_every_config_offline(synth_dataset, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf" / "datasets"))
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True, raising=False)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf" / "datasets", raising=False)
    expected_rows = {"documents": 3, "ner": 6, "timex": 4, "claims": 2, "stance": 6}
    for config in db.CONFIGS:
        ds = datasets.load_dataset(str(synth_dataset), config, split="test",
                                   cache_dir=str(tmp_path / "hf" / "datasets"))
        declared = datasets.Features._from_yaml_list(db.FEATURES[config])
        assert ds.features == declared, config
        assert len(ds) == expected_rows[config]
        if config == "ner":
            names = ds.features["ner_tags"].feature.names
            assert [names[i] for i in ds[0]["ner_tags"][:4]] == ["B-GPE", "O", "B-PERSON", "I-PERSON"]
        if config == "stance":
            assert ds.features["label"].int2str(ds[0]["label"]) == "refute"
            assert ds[0]["evidence"][0]["text"] == sd.stance_rows()[0]["evidence"][0]["text"]
        if config == "documents":
            assert ds[0]["text"] == sd.TEXTS["doc000"]


def test_datasets_keeps_dct_strings(synth_dataset, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    ds = datasets.load_dataset(str(synth_dataset), "documents", split="test", cache_dir=str(tmp_path / "hfd"))
    assert ds[0]["dct"] == "2024-05-05"


@pytest.mark.parametrize("which", ["kursk-ie-bench", "kursk-ie-bench-heldout"])
def test_committed_dataset_loads_with_declared_features_and_gold_counts(which, tmp_path, monkeypatch):
    """The committed dataset directories, through datasets.load_dataset, against their annotations."""
    datasets = pytest.importorskip("datasets")
    from bench.corpus import BUILTIN_DATASETS, load_annotations

    for var in ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE"):
        monkeypatch.setenv(var, "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    spec = BUILTIN_DATASETS[which]
    root, gold = spec.source_dir, load_annotations(spec.annotations, spec.corpus)
    expected = {
        "documents": len(gold.documents),
        "timex": sum(len(g.timexes) for g in gold.gold),
        "claims": len(gold.claims),
        "stance": len(gold.documents) * len(gold.claims),
        "ner": len(db.build_rows(gold)["ner"]),
    }
    for config in db.CONFIGS:
        ds = datasets.load_dataset(str(root), config, split="test", cache_dir=str(tmp_path / "cache"))
        assert ds.num_rows == expected[config], config
        assert ds.features == db.hf_features(config), config
    ner = datasets.load_dataset(str(root), "ner", split="test", cache_dir=str(tmp_path / "cache"))
    names = ner.features["ner_tags"].feature.names
    n_entities = sum(names[t].startswith("B-") for row in ner["ner_tags"] for t in row)
    assert n_entities == sum(len(g.entities) for g in gold.gold)
    docs = datasets.load_dataset(str(root), "documents", split="test", cache_dir=str(tmp_path / "cache"))
    assert [r["text"] for r in docs] == [d.text for d in gold.documents]  # byte-exact texts
    assert [r["dct"] for r in docs] == [d.dct for d in gold.documents]


def _fresh_hf_cache(tmp_path, monkeypatch) -> str:
    for var in ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE"):
        monkeypatch.setenv(var, "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    return str(tmp_path / "shared-cache")


@pytest.mark.parametrize("order", [("kursk-ie-bench", "kursk-ie-bench-heldout"),
                                   ("kursk-ie-bench-heldout", "kursk-ie-bench")])
def test_builtin_datasets_do_not_share_a_cache_entry(order, tmp_path, monkeypatch):
    """`datasets` keys a local folder's cache by its name and declared data files: each
    built-in dataset must come back as itself from one shared cache, in either order."""
    datasets = pytest.importorskip("datasets")
    from bench.corpus import BUILTIN_DATASETS, load_annotations

    cache = _fresh_hf_cache(tmp_path, monkeypatch)
    for name in order:
        spec = BUILTIN_DATASETS[name]
        expected = [d.doc_id for d in load_annotations(spec.annotations, spec.corpus).documents]
        for config in ("documents", "stance"):
            ds = datasets.load_dataset(str(spec.source_dir), config, split="test", cache_dir=cache)
            assert sorted(set(ds["doc_id"])) == expected, (name, config)


def test_rebuilt_dataset_is_not_served_stale_from_the_cache(synth_ann, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")
    cache = _fresh_hf_cache(tmp_path, monkeypatch)
    out = tmp_path / "synth-ds"
    db.build(out, synth_ann.ann, synth_ann.corpus, "Synth")
    before = datasets.load_dataset(str(out), "claims", split="test", cache_dir=cache)
    lines = synth_ann.lines("claims.jsonl")
    synth_ann.write_lines("claims.jsonl", [lines[0].replace(sd.claims_rows()[0]["text"], "A changed claim.")] + lines[1:])
    db.build(out, synth_ann.ann, synth_ann.corpus, "Synth")
    after = datasets.load_dataset(str(out), "claims", split="test", cache_dir=cache)
    assert before[0]["text"] == sd.claims_rows()[0]["text"]
    assert after[0]["text"] == "A changed claim."
    assert len(list((out / "claims").glob("*.parquet"))) == 1  # the old file is gone


def test_a_dataset_name_is_escaped_in_its_card(synth_ann, tmp_path):
    out = tmp_path / "ds"
    db.build(out, synth_ann.ann, synth_ann.corpus, "Evil <script>alert(1)</script> [x](javascript:y)")
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "<script>" not in card and "&lt;script&gt;" in card
    assert not re.search(r"(?<!\\)\]\(javascript", card)  # the brackets are escaped: no link
