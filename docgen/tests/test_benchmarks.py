"""docs/benchmarks.md: rendered from bench/results/admin_pages.json, numbers and sentences alike."""

import copy

import pytest
from django.core.management import CommandError, call_command

from docgen import benchmarks


@pytest.fixture
def figures():
    return benchmarks.load()


def page_of(data):
    return " ".join(benchmarks.render(data).split())  # as read, whatever the line breaks


def test_the_page_and_charts_are_what_the_committed_figures_render(figures):
    assert benchmarks.is_current(figures), (
        "docs/benchmarks.md or its charts differ from bench/results/admin_pages.json: run "
        "`python manage.py benchmarks --write` (or rerun bench/admin_pages.py)."
    )


def test_the_sentences_follow_the_figures(figures):
    changed = copy.deepcopy(figures)
    visible = [r for r in changed["results"] if r["variant"] == "ours" and r["expected"] == 200]
    for row in visible:
        row["p95_ms"] = 10.0
    slow = visible[0]
    slow["p95_ms"] = 12_345.0
    page = page_of(changed)
    assert f"**{len(visible) - 1} answer under 100 ms at p95**" in page
    assert f"the slowest {slow['model']} {slow['page']} at 12.35 s" in page

    wrong = copy.deepcopy(figures)
    for row in wrong["results"]:
        row["ok"] = True
    wrong["results"][0].update(ok=False, status=302, location="/admin/login/?next=/")
    page = page_of(wrong)
    assert f"**1 of {len(wrong['results'])} responses did not answer" in page
    assert "/admin/login/?next=/" in page


def test_stock_ratios_come_from_the_same_pages(figures):
    changed = copy.deepcopy(figures)
    pairs = list(benchmarks.Results(changed).pairs())
    if not pairs:
        pytest.skip("no page answered by both admins in these figures")
    for ours, stock in pairs:
        ours["p50_ms"], stock["p50_ms"] = 10.0, 30.0
    assert "the median ratio is 3.0x" in page_of(changed)
    assert "Stock is faster on no page." in page_of(changed)


def test_the_check_fails_on_a_stale_page_and_the_write_fixes_it(figures, tmp_path, monkeypatch):
    monkeypatch.setattr(benchmarks, "DOC_PATH", tmp_path / "benchmarks.md")
    monkeypatch.setattr(benchmarks, "CHART_DIR", tmp_path / "img")
    benchmarks.DOC_PATH.write_text("# Benchmarks\n\nEvery page under 100 ms.\n")
    with pytest.raises(CommandError, match="out of date"):
        call_command("benchmarks", "--check")
    call_command("benchmarks", "--write")
    call_command("benchmarks", "--check")
    assert benchmarks.DOC_PATH.read_text() == benchmarks.render(figures)
    assert (tmp_path / "img" / "owner.svg").read_text().startswith("<svg")


def _with_presets_and_feeds(figures):
    """The figures with a smaller preset (each list page at a third of its cost, one at a
    tenth) and the four feed reads, as a run with --preset and feeds writes them."""
    data = copy.deepcopy(figures)
    data["preset"] = "large"
    list_pages = [
        r
        for r in data["results"]
        if r["variant"] == "ours" and r["page"] in benchmarks.LIST_PAGES and r["expected"] == 200
    ]
    small = [dict(r, p95_ms=r["p95_ms"] / 3) for r in list_pages]
    small[0]["p95_ms"] = list_pages[0]["p95_ms"] / 10
    data["presets"] = {
        "small": {"sizes": {**data["sizes"], "actividades": 10_000}, "results": small}
    }
    feed = {
        "queries": 1,
        "client": {"before": [5.0, 6.0], "after": [1.5, 1.9]},
        "server": {"before": [2.0, 2.5], "after": [0.5, 0.7]},
    }
    slow = copy.deepcopy(feed)
    slow["client"]["after"] = [2.5, 3.25]
    data["feeds"] = {"workspace feed, first page": feed, "project feed, first page": slow}
    return data, list_pages


def test_the_sizes_section_compares_each_list_page_with_the_smaller_preset(figures):
    data, list_pages = _with_presets_and_feeds(figures)
    page = page_of(data)
    assert f"**0 of {len(list_pages)}** cost at most 1.5x as much on large as on" in page
    first = list_pages[0]
    assert f"| {first['role']} | {first['model']} {first['page']} |" in page
    assert "| 10.0x |" in page and "| 3.0x |" in page
    plain = copy.deepcopy(figures)
    plain.pop("presets", None)
    assert "## The same pages at every size" not in page_of(plain)


def test_the_feeds_section_says_which_reads_meet_the_goal(figures):
    page = page_of(_with_presets_and_feeds(figures)[0])
    assert "**2 of 2** reads meet it on the server, **1 of 2** through the ORM." in page
    assert "| project feed, first page | 1 | 2.50 | 3.25 | 6.00 | 0.50 | 0.70 | 2.50 |" in page
