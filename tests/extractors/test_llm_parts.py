"""The openai family's pure parts: alignment, tolerant JSON, item checks, chunks, options, stance merging."""

import pytest

from baselines.llm import align, answers, chunks, options, templates
from baselines.llm.extractor import merge_stances
from bench.extractors import ExtractorError
from bench.types import Claim, Evidence, Stance

TEXT = "Paris said no. In Paris, “talks” went on — and on.\nLater  Paris\tagreed."


def spans(text, items):
    return [p.span for p in align.place(text, items)]


# ---- alignment -------------------------------------------------------------------------

def test_a_string_listed_twice_takes_its_first_two_occurrences_in_order():
    first, second, third = (i for i in range(len(TEXT)) if TEXT.startswith("Paris", i))
    assert spans(TEXT, [("Paris", None), ("Paris", None)]) == [(first, first + 5), (second, second + 5)]
    # listed more often than it occurs: the surplus is unaligned
    placed = align.place(TEXT, [("Paris", None)] * 4)
    assert [p.span for p in placed][:3] == [(first, first + 5), (second, second + 5), (third, third + 5)]
    assert placed[3].span is None


def test_a_string_not_in_the_text_is_unaligned():
    assert spans(TEXT, [("Berlin", None), ("paris", None)]) == [None, None]  # no case folding


def test_context_picks_the_occurrence_it_surrounds():
    third = TEXT.rindex("Paris")
    assert spans(TEXT, [("Paris", "Later Paris agreed")]) == [(third, third + 5)]
    # context that does not match is ignored (and says so): in-order occurrence
    placed = align.place(TEXT, [("Paris", "Rome Paris Rome")])
    assert placed[0].span == (0, 5) and placed[0].context_ignored


def test_context_first_then_in_order_among_what_is_left():
    second = TEXT.index("Paris", 1)
    third = TEXT.rindex("Paris")
    got = spans(TEXT, [("Paris", "Later Paris agreed"), ("Paris", None), ("Paris", None)])
    assert got == [(third, third + 5), (0, 5), (second, second + 5)]


def test_whitespace_quotes_and_dashes_are_tolerated_and_the_span_is_the_documents_slice():
    s, e = spans(TEXT, [('"talks" went on - and on.', None)])[0]
    assert TEXT[s:e] == "“talks” went on — and on."
    s, e = spans(TEXT, [("Later Paris agreed.", None)])[0]  # one space for two, and for a tab
    assert TEXT[s:e] == "Later  Paris\tagreed."
    assert spans(TEXT, [("  Paris  ", None)])[0] == (0, 5)  # surrounding whitespace dropped


def test_regex_characters_in_strings_are_literal():
    text = "C++ (v2.0) costs $5*2?"
    assert spans(text, [("(v2.0)", None), ("$5*2?", None), ("C++", None)]) == [(4, 10), (17, 22), (0, 3)]


def test_offsets_are_code_points_not_bytes():
    text = "Café é Zoë met Zoë."
    s, e = spans(text, [("Zoë", "met Zoë.")])[0]
    assert (s, e) == (15, 18) and text[s:e] == "Zoë"


# ---- tolerant JSON and item checks ------------------------------------------------------

@pytest.mark.parametrize("raw", [
    '{"entities": [{"text": "Paris", "label": "GPE"}]}',
    'Sure! Here you go:\n```json\n{"entities": [{"text": "Paris", "label": "GPE"}]}\n```\nAnything else?',
    '<think>The {"entities": ...} format. Hmm.</think>\n{"entities": [{"text": "Paris", "label": "GPE"}]}',
    'The answer is {"entities": [{"text": "Paris", "label": "gpe", "context": "Paris said"}]} as requested.',
    '[{"text": "Paris", "label": "GPE"}]',
])
def test_json_is_found_in_plain_text(raw):
    parsed = answers.parse(raw, "entities", "entities")
    assert parsed.counts["parse_failures"] == 0 and parsed.counts["invalid_items"] == 0
    assert [(m.text, m.label) for m in parsed.items] == [("Paris", "GPE")]


@pytest.mark.parametrize("raw", [None, "", "no JSON here", '{"entities": [{"text": "Paris", "label": "GPE"}',
                                 '{"other": []}', '{"entities": "Paris"}', "[1, 2", "null"])
def test_malformed_answers_are_parse_failures(raw):
    parsed = answers.parse(raw, "entities", "entities")
    assert parsed.items == [] and parsed.counts["parse_failures"] == 1


def test_invalid_items_are_counted_and_the_rest_kept():
    raw = ('{"timexes": [{"text": "Monday", "type": "DATE", "value": "2024-05-06"},'
           ' {"text": "Tuesday", "type": "DATE", "value": "2024-02-31"},'  # no such day
           ' {"text": "week", "type": "WEEK", "value": "P1W"},'  # no such type
           ' {"text": "", "type": "DATE", "value": "2024"}, "junk", {"type": "SET"}]}')
    parsed = answers.parse(raw, "timex", "timexes")
    assert [(m.text, m.value) for m in parsed.items] == [("Monday", "2024-05-06")]
    assert parsed.counts["invalid_items"] == 5


def test_stance_answers_check_claims_labels_and_evidence():
    raw = ('{"stances": [{"claim_id": "C01", "label": "Support", "evidence": [{"quote": "x", "holder": "author", '
           '"polarity": "asserts"}, {"quote": "y", "holder": "author", "polarity": "maybe"}]},'
           ' {"claim_id": "C01", "label": "refute", "evidence": []},'  # a second answer for C01
           ' {"claim_id": "C99", "label": "refute", "evidence": []},'  # unknown claim
           ' {"claim_id": ["C02"], "label": "refute", "evidence": []}]}')
    parsed = answers.parse(raw, "stance", "stances", ["C01", "C02"])
    assert [(a.claim_id, a.label, len(a.evidence)) for a in parsed.items] == [("C01", "support", 1)]
    assert parsed.counts["invalid_items"] == 4  # one bad quote, three bad claim answers


# ---- chunks --------------------------------------------------------------------------------

def test_a_short_document_is_one_chunk():
    assert chunks.chunks("One. Two.", 100) == [(0, 9)]


def test_long_documents_split_at_sentences_under_the_budget():
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    parts = chunks.chunks(text, 30)
    assert len(parts) > 1
    assert all(chunks.estimate_tokens(text[s:e]) <= 30 for s, e in parts)
    assert all(text[s:e].startswith("Sentence") and text[s:e].endswith(".") for s, e in parts)
    assert " ".join(text[s:e] for s, e in parts) == text  # nothing lost, nothing doubled


def test_a_sentence_over_the_budget_is_a_chunk_of_its_own():
    text = "Short one. " + "X" * 200 + " end. Short two."
    parts = [text[s:e] for s, e in chunks.chunks(text, 20)]
    assert parts == ["Short one.", "X" * 200 + " end.", "Short two."]


# ---- stance merging, options, templates -------------------------------------------------

def test_chunk_stances_merge_by_the_documented_rule():
    claims = [Claim(c, "") for c in ("C1", "C2", "C3", "C4")]
    ev = Evidence(0, 1, "author", "asserts", "x")
    parts = [[Stance("C1", "unrelated"), Stance("C2", "support", (ev,)), Stance("C3", "support")],
             [Stance("C1", "unrelated"), Stance("C2", "unrelated"), Stance("C3", "refute", (ev,))]]
    got = {s.claim_id: (s.label, len(s.evidence)) for s in merge_stances(parts, claims)}
    assert got == {"C1": ("unrelated", 0), "C2": ("support", 1), "C3": ("discuss", 1), "C4": ("unrelated", 0)}


@pytest.mark.parametrize("opts, message", [
    ({"temperature": "hot"}, "option temperature must be a number"),
    ({"temperature": "9"}, "option temperature must be between 0 and 2"),
    ({"max_concurrency": "0"}, "option max_concurrency must be between 1 and 256"),
    ({"tasks": "entities,relations"}, "option tasks must name some of entities, timex, stance"),
    ({"structured": "xml"}, "option structured must be one of auto, json_schema, none"),
    ({"cache": "maybe"}, "option cache must be true or false"),
    ({"base_url": "ftp://x"}, "option base_url must be an http:// or https:// URL"),
    ({"api_key_env": "$(rm -rf)"}, "option api_key_env must be an environment variable's name"),
])
def test_bad_options_are_one_line_errors(opts, message):
    with pytest.raises(ExtractorError, match=message.replace("(", r"\(").replace(")", r"\)")):
        options.settings("m", **opts)


def test_templates_are_versioned_package_data():
    t = templates.load()
    assert t.spec == "kursk-ie@1" and len(t.sha256) == 64
    msgs = t.messages("timex", "On Monday.", "2024-05-07", [])
    assert "2024-05-07" in msgs[1]["content"] and "<<<\nOn Monday.\n>>>" in msgs[1]["content"]
    fmt = t.response_format("stance", [Claim("C1", "x"), Claim("C2", "y")])
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["properties"]["stances"]["items"]["properties"]["claim_id"]["enum"] == ["C1", "C2"]
    with pytest.raises(ExtractorError, match=r"unknown template 'kursk-ie@9'; available: kursk-ie@1"):
        templates.load("kursk-ie@9")
