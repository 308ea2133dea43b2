"""docs/scaling.md: rendered from bench/results/scaling.json, numbers and sentences alike."""

import copy

import pytest
from django.core.management import CommandError, call_command

from docgen import scaling


@pytest.fixture
def figures():
    return scaling.load()


def test_the_page_is_what_the_committed_figures_render(figures):
    assert scaling.is_current(figures), (
        "docs/scaling.md differs from bench/results/scaling.json: run "
        "`python manage.py scaling --write` (or rerun bench/scaling.py)."
    )


def test_the_sentences_follow_the_figures(figures):
    changed = copy.deepcopy(figures)
    changed["size"]["actividades"] = scaling.TARGET_ROWS
    changed["migration"]["forward"]["replica_lag"]["max"] = 61.0
    read = changed["pooling"]["results"]["read, connection kept"]
    read["pgbouncer"]["per_second"], read["direct"]["per_second"] = 300.0, 100.0
    page = " ".join(scaling.render(changed).split())  # as read, whatever the line breaks
    assert "the 10,000,000 rows the issue asks for" in page
    assert "did not fit" not in page
    assert "The worst sample, 61.0 s, passes `REPLICA_MAX_LAG_SECONDS`" in page
    assert "with the connection kept, 3.00x the reads" in page
    assert "the short reads pay for it" not in page

    smaller = copy.deepcopy(figures)
    smaller["size"]["actividades"] = 2_500_000
    assert "**25% of the 10,000,000 rows the issue asks for**" in " ".join(
        scaling.render(smaller).split()
    )


def test_the_check_fails_on_a_stale_page_and_the_write_fixes_it(figures, tmp_path, monkeypatch):
    monkeypatch.setattr(scaling, "DOC_PATH", tmp_path / "scaling.md")
    scaling.DOC_PATH.write_text("# Scaling\n\n10M rows in no time.\n")
    with pytest.raises(CommandError, match="out of date"):
        call_command("scaling", "--check")
    call_command("scaling", "--write")
    call_command("scaling", "--check")
    assert scaling.DOC_PATH.read_text() == scaling.render(figures)
