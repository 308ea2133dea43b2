"""pytest plugin behind docs/reliability.md: the `reliability` fixture and the record it keeps.

A test calls `reliability.tried(area, fault, outcome)` once per fault or bad input it
tries; at the end of the run the records of the tests that passed are merged into
docs/reliability.json under the database the run used, and the page is rendered
again (docgen.reliability).
"""

from collections import Counter

import pytest

_records = {}  # test id -> Counter of (area, fault, outcome)
_passed = {}  # test id -> True while every phase of it passed


class Recorder:
    """What one test tried."""

    def __init__(self, counter):
        self._counter = counter

    def tried(self, area, fault, outcome, count=1):
        from docgen.reliability import AREAS

        if area not in AREAS:
            raise ValueError(f"Unknown reliability area {area!r}: add it to AREAS first.")
        self._counter[(area, fault, outcome)] += count


@pytest.fixture
def reliability(request):
    """Record the faults and bad inputs this test tries (docs/reliability.md)."""
    return Recorder(_records.setdefault(request.node.nodeid, Counter()))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    _passed[item.nodeid] = _passed.get(item.nodeid, True) and report.passed
    return report


def pytest_sessionfinish(session, exitstatus):
    if session.config.option.collectonly or not _passed:
        return
    from django.db import connection

    from docgen import reliability

    results = {}
    for test_id, passed in _passed.items():
        counter = _records.get(test_id) if passed else None
        results[test_id] = [
            {"area": area, "fault": fault, "outcome": outcome, "tried": tried}
            for (area, fault, outcome), tried in sorted((counter or {}).items())
        ] or None
    before = reliability.load()
    after = reliability.merge(
        before,
        connection.vendor,
        results,
        collected={item.nodeid for item in session.items},
        root=session.config.rootpath,
    )
    if after != before:
        reliability.save(after)
    reliability.write_doc(after)
