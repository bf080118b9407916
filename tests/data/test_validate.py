import json

import pytest
from typer.testing import CliRunner

from bench.cli import app
from bench.validate import check_annotations


def edit(ann, name, lineno, fn):
    """Apply fn to the object on a 1-based line of an annotation file (fn may return a raw string)."""
    lines = ann.lines(name)
    new = fn(json.loads(lines[lineno - 1]))
    lines[lineno - 1] = (new if isinstance(new, str) else json.dumps(new, ensure_ascii=False)) + "\n"
    ann.write_lines(name, lines)


def append(ann, name, obj):
    ann.write_lines(name, ann.lines(name) + [json.dumps(obj, ensure_ascii=False) + "\n"])


def problems(ann):
    return check_annotations(ann.ann, ann.corpus)


def only(ann):
    found = problems(ann)
    assert len(found) == 1, found
    return found[0]


def run_cli(ann):
    return CliRunner().invoke(app, ["validate", "--annotations", str(ann.ann), "--corpus", str(ann.corpus)])


def test_valid_fixture_passes(synth_ann):
    assert problems(synth_ann) == []
    result = run_cli(synth_ann)
    assert result.exit_code == 0, result.output
    assert "annotations valid" in result.stdout


def test_offsets_out_of_range(synth_ann):
    edit(synth_ann, "entities.jsonl", 8, lambda o: {**o, "end": 999})
    assert only(synth_ann).endswith("entities.jsonl:8: offsets [34, 999) out of range for a document of 42 characters")


def test_empty_span_is_out_of_range(synth_ann):
    edit(synth_ann, "timex.jsonl", 1, lambda o: {**o, "end": o["start"]})
    assert "timex.jsonl:1: offsets [60, 60) out of range" in only(synth_ann)


def test_surface_text_must_match_code_point_offsets(synth_ann):
    # "—" before the name is one code point but three UTF-8 bytes: the gold offsets are 8..20
    edit(synth_ann, "entities.jsonl", 2, lambda o: {**o, "text": "Marie Dupont"})
    assert only(synth_ann).endswith(
        "entities.jsonl:2: text 'Marie Dupont' does not match document text 'Marie Durand' at [8, 20)")


def test_byte_offsets_are_rejected(synth_ann):
    edit(synth_ann, "entities.jsonl", 2, lambda o: {**o, "start": 10, "end": 22})
    assert "entities.jsonl:2: text 'Marie Durand' does not match document text 'rie Durand m'" in only(synth_ann)


def test_overlapping_entities(synth_ann):
    append(synth_ann, "entities.jsonl", {"doc_id": "doc000", "start": 8, "end": 13, "label": "PERSON",
                                         "entity_id": "marie-durand", "text": "Marie"})
    msg = only(synth_ann)
    assert "entities.jsonl:2: entity span [8, 20) overlaps [8, 13) at" in msg and msg.endswith("entities.jsonl:9")


def test_overlapping_timexes(synth_ann):
    append(synth_ann, "timex.jsonl", {"doc_id": "doc000", "start": 62, "end": 70, "type": "DATE",
                                      "value": "2024-05", "text": "May 2024"})
    msg = only(synth_ann)
    assert "timex.jsonl:5: timex span [62, 70) overlaps [60, 70) at" in msg and msg.endswith("timex.jsonl:1")


def test_overlaps_are_per_document(synth_ann):
    # [0, 4) in doc001 overlaps the offsets of "PARIS" [0, 5) in doc000, which is fine
    append(synth_ann, "entities.jsonl", {"doc_id": "doc001", "start": 0, "end": 4, "label": "FAC",
                                         "entity_id": "lyon", "text": "Café"})
    found = problems(synth_ann)  # the appended line is out of order, nothing else
    assert len(found) == 1 and found[0].endswith("line out of order (sort by doc_id, start, end)"), found


def test_unknown_entity_label(synth_ann):
    edit(synth_ann, "entities.jsonl", 3, lambda o: {**o, "label": "COMPANY"})
    assert "entities.jsonl:3: unknown entity label 'COMPANY'; expected one of PERSON, NORP" in only(synth_ann)


def test_unknown_timex_type(synth_ann):
    edit(synth_ann, "timex.jsonl", 1, lambda o: {**o, "type": "DAY"})
    assert "timex.jsonl:1: unknown timex type 'DAY'; expected one of DATE, TIME, DURATION, SET" in only(synth_ann)


def test_malformed_timex_value(synth_ann):
    edit(synth_ann, "timex.jsonl", 2, lambda o: {**o, "value": "3 days"})
    assert only(synth_ann).endswith("timex.jsonl:2: malformed TIMEX3 value '3 days' for type DURATION")


def test_value_of_the_wrong_type(synth_ann):
    edit(synth_ann, "timex.jsonl", 2, lambda o: {**o, "type": "DATE"})  # P3D is not a DATE value
    assert "timex.jsonl:2: malformed TIMEX3 value 'P3D' for type DATE" in only(synth_ann)


def test_evidence_on_unrelated_pair(synth_ann):
    ev = {"start": 0, "end": 4, "holder": "author", "polarity": "asserts", "text": "Café"}
    edit(synth_ann, "stances.jsonl", 4, lambda o: {**o, "evidence": [ev]})
    assert only(synth_ann).endswith("stances.jsonl:4: (doc001, C02) is unrelated but has evidence")


def test_related_pair_without_evidence(synth_ann):
    edit(synth_ann, "stances.jsonl", 1, lambda o: {**o, "evidence": []})
    assert only(synth_ann).endswith("stances.jsonl:1: (doc000, C01) is refute but has no evidence")


def test_missing_pair(synth_ann):
    synth_ann.write_lines("stances.jsonl", synth_ann.lines("stances.jsonl")[:-1])
    assert only(synth_ann).endswith("stances.jsonl: missing stance for pair (doc002, C02)")


def test_duplicate_pair(synth_ann):
    synth_ann.write_lines("stances.jsonl", synth_ann.lines("stances.jsonl") + synth_ann.lines("stances.jsonl")[:1])
    assert only(synth_ann).endswith("stances.jsonl:7: duplicate stance for (doc000, C01)")


def test_lines_out_of_order(synth_ann):
    lines = synth_ann.lines("timex.jsonl")
    synth_ann.write_lines("timex.jsonl", [lines[1], lines[0]] + lines[2:])
    assert only(synth_ann).endswith("timex.jsonl:2: line out of order (sort by doc_id, start, end)")


def test_unknown_claim_id(synth_ann):
    edit(synth_ann, "stances.jsonl", 5, lambda o: {**o, "claim_id": "C09"})
    found = problems(synth_ann)
    assert any(p.endswith("stances.jsonl:5: unknown claim_id 'C09'") for p in found), found
    assert any(p.endswith("missing stance for pair (doc002, C01)") for p in found), found


def test_unknown_stance_label_and_polarity(synth_ann):
    edit(synth_ann, "stances.jsonl", 2, lambda o: {**o, "label": "agree"})
    edit(synth_ann, "stances.jsonl", 1, lambda o: {**o, "evidence": [{**o["evidence"][0], "polarity": "says"}]})
    found = problems(synth_ann)
    assert len(found) == 2, found
    assert "stances.jsonl:1 evidence[0]: unknown polarity 'says'; expected one of asserts, denies, doubts" in found[0]
    assert "stances.jsonl:2: unknown stance label 'agree'" in found[1]


def test_evidence_text_must_match(synth_ann):
    edit(synth_ann, "stances.jsonl", 2, lambda o: {**o, "evidence": [{**o["evidence"][0], "text": "Talks."}]})
    assert "stances.jsonl:2 evidence[0]: text 'Talks.' does not match document text 'Talks lasted three days.'" \
        in only(synth_ann)


def test_unknown_entity_id_on_mention(synth_ann):
    edit(synth_ann, "entities.jsonl", 5, lambda o: {**o, "entity_id": "lyons"})
    assert only(synth_ann).endswith("entities.jsonl:5: unknown entity_id 'lyons' (not in entities_kb.jsonl)")


def test_unknown_holder(synth_ann):
    edit(synth_ann, "stances.jsonl", 1, lambda o: {**o, "evidence": [{**o["evidence"][0], "holder": "marie"}]})
    assert only(synth_ann).endswith(
        "stances.jsonl:1 evidence[0]: unknown holder 'marie' (not 'author' nor in entities_kb.jsonl)")


def test_unknown_doc_id(synth_ann):
    edit(synth_ann, "timex.jsonl", 3, lambda o: {**o, "doc_id": "doc009"})
    assert only(synth_ann).endswith("timex.jsonl:3: unknown doc_id 'doc009'")


def test_corpus_sha256_mismatch(synth_ann):
    path = synth_ann.corpus / "000_alpha.txt"
    data = path.read_bytes()
    path.write_bytes(data.replace(b"officials", b"officiale"))  # same length, no annotated span touched
    msg = only(synth_ann)
    assert "documents.jsonl:1: sha256 mismatch for" in msg and "000_alpha.txt" in msg


def test_missing_corpus_file(synth_ann):
    (synth_ann.corpus / "002_gamma.txt").unlink()
    found = problems(synth_ann)
    assert "documents.jsonl:3: corpus file" in found[0] and found[0].endswith("002_gamma.txt is missing")
    # the document's annotations can no longer be checked: each is named, nothing crashes
    assert any(p.endswith("entities.jsonl:8: unknown doc_id 'doc002'") for p in found)


def test_invalid_json_line_names_file_and_line(synth_ann):
    edit(synth_ann, "timex.jsonl", 3, lambda o: "{oops")
    assert "timex.jsonl:3: invalid JSON" in only(synth_ann)


def test_missing_field_names_file_and_line(synth_ann):
    edit(synth_ann, "entities.jsonl", 4, lambda o: {k: v for k, v in o.items() if k != "label"})
    assert only(synth_ann).endswith("entities.jsonl:4: missing field 'label'")


def test_missing_annotation_file(synth_ann):
    synth_ann.path("timex.jsonl").unlink()
    assert only(synth_ann).endswith("missing annotation file(s): timex.jsonl")


def test_documents_claims_and_kb_checks(synth_ann):
    edit(synth_ann, "documents.jsonl", 2, lambda o: {**o, "dct": "7 May 2024"})
    edit(synth_ann, "claims.jsonl", 2, lambda o: {**o, "claim_id": "claim-2"})
    append(synth_ann, "claims.jsonl", {"claim_id": "C01", "text": "again"})
    edit(synth_ann, "entities_kb.jsonl", 1, lambda o: {**o, "label": "NATIONALITY"})
    edit(synth_ann, "entities_kb.jsonl", 2, lambda o: {**o, "entity_id": "Lisbon City"})
    found = "\n".join(problems(synth_ann))
    assert "documents.jsonl:2: dct '7 May 2024' is not a real date YYYY-MM-DD" in found
    assert "claims.jsonl:2: claim_id 'claim-2' is not of the form C01" in found
    assert "claims.jsonl:3: duplicate claim_id 'C01'" in found
    assert "entities_kb.jsonl:1: unknown label 'NATIONALITY'" in found
    assert "entities_kb.jsonl:2: entity_id 'Lisbon City' is not a lower-case slug" in found


@pytest.mark.parametrize("corrupt", [
    lambda a: edit(a, "entities.jsonl", 8, lambda o: {**o, "end": 999}),
    lambda a: edit(a, "stances.jsonl", 1, lambda o: {**o, "evidence": []}),
    lambda a: (a.corpus / "001_beta.txt").write_text("changed", encoding="utf-8"),
    lambda a: edit(a, "claims.jsonl", 1, lambda o: "not json"),
])
def test_cli_exits_non_zero_and_prints_each_problem(synth_ann, corrupt):
    corrupt(synth_ann)
    expected = problems(synth_ann)
    assert expected
    result = run_cli(synth_ann)
    assert result.exit_code == 1
    for p in expected:
        assert p in result.stderr
    assert f"error: {len(expected)} problem(s) found" in result.stderr
    assert "annotations valid" not in result.stdout


def test_corpus_file_that_is_not_utf8_is_reported_not_raised(synth_ann):
    (synth_ann.corpus / "002_gamma.txt").write_bytes(b"A short note \xff\n")
    found = problems(synth_ann)
    assert found[0].endswith("documents.jsonl:3: sha256 mismatch for " + str(synth_ann.corpus / "002_gamma.txt")
                             + ": the corpus file differs from the annotated one")
    assert found[1].endswith("002_gamma.txt is not valid UTF-8 (byte 13)")
    result = run_cli(synth_ann)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # no traceback


@pytest.mark.parametrize("dct", ["2025-13-45", "2025-02-31", "2025-04-29T25:00"])
def test_impossible_calendar_dates_are_refused(synth_ann, dct):
    lines = synth_ann.lines("documents.jsonl")
    row = json.loads(lines[0])
    row["dct"] = dct
    synth_ann.write_lines("documents.jsonl", [json.dumps(row) + "\n"] + lines[1:])
    assert any(f"dct {dct!r} is not a real date" in p for p in check_annotations(synth_ann.ann, synth_ann.corpus))


@pytest.mark.parametrize("name", ["/etc/hostname", "../../etc/hostname", "a/../../x.txt", "C:\\x.txt"])
def test_a_document_file_outside_the_corpus_is_refused_unread(synth_ann, name):
    lines = synth_ann.lines("documents.jsonl")
    row = json.loads(lines[0])
    row["file"] = name
    synth_ann.write_lines("documents.jsonl", [json.dumps(row) + "\n"] + lines[1:])
    found = check_annotations(synth_ann.ann, synth_ann.corpus)
    assert any(f"file {name!r} must be a relative path inside the corpus directory" in p for p in found)
    assert not any("sha256" in p and "doc000" in p for p in found)  # never read
