import pytest

from bench.text import sentences, tokenize


def _sents(text):
    return [text[s:e] for s, e in sentences(text)]


def _toks(text, *args):
    return [text[s:e] for s, e in tokenize(text, *args)]


@pytest.mark.parametrize("text, expected", [
    ("Talks began on Dec. 5 in Kyiv. They ended.", ["Talks began on Dec. 5 in Kyiv.", "They ended."]),
    ("The U.S. Army arrived. Then it left.", ["The U.S. Army arrived.", "Then it left."]),
    ("Mr. Smith met Dr. Jones. J. R. Tolkien wrote.", ["Mr. Smith met Dr. Jones.", "J. R. Tolkien wrote."]),
    ('He said: "We will win." Then he left.', ['He said: "We will win."', "Then he left."]),
    ("She said “no.” “Why?” he asked.", ["She said “no.”", "“Why?” he asked."]),
    ("He left (quietly.) Then came back.", ["He left (quietly.)", "Then came back."]),
    ("It cost 5 dollars. 2024 was hard.", ["It cost 5 dollars.", "2024 was hard."]),
    ("Was it? yes it was.", ["Was it? yes it was."]),  # lower case after '?' does not start a sentence
    ("e.g. this one. And that.", ["e.g. this one.", "And that."]),
    ("No. 5 is here. Yes!", ["No. 5 is here.", "Yes!"]),
])
def test_sentence_rules(text, expected):
    assert _sents(text) == expected


def test_line_breaks_end_sentences_and_whitespace_is_stripped():
    text = "  Headline without stop\nSecond line. Third!\r\n\n  Fourth?  \n"
    assert _sents(text) == ["Headline without stop", "Second line.", "Third!", "Fourth?"]
    assert sentences(text)[0] == (2, 23)


def test_sentence_offsets_are_code_points():
    text = "Café’s “owner” left. He returned."
    assert sentences(text) == [(0, 20), (21, 33)]
    assert text[21:33] == "He returned."


def test_no_sentences_in_blank_text():
    assert sentences("") == [] and sentences(" \n\t\n") == []


def test_sentences_cover_all_non_space_text_without_overlap():
    text = "A. B. Smith arrived on Jan. 3. Mr. Lee left.\nNext line! Last?"
    spans = sentences(text)
    assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:]))
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == text.replace(" ", "").replace("\n", "")


def test_tokens_are_word_runs_or_single_symbols():
    text = "U.S.-led talks, don’t stop: 5.5% in_2024!"
    assert _toks(text) == ["U", ".", "S", ".", "-", "led", "talks", ",", "don", "’", "t", "stop", ":",
                           "5", ".", "5", "%", "in", "_", "2024", "!"]


def test_tokens_keep_accented_letters_and_use_code_point_offsets():
    text = "— Café Zürich"
    assert tokenize(text) == [(0, 1), (2, 6), (7, 13)]
    assert _toks(text) == ["—", "Café", "Zürich"]


def test_tokenize_window_returns_absolute_offsets():
    text = "one two three four"
    assert tokenize(text, 4, 13) == [(4, 7), (8, 13)]
    assert tokenize(text, 5) == [(5, 7), (8, 13), (14, 18)]


# The rules written out the plain way, character by character (the segmenter before it was
# made faster); the fast one must split every text exactly the same.
def _reference_sentences(text):
    import re

    from bench import text as t

    def is_abbreviation(dot):
        j = dot
        while j > 0 and (text[j - 1].isalnum() or text[j - 1] == "."):
            j -= 1
        word = text[j:dot]
        return word in t._ABBREV or (len(word) == 1 and word.isupper())

    spans = []
    for line in re.finditer(r"[^\n]+", text):
        s = line.start()
        for m in t._BOUNDARY.finditer(text, line.start(), line.end()):
            if text[m.start()] == "." and is_abbreviation(m.start()):
                continue
            spans.append((s, m.end()))
            s = m.end()
        spans.append((s, line.end()))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


_PIECES = list(". !?\n\t\xa0\u2028 USAaxe1_é”’)]“‘([\"'") + ["Mr", "U.S", "Sept", "No", "E.U", "etc", "Jan.", "Gen"]


def test_sentences_equal_the_plain_reference_on_random_text():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=3000, deadline=None, derandomize=True)
    @given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join))
    def check(text):
        assert sentences(text) == _reference_sentences(text)

    check()


def test_sentences_equal_the_plain_reference_on_the_corpus():
    from bench.corpus import load_dataset_dir

    for doc in load_dataset_dir().documents:
        assert sentences(doc.text) == _reference_sentences(doc.text)
