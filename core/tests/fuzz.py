"""What the fuzzing suites share: generated inputs, one rolled-back transaction per example,
and the database's state to compare before and after a refusal.

Hypothesis runs each test's body many times inside the one test transaction
pytest-django opened; `example()` gives every run a savepoint of its own, rolled
back at the end, so examples never see each other's rows. The settings are
deterministic (`derandomize`, no example database) so CI tries the same inputs
on every run, and `record()` counts them into docs/reliability.md.
"""

import json
import os
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st

from auditoria.models import Actividad

# One place for the suite's budget: enough inputs to find the odd one, quick enough for CI.
# FUZZ_SCALE=10 tries ten times as many (a longer hunt on one's own machine).
SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
FUZZ = settings(
    max_examples=60 * SCALE,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    # The world (users, a workspace, a project) is made once per test; each example
    # rolls its own changes back (`example()`), so sharing the fixtures is safe.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

# Services need no request: more inputs for the same time.
FUZZ_SERVICES = settings(FUZZ, max_examples=100 * SCALE)


@contextmanager
def example():
    """One generated input's run: its own savepoint, rolled back whatever happened."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    cache.clear()


# -- the database's state -------------------------------------------------------------


def _tables():
    return sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    )


def row_counts():
    """{table: rows} of every table of every model, read in one query."""
    tables = _tables()
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def state(*models):
    """Row counts of every table, and the full content of `models` (the rows a refusal might
    have half-changed)."""
    return {
        "rows": row_counts(),
        "audit": Actividad.objects.count(),
        **{
            model._meta.db_table: sorted(map(repr, model._base_manager.values_list()))
            for model in models
        },
    }


def record(reliability, fault, *, refused):
    """Count one generated input in docs/reliability.md, by what it got."""
    reliability.tried(
        "fuzzing",
        fault,
        "refused with a message, database unchanged" if refused else "saved, no 500",
    )


# -- generated inputs ----------------------------------------------------------------

# Inputs a person (or an attacker) types that have broken software before.
NASTY = [
    "", " ", "\x00", "a\x00b", "\t\r\n", "\x1b[31mrojo", "\u202eevil", "\ufeffbom", "\u200b",
    "../../etc/passwd", "..\\..\\boot.ini", "/", "//", ".", "..", "CON", "nul.txt",
    "' OR 1=1 --", '"; DROP TABLE proyectos; --', "%s", "%(nombre)s", "{0}", "${x}",
    "<script>alert(1)</script>", "NaN", "Infinity", "-0", "1e999", "0x10",
    "\U0001d573\U0001d594\U0001d591\U0001d586", "平面図", "Ñandú", "\ufffd",
    "é" * 300, "a" * 255, "a" * 256, "😀" * 255, "a" * 5000,
]  # fmt: skip

# Every character but the surrogates (no text can hold them), control characters favoured.
_chars = st.one_of(
    st.characters(codec="utf-8"),
    st.characters(min_codepoint=0, max_codepoint=0x1F),
    st.sampled_from("\x00\x7f\x85\u2028\u2029\ufffe\uffff/\\.%'\""),
)
texts = st.one_of(
    st.sampled_from(NASTY),
    st.text(_chars, max_size=40),
    # Long text: a short run repeated, past the columns' limits and a file system's.
    st.builds(lambda s, n: s * n, st.text(_chars, min_size=1, max_size=4), st.integers(50, 700)),
)
# Text a column would mostly accept: the rules beyond the characters get exercised too.
names = st.one_of(texts, st.text(st.characters(codec="utf-8", exclude_characters="\x00/")))

numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-(10**14), max_value=10**14, places=2),
    st.floats(allow_nan=True, allow_infinity=True),
)
number_texts = st.one_of(
    numbers.map(str),
    st.sampled_from(
        ["1,5", "1.000,50", "\uff11\uff12\uff13", "٣", "1_000", " 12 ", "-", "+", "1e-9999"]
    ),
    texts,
)

dates = st.one_of(st.none(), st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
date_texts = st.one_of(
    dates.map(lambda d: "" if d is None else d.isoformat()),
    dates.map(lambda d: "" if d is None else d.strftime("%d/%m/%Y")),
    st.sampled_from(
        [
            "0000-00-00",
            "2024-02-30",
            "2023-02-29",
            "10000-01-01",
            "-0001-01-01",
            "31/12/9999",
            "2024-13-01",
            "hoy",
            "1970-01-01T00:00:00Z",
        ]
    ),
    texts,
)

_json_keys = st.one_of(st.text(_chars, max_size=20), st.sampled_from(["", "\x00", "a" * 2000]))
_json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(_chars, max_size=30),
)
json_values = st.one_of(
    st.recursive(
        _json_leaves,
        lambda children: st.lists(children, max_size=6) | st.dictionaries(_json_keys, children),
        max_leaves=40,
    ),
    # Deep: nested past JSON_MAX_DEPTH, and past Python's recursion limit.
    st.integers(1, 3000).map(lambda depth: _nested(depth)),
    # Big: past JSON_MAX_BYTES.
    st.integers(1, 5000).map(lambda n: {f"k{i}": "x" * 30 for i in range(n)}),
)


def _nested(depth):
    value = 0
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


def _json_text(value):
    try:
        return json.dumps(value, ensure_ascii=False)
    except (RecursionError, ValueError):
        return "[" * 5000 + "]" * 5000


json_texts = st.one_of(json_values.map(_json_text), texts)

file_names = st.one_of(
    texts,
    st.builds(lambda stem, ext: stem + ext, texts, st.sampled_from([".pdf", ".dwg", ".DWG", ""])),
    st.builds(lambda n: "平面図" * n + ".dwg", st.integers(1, 200)),
)
file_contents = st.one_of(st.binary(max_size=256), st.sampled_from([b"", b"\x00" * 64]))


def amounts(value):
    """A generated number as the services take it."""
    return Decimal(str(value)) if isinstance(value, float) else value


def uploaded(name, content):
    """An upload as Django hands it to a view; a name Django itself refuses ("", "..") is
    skipped, as no request can carry it (its multipart parser drops such a file)."""
    try:
        return SimpleUploadedFile(name, content)
    except SuspiciousFileOperation:
        assume(False)
