"""docs/reliability.md: figures from what the tests record, merged per database, rendered."""

import pytest
from django.core.management import CommandError, call_command

from docgen import reliability as recorded

LOGIN = {"area": "login", "fault": "a wrong password", "outcome": "refused"}


def record(tried, **changes):
    return {**LOGIN, "tried": tried, **changes}


def test_a_run_replaces_its_tests_records_and_keeps_the_other_database(tmp_path):
    (tmp_path / "t.py").write_text("")
    data = {
        "sqlite": {"t.py::a": [record(1)], "t.py::b": [record(2)]},
        "postgresql": {"t.py::a": [record(5)]},
    }
    merged = recorded.merge(
        data, "sqlite", {"t.py::a": [record(3)]}, collected={"t.py::a", "t.py::b"}, root=tmp_path
    )
    assert merged["sqlite"] == {"t.py::a": [record(3)], "t.py::b": [record(2)]}
    assert merged["postgresql"] == data["postgresql"]


def test_a_test_that_did_not_pass_or_is_gone_loses_its_records(tmp_path):
    (tmp_path / "t.py").write_text("")
    data = {
        "sqlite": {
            "t.py::failed": [record(1)],
            "t.py::renamed": [record(1)],
            "deleted.py::a": [record(1)],
            "t.py::kept": [record(1)],
        }
    }
    merged = recorded.merge(
        data, "sqlite", {"t.py::failed": None}, collected={"t.py::failed", "t.py::kept"},
        root=tmp_path,
    )  # fmt: skip
    assert merged == {"sqlite": {"t.py::kept": [record(1)]}}


def test_the_page_sums_each_fault_per_database_under_its_area():
    data = {
        "sqlite": {"a/test_x.py::t1": [record(4)], "a/test_y.py::t2": [record(6)]},
        "postgresql": {"a/test_x.py::t1": [record(4), record(1, fault="un <b>|</b>")]},
    }
    page = recorded.render(data)
    assert "| faults and bad inputs tried | 10 | 5 |" in page
    assert "## Login" in page and "## Audit trail" not in page
    assert "| a wrong password | 10 | 4 | refused | `test_x`, `test_y` |" in page
    assert "| un <b>\\|</b> | 0 | 1 | refused | `test_x` |" in page


def test_recording_an_unknown_area_is_refused(reliability):
    with pytest.raises(ValueError, match="Unknown reliability area"):
        reliability.tried("uplods", "a typo", "refused")


def test_the_page_matches_the_recorded_runs():
    if not recorded.load():
        pytest.skip("nothing recorded yet")
    call_command("reliability", "--check")


def test_check_fails_when_the_page_is_out_of_date(tmp_path, monkeypatch):
    monkeypatch.setattr(recorded, "DATA_PATH", tmp_path / "r.json")
    monkeypatch.setattr(recorded, "DOC_PATH", tmp_path / "r.md")
    recorded.save({"sqlite": {"t.py::a": [record(2)]}}, recorded.DATA_PATH)
    with pytest.raises(CommandError, match="out of date"):
        call_command("reliability", "--check")
    call_command("reliability")
    call_command("reliability", "--check")
    assert "| a wrong password | 2 | 0 |" in recorded.DOC_PATH.read_text()
