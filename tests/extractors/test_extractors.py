import pytest

from bench import extractors
from bench.extractors import Extractor, ExtractorError, conll_view, list_extractors, load_extractor
from tests.fixtures import CapitalisedExtractor, PerfectExtractor

FIX = "tests.fixtures"


class _Bad:
    name, version, label_scheme = "bad", "0", "ontonotes"
    tasks = frozenset({"entities", "relations"})

    def extract(self, doc, claims):
        raise AssertionError

    def config(self):
        return {}


class _NoName(_Bad):
    name = ""
    tasks = frozenset({"entities"})


class _Family(CapitalisedExtractor):
    target_arg = "model"

    def __init__(self, model: str, size: str = "small"):
        self.model, self.size = model, size


class _BadScheme(_Bad):
    tasks = frozenset({"entities"})
    label_scheme = "bio"


class _WithOptions(CapitalisedExtractor):
    def __init__(self, size: str = "small"):
        self.size = size


def test_fixture_extractors_satisfy_the_protocol():
    assert isinstance(PerfectExtractor(), Extractor)
    assert isinstance(CapitalisedExtractor(), Extractor)


def test_load_by_module_path():
    ex = load_extractor(f"{FIX}:PerfectExtractor")
    assert isinstance(ex, PerfectExtractor) and ex.name == "perfect"


def test_load_by_registered_name_passes_options(monkeypatch):
    monkeypatch.setattr(extractors, "registered", lambda: {"caps": f"{__name__}:_WithOptions"})
    ex = load_extractor("caps", size="large")
    assert isinstance(ex, _WithOptions) and ex.size == "large"


def test_unknown_name_lists_what_is_available(monkeypatch):
    monkeypatch.setattr(extractors, "registered", lambda: {"b": "m:B", "a": "m:A"})
    with pytest.raises(ExtractorError, match=r"unknown model 'zzz'; available: a, b; or pass 'module\.path:ClassName'"):
        load_extractor("zzz")
    monkeypatch.setattr(extractors, "registered", dict)
    with pytest.raises(ExtractorError, match=r"available: \(none installed\)"):
        load_extractor("zzz")


@pytest.mark.parametrize("spec, message", [
    ("hf:", "'hf:' needs a target, e.g. hf:<model>"),
    ("os:system", "'os:system' is not an extractor: not a class"),
    (f"{__name__}:_NoName", "is not an extractor: wrong type or empty: name"),
    (f"{FIX}:Missing", f"module '{FIX}' has no attribute 'Missing'"),
    ("tests.not_a_module:X", "cannot import module 'tests.not_a_module'"),
    (":X", "expected 'module.path:ClassName', got ':X'"),
    (f"{FIX}:", f"expected 'module.path:ClassName', got '{FIX}:'"),
    (f"{FIX}:NotAnExtractor", "is not an extractor: missing name, version, tasks, label_scheme, extract, config"),
    (f"{__name__}:_Bad", r"declares unknown tasks ['relations']"),
    (f"{__name__}:_BadScheme", "has label_scheme 'bio'; expected 'ontonotes' or 'conll'"),
])
def test_resolution_errors(spec, message):
    with pytest.raises(ExtractorError) as info:
        load_extractor(spec)
    assert message in str(info.value)


def test_conll_view():
    assert [conll_view(x) for x in ("PERSON", "GPE", "FAC", "NORP", "ORG", "PER", "MISC")] == \
        ["PER", "LOC", "LOC", "MISC", "ORG", "PER", "MISC"]


def test_list_extractors_reports_tasks_without_instantiating(monkeypatch):
    monkeypatch.setattr(extractors, "registered", lambda: {
        "perfect": f"{FIX}:PerfectExtractor", "broken": "tests.not_a_module:X"})
    rows = dict((name, (spec, tasks)) for name, spec, tasks in list_extractors())
    assert rows["perfect"] == (f"{FIX}:PerfectExtractor", "entities,stance,timex")
    assert rows["broken"][1].startswith("(cannot load: cannot import module 'tests.not_a_module'")
    assert [name for name, _, _ in list_extractors()] == ["broken", "perfect"]


def test_registered_reads_the_entry_point_group():
    names = extractors.registered()
    assert all(isinstance(v, str) and ":" in v for v in names.values())


def test_unknown_options_name_the_ones_an_extractor_takes(monkeypatch):
    monkeypatch.setattr(extractors, "registered", lambda: {"caps": f"{__name__}:_WithOptions"})
    with pytest.raises(ExtractorError, match=r"'caps' takes no option 'colour'; it takes: size"):
        load_extractor("caps", colour="red")
    with pytest.raises(ExtractorError, match=r"takes no option 'x'; it takes: none"):
        load_extractor(f"{FIX}:PerfectExtractor", x="1")


def test_a_family_takes_its_target_and_options(monkeypatch):
    monkeypatch.setattr(extractors, "registered", lambda: {"fam": f"{__name__}:_Family"})
    ex = load_extractor("fam:org/model-1", size="large")
    assert (ex.model, ex.size) == ("org/model-1", "large")
    with pytest.raises(ExtractorError, match=r"'fam' needs a target: fam:<model>"):
        load_extractor("fam")
    assert [name for name, _, _ in list_extractors()] == ["fam:<model>"]
    assert extractors.runnable_names() == []  # the leaderboard never runs a family without a target


def test_hf_is_registered_as_a_family():
    assert extractors.registered()["hf"] == "baselines.hf_ner:HFTokenClassificationExtractor"
    assert "hf" not in extractors.runnable_names()
