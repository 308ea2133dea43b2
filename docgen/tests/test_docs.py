"""README.md and docs/*.md run as written: commands that exist, blocks that run, outputs that
are what the commands print, links that stay in the repository, every setting documented."""

import re
import shlex

import pytest
from django.core.management import get_commands, load_command_class
from django.db import connection

from docgen import runnable_docs, scenarios
from docgen.runnable_docs import BASE_DIR, blocks, pages

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)|<(https?://[^>]+)>")
LOCAL = ("http://127.0.0.1", "http://localhost")

all_blocks = [block for page in pages() for block in blocks(page)]


def _block_id(block):
    return f"{block.page.name}:{block.line}"


@pytest.mark.parametrize("block", all_blocks, ids=_block_id)
def test_every_command_of_every_block_exists(block):
    targets = set(re.findall(r"^([a-z][\w-]*):", (BASE_DIR / "Makefile").read_text(), re.M))
    commands = get_commands()
    for line in block.commands:
        for part in re.split(r"\s*(?:&&|\|\|?|;)\s*", line):
            words = shlex.split(part)
            while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
                words = words[1:]  # VAR=value before the command
            if words[:1] == ["make"]:
                assert words[1] in targets, f"{_block_id(block)}: no make target {words[1]!r}"
            if words[:2] == ["python", "manage.py"]:
                name = words[2]
                assert name in commands, f"{_block_id(block)}: no command {name!r}"
                parser = load_command_class(commands[name], name).create_parser("manage.py", name)
                parser.parse_args(words[3:])  # exits (fails the test) on a stale option


def test_blocks_not_run_say_why():
    for block in all_blocks:
        if block.lang == "bash" and block.mark:
            assert block.mark == "postgresql" or re.fullmatch(r"skip \(.+\)", block.mark), (
                f"{_block_id(block)}: mark {block.mark!r}"
            )


@pytest.fixture(scope="module")
def checkout():
    with runnable_docs.scratch_checkout() as made:
        yield made


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="once per run: the blocks use their own SQLite copy"
)
def test_shell_blocks_run_as_written_after_the_readmes_set_up(checkout):
    root, env = checkout
    ran = 0
    for page in pages():
        for block in blocks(page):
            if block.runs:
                runnable_docs.run(block.body, root, env)
                ran += 1
    assert ran >= 3


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="once per run: the outputs come from a SQLite copy"
)
def test_outputs_shown_in_the_docs_are_what_the_commands_print(checkout):
    assert runnable_docs.stale_outputs(checkout=checkout, postgresql=False) == [], "run `make docs`"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="made on PostgreSQL (this run is on SQLite; the PostgreSQL run is required in CI)",
)
def test_outputs_made_on_postgresql_are_what_the_commands_print(checkout):
    """In scratch databases of their own on the server, never the test database."""
    assert runnable_docs.stale_outputs(checkout=checkout, postgresql=True) == [], "run `make docs`"


def test_every_output_shown_is_generated():
    """A ```console block is an output: it lives between docs-output markers, and each
    marker names a command or a scenario that exists."""
    for page in pages():
        text = page.read_text(encoding="utf-8")
        generated = runnable_docs.generated_outputs(page)
        assert text.count("```console") == len(generated), f"{page.name}: a console block typed"
        for match in generated:
            if match["command"].startswith("scenario "):
                name = match["command"].removeprefix("scenario ")
                assert name in scenarios.SCENARIOS, f"{page.name}: no scenario {name!r}"
    assert set(scenarios.SCENARIOS) == {
        match["command"].removeprefix("scenario ")
        for page in pages()
        for match in runnable_docs.generated_outputs(page)
        if match["command"].startswith("scenario ")
    }, "a scenario no page shows"


def _only_page(tmp_path, monkeypatch, marker, shown):
    """The docs, made one page showing `shown` between `marker`'s docs-output markers."""
    page = tmp_path / "page.md"
    page.write_text(
        f"<!-- docs-output: {marker} -->\n```console\n{shown}```\n<!-- /docs-output -->\n"
    )
    monkeypatch.setattr(runnable_docs, "pages", lambda: [page])
    return page


def test_a_changed_output_is_found_stale(checkout, tmp_path, monkeypatch):
    page = _only_page(tmp_path, monkeypatch, "db sql", "$ python manage.py db sql\nAll done.\n")
    assert runnable_docs.stale_outputs(write=True, checkout=checkout) == [(page, "db sql")]
    assert "Nothing pending" in page.read_text()
    assert runnable_docs.stale_outputs(checkout=checkout) == []


def test_a_scenario_shows_the_state_it_prepared(checkout, tmp_path, monkeypatch):
    shown = "$ python manage.py db downgrade\n"
    page = _only_page(tmp_path, monkeypatch, "scenario forward-only-downgrade", shown)
    assert runnable_docs.stale_outputs(write=True, checkout=checkout) == [
        (page, "scenario forward-only-downgrade")
    ]
    assert "sandbox.0002_forward_only: Raw SQL operation has no reverse" in page.read_text()
    assert "$ echo $?\n1\n" in page.read_text()


def test_what_varies_is_not_a_change():
    shown = (
        "Backed up to /srv/piliquarts/backups/piliquarts-20261202-072847.dump.\n"
        "CORRUPT  c.pdf v1 (documentos/76f57bd6-aaae-49de-9e05-140de0507ea5/"
        "658fcd2e-488c-4f88-8b47-6d307ea799f2/v1-2857365b11c5-c.pdf)\n"
        '  "size_bytes": 122995,\n'
    )
    again = (
        "Backed up to /srv/piliquarts/backups/piliquarts-20261203-101010.dump.\n"
        "CORRUPT  c.pdf v1 (documentos/0a57bd6e-aaae-49de-9e05-140de0507ea5/"
        "11fcd2e0-488c-4f88-8b47-6d307ea799f2/v1-0123456789ab-c.pdf)\n"
        '  "size_bytes": 122999,\n'
    )
    assert runnable_docs.normalized(shown) == runnable_docs.normalized(again)
    assert runnable_docs.normalized(shown) != runnable_docs.normalized(
        shown.replace("c.pdf", "d.pdf")
    )


def test_no_link_leaves_the_repository():
    for page in pages():
        for relative, absolute in LINK.findall(page.read_text(encoding="utf-8")):
            target = relative or absolute
            if target.startswith(LOCAL) or target.startswith("#"):
                continue
            assert "://" not in target, f"{page.name}: {target} leaves the repository"
            path = (page.parent / target.split("#")[0]).resolve()
            assert path.is_relative_to(BASE_DIR), f"{page.name}: {target} leaves the repository"
            assert path.exists(), f"{page.name}: {target} does not exist"


def test_one_database_name():
    for page in pages():
        if page.name == "from-alembic.md":
            continue  # the guide's own name, mapped to this one
        assert "pili_quarts" not in page.read_text(encoding="utf-8"), page.name


def test_every_environment_variable_is_documented():
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    sources = [BASE_DIR / "piliquarts" / "settings.py", *(BASE_DIR / "scripts").glob("*.sh")]
    names = set()
    for source in sources:
        text = source.read_text(encoding="utf-8")
        names |= set(re.findall(r"env\.\w+\(\s*\"([A-Z][A-Z0-9_]+)\"", text))
        names |= set(re.findall(r"os\.environ\.get\(\"([A-Z][A-Z0-9_]+)\"", text))
        names |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]+):-", text))
    names |= {"TEST_DATABASE_URL"}
    assert len(names) > 20
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"not in the README's table: {missing}"
