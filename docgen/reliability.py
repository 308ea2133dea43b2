"""The reliability record: the faults and bad inputs the tests try, and what each gets.

Tests record what they try through the `reliability` fixture
(piliquarts/reliability_plugin.py); a test run merges the records of the tests
that passed into docs/reliability.json, per database, and `manage.py
reliability` renders docs/reliability.md from it. No figure is typed by hand.

To add rows for a new area, add it to AREAS and record from its tests:

    def test_a_long_file_name_is_stored_under_a_bounded_name(reliability, ...):
        for name in LONG_NAMES:
            ...
            reliability.tried("uploads", "a 300-byte file name", "stored under a bounded name")
"""

import json
from collections import defaultdict
from pathlib import Path

from django.conf import settings

DATA_PATH = Path(settings.BASE_DIR) / "docs" / "reliability.json"
DOC_PATH = Path(settings.BASE_DIR) / "docs" / "reliability.md"

#: Areas in the order the page shows them: key -> (title, what is at stake).
AREAS = {
    "login": (
        "Login",
        "A lockout is keyed on the identity login uses, so no spelling of an email gets "
        "guesses of its own.",
    ),
    # Registered for issue 11's other items; a row shows once a test records it.
    "uploads": (
        "Uploads",
        "A size limit enforced before the file is stored; any file name stored under a safe, "
        "bounded name.",
    ),
    "text": (
        "Text and JSON",
        "NUL bytes, oversized and deeply nested JSON refused with a message, never a 500.",
    ),
    "fuzzing": (
        "Generated inputs",
        "Generated strings, numbers, dates, JSON and file names through the services and "
        "the admin forms: no 500, and the database unchanged on refusal.",
    ),
    "audit": (
        "Audit trail",
        "`actividades` is append-only in the database, whatever SQL reaches it.",
    ),
    "migrations": (
        "Migrations",
        "A concurrent index build that failed or was killed is rebuilt by the next "
        "upgrade, and `db current` refuses while any index is INVALID.",
    ),
    "backups": (
        "Backups and restore",
        "A restore checks the backup on a throwaway copy before touching live data; a "
        "failed backup leaves no file.",
    ),
    "commands": (
        "Command-line errors",
        "A configuration or database fault is one sentence and a non-zero exit "
        "(`--traceback` shows the rest).",
    ),
    "secrets": (
        "Secrets on screen",
        "No password hash, salt or hashing parameter on any page.",
    ),
}

#: The databases every test runs on, in the page's column order.
VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def load(path=None):
    """{vendor: {test id: [record, ...]}} as the tests last wrote it."""
    try:
        return json.loads(Path(path or DATA_PATH).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def save(data, path=None):
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    path = Path(path or DATA_PATH)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def merge(data, vendor, results, collected, root):
    """`data` with one database's run merged in.

    `results` maps each test that ran to its records (None when it did not pass:
    its old records go, so the page never claims what was not proved this time).
    Tests of a collected file that were not collected are gone; so are the tests of
    files that no longer exist.
    """
    runs = dict(data.get(vendor, {}))
    collected_files = {test_id.split("::")[0] for test_id in collected}
    for test_id in list(runs):
        file = test_id.split("::")[0]
        gone = file in collected_files and test_id not in collected
        if gone or not (Path(root) / file).exists():
            del runs[test_id]
    for test_id, records in results.items():
        if records:
            runs[test_id] = records
        else:
            runs.pop(test_id, None)
    merged = {**data, vendor: dict(sorted(runs.items()))}
    return {name: runs for name, runs in merged.items() if runs}


def rows(data):
    """One row per (area, fault, outcome): how many times each database tried it, and where."""
    table = defaultdict(lambda: {"tried": defaultdict(int), "tests": set()})
    for vendor, runs in data.items():
        for test_id, records in runs.items():
            for record in records:
                key = (record["area"], record["fault"], record["outcome"])
                table[key]["tried"][vendor] += record["tried"]
                table[key]["tests"].add(
                    test_id.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
                )
    order = list(AREAS)
    return sorted(
        (
            {"area": a, "fault": f, "outcome": o, "tried": dict(v["tried"]), "tests": v["tests"]}
            for (a, f, o), v in table.items()
        ),
        key=lambda row: (order.index(row["area"]), row["fault"], row["outcome"]),
    )


def render(data):
    """docs/reliability.md from the recorded runs."""
    all_rows = rows(data)
    totals = {vendor: sum(row["tried"].get(vendor, 0) for row in all_rows) for vendor in VENDORS}
    tests = {vendor: len(data.get(vendor, {})) for vendor in VENDORS}
    lines = [
        "# Reliability: faults and bad inputs tried",
        "",
        "<!-- Generated by `python manage.py reliability` from docs/reliability.json, which",
        "     the tests write on every run (`make test`): each row is recorded by a test",
        "     through the `reliability` fixture (docgen/reliability.py). Do not edit. -->",
        "",
        "What the tests do to the data layer as an attacker or a clumsy user would, how many",
        "times in the test run on each database, and what each gets. A row counts only tests",
        "that passed.",
        "",
        "| | " + " | ".join(VENDORS.values()) + " |",
        "| --- | " + " | ".join("---:" for _ in VENDORS) + " |",
        "| faults and bad inputs tried | " + " | ".join(f"{totals[v]:,}" for v in VENDORS) + " |",
        "| by tests | " + " | ".join(f"{tests[v]:,}" for v in VENDORS) + " |",
    ]
    for area, (title, stake) in AREAS.items():
        area_rows = [row for row in all_rows if row["area"] == area]
        if not area_rows:
            continue
        lines += ["", f"## {title}", "", stake, ""]
        lines.append(
            "| fault or bad input | " + " | ".join(VENDORS.values()) + " | what it gets | tests |"
        )
        lines.append("| --- | " + " | ".join("---:" for _ in VENDORS) + " | --- | --- |")
        for row in area_rows:
            counts = " | ".join(f"{row['tried'].get(v, 0):,}" for v in VENDORS)
            where = ", ".join(f"`{name}`" for name in sorted(row["tests"]))
            lines.append(
                f"| {_cell(row['fault'])} | {counts} | {_cell(row['outcome'])} | {where} |"
            )
    return "\n".join(lines) + "\n"


def _cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def write_doc(data=None, path=None):
    """Render the page from `data` (the recorded runs by default); True if it changed."""
    text = render(load() if data is None else data)
    path = Path(path or DOC_PATH)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
