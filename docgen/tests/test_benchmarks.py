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
