import json

import pytest

from bench.agreement import compute, render_markdown, write_report


def _write(d, name, rows):
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _ent(s, e, label, eid, doc="d1"):
    return {"doc_id": doc, "start": s, "end": e, "label": label, "entity_id": eid, "text": "x" * (e - s)}


def _tmx(doc, s, e, typ, value):
    return {"doc_id": doc, "start": s, "end": e, "type": typ, "value": value, "text": "x" * (e - s)}


def _st(doc, claim, label, *spans):
    return {"doc_id": doc, "claim_id": claim, "label": label,
            "evidence": [{"start": s, "end": e, "holder": "author", "polarity": "asserts", "text": "x" * (e - s)}
                         for s, e in spans]}


@pytest.fixture
def passes(tmp_path):
    a, b = tmp_path / "annotator_a", tmp_path / "annotator_b"
    _write(a, "entities.jsonl", [_ent(0, 5, "GPE", "paris"), _ent(8, 20, "PERSON", "marie"),
                                 _ent(40, 47, "ORG", "renault"), _ent(51, 56, "GPE", "paris")])
    _write(b, "entities.jsonl", [_ent(0, 5, "GPE", "city"), _ent(8, 20, "PERSON", "md"),
                                 _ent(40, 47, "GPE", "renault"), _ent(51, 56, "GPE", "city"),
                                 _ent(60, 70, "EVENT", "x")])
    _write(a, "timex.jsonl", [_tmx("d1", 60, 70, "DATE", "2024-05-05"), _tmx("d1", 133, 143, "DURATION", "P3D"),
                              _tmx("d2", 30, 36, "DATE", "2024-05-06")])
    _write(b, "timex.jsonl", [_tmx("d1", 60, 70, "DATE", "2024-05-05"), _tmx("d1", 133, 138, "DURATION", "P3D"),
                              _tmx("d2", 30, 36, "DATE", "2024-05-07"), _tmx("d2", 50, 60, "SET", "P1W")])
    _write(a, "stances.jsonl", [_st("d1", "C01", "refute", (72, 119)), _st("d1", "C02", "support", (120, 144)),
                                _st("d2", "C01", "unrelated"), _st("d2", "C02", "unrelated")])
    _write(b, "stances.jsonl", [_st("d1", "C01", "refute", (72, 100)), _st("d1", "C02", "discuss", (0, 50)),
                                _st("d2", "C01", "unrelated"), _st("d2", "C02", "support", (0, 10))])
    return a, b


def test_hand_computed_figures(passes):
    f = compute(*passes)["figures"]
    # entities: 4 vs 5 mentions, 3 agree on span+label, 4 on span
    assert f["entity_strict_f1"] == pytest.approx(2 * 3 / 9)
    assert f["entity_span_f1"] == pytest.approx(2 * 4 / 9)
    assert f["entity_id_consistency"] == 1.0  # paris<->city, marie<->md, renault<->renault
    assert (f["n_entities_a"], f["n_entities_b"]) == (4, 5)
    # timex: strict matches (d1,60,70) and (d2,30,36); "three" overlaps "three days"
    assert f["timex_strict_f1"] == pytest.approx(2 * 2 / 7)
    assert f["timex_relaxed_f1"] == pytest.approx(2 * 3 / 7)
    assert f["timex_value_agreement"] == 0.5 and f["timex_type_agreement"] == 1.0
    assert (f["n_timex_a"], f["n_timex_b"], f["n_timex_matched"]) == (3, 4, 2)
    # stance: agree on 2 of 4 pairs; evidence: 1 overlap among 2 + 3 spans
    assert f["stance_raw_agreement"] == 0.5 and f["n_pairs"] == 4
    assert f["evidence_overlap_f1"] == pytest.approx(2 * 1 / 5)


def test_kappa_matches_a_hand_computation(passes):
    """Labels A: refute support unrelated unrelated; B: refute discuss unrelated support.

    p_o = 2/4; marginals A (support, refute, discuss, unrelated) = 1,1,0,2 and B = 1,1,1,1, so
    p_e = (1*1 + 1*1 + 0*1 + 2*1) / 16 = 1/4 and kappa = (1/2 - 1/4) / (1 - 1/4) = 1/3.
    """
    report = compute(*passes)
    assert report["figures"]["stance_kappa"] == pytest.approx(1 / 3)
    cm = report["stance_confusion_a_rows_b_cols"]
    assert cm["refute"]["refute"] == 1 and cm["support"]["discuss"] == 1
    assert cm["unrelated"] == {"support": 1, "refute": 0, "discuss": 0, "unrelated": 1}
    assert sum(v for row in cm.values() for v in row.values()) == 4


def test_identical_passes_agree_perfectly(passes):
    a, _ = passes
    f = compute(a, a)["figures"]
    assert all(f[k] == 1.0 for k in ("entity_strict_f1", "entity_span_f1", "entity_id_consistency",
                                     "timex_strict_f1", "timex_relaxed_f1", "timex_value_agreement",
                                     "stance_kappa", "stance_raw_agreement", "evidence_overlap_f1"))


def test_id_consistency_is_symmetric_and_penalises_merged_referents(passes):
    a, b = passes
    # B gives the same id to all four shared mentions (three referents in A): only the two
    # "paris" mentions could agree, and B's cluster is larger, so no mention is consistent
    _write(b, "entities.jsonl", [_ent(s, e, "GPE", "all") for s, e in ((0, 5), (8, 20), (40, 47), (51, 56))])
    assert compute(a, b)["figures"]["entity_id_consistency"] == 0.0
    assert compute(b, a)["figures"]["entity_id_consistency"] == 0.0
    # B splits A's "paris" into two ids: the two other mentions still agree
    _write(b, "entities.jsonl", [_ent(0, 5, "GPE", "p1"), _ent(8, 20, "PERSON", "m"),
                                 _ent(40, 47, "ORG", "r"), _ent(51, 56, "GPE", "p2")])
    assert compute(a, b)["figures"]["entity_id_consistency"] == 0.5
    assert compute(b, a)["figures"]["entity_id_consistency"] == 0.5


def test_timex_values_are_also_compared_on_overlapping_spans(passes):
    f = compute(*passes)["figures"]
    # overlap matches: (60,70)=(60,70) same value, (133,143)~(133,138) both P3D,
    # (d2,30,36)=(d2,30,36) 2024-05-06 vs 2024-05-07; B's SET has no partner
    assert f["n_timex_overlap_matched"] == 3
    assert f["timex_value_agreement_relaxed"] == pytest.approx(2 / 3)


def test_write_report_files(passes):
    root = passes[0].parent
    report = write_report(root)
    assert json.loads((root / "report.json").read_text(encoding="utf-8")) == report
    md = (root / "report.md").read_text(encoding="utf-8")
    assert md == render_markdown(report)
    # only A and B exist: one column, A vs B, labelled as an upper bound
    assert [c["key"] for c in report["comparisons"]] == ["a_vs_b"]
    assert report["figures"]["a_vs_b_stance_kappa"] == pytest.approx(1 / 3)
    assert "| figure | A vs B (in-house, upper bound) |" in md
    assert "upper bound, not inter-annotator agreement" in md
    assert "| stance Cohen's kappa | 0.333 |" in md
    assert "| timexes (first / second / strict / overlap matches) | 3 / 4 / 2 / 3 |" in md
    assert "| unrelated | 1 | 0 | 0 | 1 |" in md
    assert "independent" not in " ".join(report["passes"]) and "After adjudication" not in md


@pytest.fixture
def four_passes(passes):
    """A and B from `passes`, plus an independent pass and a pre-adjudication gold snapshot.

    The independent pass is A with one entity label changed (ORG -> GPE at 40-47), the
    timex at 133-143 shortened to 133-138, and the d1/C02 label support -> discuss.
    The gold snapshot is A itself.
    """
    a, _ = passes
    ind, gold = a.parent / "independent", a.parent / "gold_before_independent"
    for d in (ind, gold):
        d.mkdir()
        for name in ("entities.jsonl", "timex.jsonl", "stances.jsonl"):
            (d / name).write_text((a / name).read_text(encoding="utf-8"), encoding="utf-8")
    _write(ind, "entities.jsonl", [_ent(0, 5, "GPE", "paris"), _ent(8, 20, "PERSON", "marie"),
                                   _ent(40, 47, "GPE", "renault"), _ent(51, 56, "GPE", "paris")])
    _write(ind, "timex.jsonl", [_tmx("d1", 60, 70, "DATE", "2024-05-05"), _tmx("d1", 133, 138, "DURATION", "P3D"),
                                _tmx("d2", 30, 36, "DATE", "2024-05-06")])
    _write(ind, "stances.jsonl", [_st("d1", "C01", "refute", (72, 119)), _st("d1", "C02", "discuss", (120, 144)),
                                  _st("d2", "C01", "unrelated"), _st("d2", "C02", "unrelated")])
    return a.parent


def test_independent_comparisons_come_first_with_hand_computed_figures(four_passes):
    report = write_report(four_passes)
    assert [c["key"] for c in report["comparisons"]] == [
        "gold_vs_independent", "a_vs_independent", "b_vs_independent", "a_vs_b"]
    f = report["figures"]
    # gold (= A) vs independent: 3 of 4 entities agree on span+label, all 4 on span
    assert f["gold_vs_independent_entity_strict_f1"] == pytest.approx(2 * 3 / 8)
    assert f["gold_vs_independent_entity_span_f1"] == 1.0
    # timex: 2 of 3 spans identical, all 3 overlap, every matched value equal
    assert f["gold_vs_independent_timex_strict_f1"] == pytest.approx(2 * 2 / 6)
    assert f["gold_vs_independent_timex_relaxed_f1"] == 1.0
    assert f["gold_vs_independent_timex_value_agreement"] == 1.0
    # stance labels A: refute support unrelated unrelated; independent: refute discuss unrelated unrelated.
    # p_o = 3/4; marginals A (s, r, d, u) = 1,1,0,2 and I = 0,1,1,2: p_e = (0 + 1 + 0 + 4) / 16 = 5/16,
    # kappa = (3/4 - 5/16) / (1 - 5/16) = 7/11
    assert f["gold_vs_independent_stance_kappa"] == pytest.approx(7 / 11)
    assert report["stance_confusions"]["gold_vs_independent"]["support"]["discuss"] == 1
    assert f["gold_vs_independent_evidence_overlap_f1"] == 1.0
    # B vs independent differs from A vs independent: B's ORG->GPE agrees, its extra EVENT does not
    assert f["b_vs_independent_entity_strict_f1"] == pytest.approx(2 * 4 / 9)
    md = render_markdown(report)
    header = next(line for line in md.splitlines() if line.startswith("| figure |"))
    assert header == ("| figure | gold before adjudication vs independent | A vs independent | B vs independent "
                      "| A vs B (in-house, upper bound) |")
    assert "| entity F1, strict (span + label) | 0.750 | 0.750 | 0.889 | 0.667 |" in md
    # who made each pass is stated, and nobody is called human
    for name in ("independent", "gold_before_independent", "annotator_a", "annotator_b"):
        assert f"- `{name}`: " in md
    assert "does not say whether the annotator is a person or an AI system" in md
    assert "human" not in md.lower()


def test_adjudicated_gold_is_shown_apart_as_residue(four_passes):
    gold = four_passes.parent / "annotations"  # data/annotations sits next to data/agreement
    gold.mkdir()
    for name in ("entities.jsonl", "timex.jsonl", "stances.jsonl"):
        (gold / name).write_text((four_passes / "independent" / name).read_text(encoding="utf-8"), encoding="utf-8")
    report = write_report(four_passes)
    assert report["comparisons"][-1]["key"] == "gold_after_vs_independent"
    assert report["figures"]["gold_after_vs_independent_stance_kappa"] == 1.0
    md = render_markdown(report)
    before, after = md.split("## After adjudication (not an agreement figure)")
    assert "gold after adjudication" not in before
    assert "| figure | gold after adjudication vs independent |" in after


def test_import_independent_maps_ids_and_sorts(tmp_path, monkeypatch):
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "import_independent", Path(__file__).resolve().parents[2] / "scripts" / "import_independent.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    corpus, src = tmp_path / "corpus", tmp_path / "src"
    corpus.mkdir()
    src.mkdir()
    (corpus / "000_x.txt").write_text("Kim met the WPK Central Military Commission on Monday.", encoding="utf-8")
    (tmp_path / "kb.jsonl").write_text("".join(json.dumps({"entity_id": i, "name": i, "label": "ORG"}) + "\n"
                                               for i in ("kim-jong-un", "central-military-commission")))
    monkeypatch.setattr(mod, "CORPUS", corpus)
    monkeypatch.setattr(mod, "KB", tmp_path / "kb.jsonl")
    ev = {"start": 0, "end": 54, "text": "Kim met the WPK Central Military Commission on Monday.",
          "holder": "wpk-central-military-commission", "polarity": "asserts"}
    doc = {"doc_id": "doc000", "dct": "2025-04-29",
           "entities": [{"start": 12, "end": 43, "text": "WPK Central Military Commission", "label": "ORG",
                         "entity_id": "wpk-central-military-commission"},
                        {"start": 0, "end": 3, "text": "Kim", "label": "PERSON", "entity_id": "kim"}],
           "timexes": [{"start": 47, "end": 53, "text": "Monday", "type": "DATE", "value": "2025-04-28"}],
           "stances": [{"claim_id": "C02", "label": "unrelated", "evidence": []},
                       {"claim_id": "C01", "label": "support", "evidence": [ev]}]}
    (src / "doc000.json").write_text(json.dumps(doc), encoding="utf-8")
    (src / "README.md").write_text("provenance\n", encoding="utf-8")
    files, unmapped = mod.convert(src)
    ents = [json.loads(line) for line in files["entities.jsonl"].splitlines()]
    assert [(e["start"], e["entity_id"]) for e in ents] == [(0, "kim"), (12, "central-military-commission")]
    assert unmapped == ["kim"]  # not in the map and not in the KB: reported, kept as it is
    stances = [json.loads(line) for line in files["stances.jsonl"].splitlines()]
    assert [s["claim_id"] for s in stances] == ["C01", "C02"]
    assert stances[0]["evidence"][0]["holder"] == "central-military-commission"
    assert list(stances[0]["evidence"][0]) == ["start", "end", "holder", "polarity", "text"]
    assert files["README.md"].endswith("provenance\n")
    assert mod.convert(src) == (files, unmapped)  # deterministic
    doc["timexes"][0]["text"] = "Tuesday"
    (src / "doc000.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SystemExit, match="does not match its text"):
        mod.convert(src)


def test_committed_report_is_current(tmp_path):
    """data/agreement/report.{json,md} are what `bench agreement` makes of the committed passes."""
    import shutil

    from bench.agreement import AGREEMENT_DIR

    root = tmp_path / "agreement"
    for name in ("annotator_a", "annotator_b", "independent", "gold_before_independent"):
        shutil.copytree(AGREEMENT_DIR / name, root / name)
    shutil.copytree(AGREEMENT_DIR.parent / "annotations", tmp_path / "annotations")
    report = write_report(root)
    assert json.loads((AGREEMENT_DIR / "report.json").read_text(encoding="utf-8")) == report
    assert (AGREEMENT_DIR / "report.md").read_text(encoding="utf-8") == render_markdown(report)
    # the figures the issue measured before adjudication stay reproducible from the snapshot
    f = report["figures"]
    assert round(f["gold_vs_independent_entity_strict_f1"], 3) == 0.983
    assert round(f["gold_vs_independent_timex_strict_f1"], 3) == 0.886
    assert round(f["gold_vs_independent_stance_kappa"], 3) == 0.872
