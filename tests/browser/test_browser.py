"""The report and leaderboard pages in a real headless browser (Debian's chromium via Playwright).

Skipped when /usr/bin/chromium or playwright is missing (CI installs both).  Screenshots
go to $BENCH_SCREENSHOT_DIR when set, else to the test's tmp dir.
"""

import os
from pathlib import Path

import pytest
from tests.fixtures import CORPUS, EXPECTED_ENTITIES, EXPECTED_STANCE, EXPECTED_TIMEX, PRED

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("headless browser test needs Debian's chromium at /usr/bin/chromium "
                "(apt-get install -y chromium chromium-driver)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="headless browser test needs `pip install playwright`")

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path):
    d = Path(os.environ.get("BENCH_SCREENSHOT_DIR") or tmp_path)
    d.mkdir(parents=True, exist_ok=True)
    return d


def open_page(browser, path: Path):
    """Load a file page; returns (page, console errors, requests that left the file)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors, outside = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors, outside


def test_report_page_shows_counts(browser, tmp_path, shots):
    from bench.report import render_report

    path = tmp_path / "report.html"
    path.write_text(render_report(CORPUS, PRED, "ontonotes", name="toy"), encoding="utf-8")
    page, errors, outside = open_page(browser, path)
    for task, expected in (("entities", EXPECTED_ENTITIES), ("timex", EXPECTED_TIMEX), ("stance", EXPECTED_STANCE)):
        table = page.locator(f'table.counts[data-task="{task}"]')
        for k, v in expected.items():
            assert table.get_attribute(f"data-count-{k.replace('_', '-')}") == str(v)
            assert table.locator(f'td[data-count="{k}"]').inner_text() == str(v)  # visible number
    assert page.locator("mark.ent.cat-missed").first.is_visible()
    assert page.locator("table.stance-grid td.disagree").count() == EXPECTED_STANCE["disagree"]
    page.screenshot(path=str(shots / "report.png"), full_page=True)
    assert errors == [] and outside == []
    page.close()


def test_leaderboard_page_sorts_on_header_click(browser, tmp_path, shots):
    from bench import leaderboard as lb

    from tests.fixtures import toy_dataset_dir

    ds = toy_dataset_dir(tmp_path / "ds")
    out = tmp_path / "board"
    lb.update_runs(lb.Suite(str(ds), out / "runs", out, "leaderboard", "Toy"), None,
                   {"toy": "tests.fixtures:ToyExtractor", "toy-conll": "tests.fixtures:ToyConll"}, n_resamples=20)
    tmp_path = out
    page, errors, outside = open_page(browser, tmp_path / "index.html")

    def order(task):
        return page.locator(f"#table-{task} tbody tr").evaluate_all("rs => rs.map(r => r.dataset.model)")

    assert order("entities") == ["toy-conll", "toy"]  # rendered: entity main score descending
    headers = page.locator("#table-entities thead th")
    headers.nth(0).click()  # model: ascending by name
    assert order("entities") == ["toy", "toy-conll"]
    assert headers.nth(0).get_attribute("aria-sort") == "ascending"
    headers.nth(2).click()  # main score: descending first
    assert order("entities") == ["toy-conll", "toy"]
    headers.nth(2).click()
    assert order("entities") == ["toy", "toy-conll"]
    page.locator("#table-timex thead th").nth(2).click()  # an unsupported task stays last either way
    assert order("timex") == ["toy", "toy-conll"]
    page.locator("#table-timex thead th").nth(2).click()
    assert order("timex") == ["toy", "toy-conll"]
    assert page.locator("#table-timex tbody tr").nth(1).locator("td").nth(2).inner_text() == "\u2014"
    sigs = page.locator("#runs-table td.sig").all_inner_texts()  # each run's signature and timings
    assert len(sigs) == 2 and all("|seed:12345|resamples:20" in s for s in sigs)
    assert all("predict" in t and "docs/s" in t for t in page.locator("#runs-table td.timings").all_inner_texts())
    page.screenshot(path=str(shots / "leaderboard.png"), full_page=True)
    assert errors == [] and outside == []
    page.close()
