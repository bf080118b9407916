from bench.bio import bio_tags, sentence_rows, split_at
from bench.types import Entity


def test_split_at_cuts_tokens_only_inside():
    assert split_at([(0, 5), (6, 10)], {2, 6, 10, 8}) == [(0, 2), (2, 5), (6, 8), (8, 10)]
    assert split_at([(0, 5)], set()) == [(0, 5)]


def test_bio_tags_begin_inside_outside():
    tokens = [(0, 5), (6, 11), (12, 15), (16, 20)]
    spans = [Entity(0, 11, "PERSON", "Marie Curie"), Entity(16, 20, "GPE", "Oslo")]
    assert bio_tags(tokens, spans, lambda lab: lab) == ["B-PERSON", "I-PERSON", "O", "B-GPE"]
    assert bio_tags(tokens, spans, lambda lab: {"PERSON": "PER"}.get(lab, "LOC")) == ["B-PER", "I-PER", "O", "B-LOC"]


def test_adjacent_entities_each_start_with_b():
    tokens = [(0, 3), (4, 7)]
    spans = [Entity(0, 3, "ORG", "ABC"), Entity(4, 7, "ORG", "XYZ")]
    assert bio_tags(tokens, spans, str) == ["B-ORG", "B-ORG"]


def test_sentence_rows_split_tokens_at_entity_boundaries():
    text = "Pro-Kremlin media in Kyiv’s east. Renault left."
    ents = [Entity(4, 11, "PERSON", "Kremlin"), Entity(21, 25, "GPE", "Kyiv"), Entity(34, 41, "ORG", "Renault")]
    rows = sentence_rows("d1", text, ents)
    assert [r["id"] for r in rows] == ["d1-s000", "d1-s001"]
    first, second = rows
    assert first["tokens"] == ["Pro", "-", "Kremlin", "media", "in", "Kyiv", "’", "s", "east", "."]
    assert first["ner_tags"] == ["O", "O", "B-PERSON", "O", "O", "B-GPE", "O", "O", "O", "O"]
    assert first["conll_ner_tags"] == ["O", "O", "B-PER", "O", "O", "B-LOC", "O", "O", "O", "O"]
    assert (first["start"], first["end"], second["start"], second["end"]) == (0, 33, 34, 47)
    assert second["tokens"] == ["Renault", "left", "."] and second["ner_tags"] == ["B-ORG", "O", "O"]
    for r in rows:
        assert [text[s:e] for s, e in zip(r["token_starts"], r["token_ends"])] == r["tokens"]


def test_entity_inside_a_word_forces_a_token_split():
    text = "Frenchmen arrived."
    rows = sentence_rows("d", text, [Entity(0, 6, "NORP", "French")])
    assert rows[0]["tokens"][:2] == ["French", "men"]
    assert rows[0]["ner_tags"][:2] == ["B-NORP", "O"]


def test_multi_token_entity_with_non_ascii():
    text = "— Café Zürich opened."
    rows = sentence_rows("d", text, [Entity(2, 13, "FAC", "Café Zürich")])
    assert rows[0]["tokens"] == ["—", "Café", "Zürich", "opened", "."]
    assert rows[0]["ner_tags"] == ["O", "B-FAC", "I-FAC", "O", "O"]
    assert rows[0]["conll_ner_tags"] == ["O", "B-LOC", "I-LOC", "O", "O"]
