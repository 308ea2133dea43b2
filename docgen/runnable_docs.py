"""The docs' commands, run as written: shell blocks to execute, and outputs to regenerate.

In README.md and docs/*.md:

- a ```bash block is run as written, in order with its page's other blocks, in a
  scratch copy of the checkout after the README's set-up (its virtualenv on PATH,
  a migrated SQLite database with the demo data). An HTML comment just above it
  says when it is not: `<!-- docs-test: skip (why) -->` (production, long runs,
  interactive) or `<!-- docs-test: postgresql -->` (needs the server). Every
  `python manage.py` and `make` line of every block is still checked to exist.
- `<!-- docs-output: COMMAND -->` ... `<!-- /docs-output -->` holds a ```console
  block that `manage.py docs --write` regenerates by running `python manage.py
  COMMAND` in such a scratch copy; `manage.py docs --check` fails when it is stale.
  `<!-- docs-output: COMMAND | postgresql -->` runs it on a scratch PostgreSQL
  database (migrated, with the demo data), and `<!-- docs-output: scenario NAME -->`
  runs a scenario of `docgen/scenarios.py`: the state a command needs (a broken
  migration, a damaged file), prepared out of sight, then the commands as shown.
"""

import os
import re
import shlex
import shutil
import subprocess
import tempfile
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
BLOCK = re.compile(
    r"(?:<!-- docs-test: (?P<mark>[^>]*?) -->\n)?```(?P<lang>bash|console)\n(?P<body>.*?)```", re.S
)
OUTPUT = re.compile(
    r"<!-- docs-output: (?P<command>.+?)(?: \| (?P<server>postgresql))? -->\n"
    r"```console\n(?P<body>.*?)```\n<!-- /docs-output -->",
    re.S,
)
# What varies from run to run: times, checksums, generated names.
VARYING = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?"), "<time>"),
    (re.compile(r"\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"\d{8}-\d{6}"), "<stamp>"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "<sha256>"),
    (re.compile(r"(/v\d+-)[0-9a-f]{12}-"), r"\1<random>-"),  # a stored version's file name
    (re.compile(r'("size_bytes": )\d+'), r"\1<size>"),  # a compressed dump's, in its manifest
]
# The scratch PostgreSQL server (the Makefile's TEST_DATABASE_URL's), and the name its scratch
# databases are shown under: the one the docs use.
POSTGRES = {"PGHOST": "127.0.0.1", "PGPORT": "5432", "PGUSER": "postgres"}
SHOWN_DATABASE = "piliquarts"
# Where the scratch checkout is shown to be, in what the commands print (absolute paths).
SHOWN_CHECKOUT = "/srv/piliquarts"


def pages():
    return [BASE_DIR / "README.md", *sorted((BASE_DIR / "docs").glob("*.md"))]


@dataclass
class Block:
    page: Path
    line: int
    lang: str
    mark: str
    body: str

    @property
    def commands(self):
        """The command lines of the block (for console blocks, the `$ ` lines)."""
        lines = []
        for raw in self.body.replace("\\\n", " ").splitlines():
            line = raw.strip()
            if self.lang == "console":
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            line = re.sub(r"\s+#.*$", "", line)
            if line and not line.startswith("#"):
                lines.append(line)
        return lines

    @property
    def runs(self):
        return self.lang == "bash" and not self.mark


def blocks(page):
    text = page.read_text(encoding="utf-8")
    return [
        Block(page, text.count("\n", 0, m.start()) + 1, m["lang"], m["mark"] or "", m["body"])
        for m in BLOCK.finditer(text)
    ]


class Scratch:
    """A scratch copy of the checkout: its files, environment and first state, and the
    scratch PostgreSQL databases made for it (dropped with it)."""

    def __init__(self, root, env, stack):
        self.root, self.env, self._stack = root, env, stack
        self._template = None

    def __iter__(self):  # root, env = scratch
        return iter((self.root, self.env))

    def reset(self):
        """Back to the first state: the migrated SQLite database with the demo data, no files."""
        shutil.copy2(self.root / "pristine.sqlite3", self.root / "db.sqlite3")
        for folder in ("backups", "media"):
            shutil.rmtree(self.root / folder, ignore_errors=True)
        (self.root / "sandbox_settings.py").unlink(missing_ok=True)

    def postgresql_database(self, *, empty=False):
        """A new scratch PostgreSQL database, migrated with the demo data unless `empty`.

        Fails, never skips, when the server is missing: the docs show what it prints.
        """
        name = f"piliquarts_docs_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        if empty:
            self._postgres(["createdb", name])
            return name
        if self._template is None:
            template = f"{name}_template"
            self._postgres(["createdb", template])
            env = self.env | postgresql_env(template)
            for step in (["migrate", "-v", "0"], ["seed_demo", "-v", "0"]):
                subprocess.run(
                    ["python", "manage.py", *step], cwd=self.root, env=env, check=True,
                    capture_output=True,
                )  # fmt: skip
            self._template = template
        self._postgres(["createdb", "-T", self._template, name])
        return name

    def _postgres(self, command):
        result = subprocess.run(command, env=self.env | POSTGRES, capture_output=True, text=True)
        if result.returncode:
            raise AssertionError(
                f"{' '.join(command)}: PostgreSQL is needed at {POSTGRES['PGHOST']}:"
                f"{POSTGRES['PGPORT']} (`make system-deps` starts it):\n{result.stderr}"
            )
        self._stack.callback(
            subprocess.run, ["dropdb", "--if-exists", "--force", command[-1]],
            env=self.env | POSTGRES, capture_output=True,
        )  # fmt: skip


def postgresql_env(database):
    url = f"postgres://{POSTGRES['PGUSER']}@{POSTGRES['PGHOST']}:{POSTGRES['PGPORT']}/{database}"
    return POSTGRES | {"DATABASE_URL": url}


@contextmanager
def scratch_checkout():
    """A copy of the checkout's tracked files after the README's set-up, and its environment."""
    with tempfile.TemporaryDirectory(prefix="piliquarts-docs-") as folder, ExitStack() as stack:
        root = Path(folder) / "checkout"
        files = subprocess.run(
            ["git", "ls-files", "-z"], cwd=BASE_DIR, capture_output=True, text=True, check=True
        ).stdout.split("\0")
        for name in filter(None, files):
            source = BASE_DIR / name
            if source.is_file():
                target = root / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        (root / ".venv").symlink_to(BASE_DIR / ".venv")
        for mo in (BASE_DIR / "locale").rglob("*.mo"):
            shutil.copy2(mo, root / mo.relative_to(BASE_DIR))
        env = {
            key: value
            for key, value in os.environ.items()
            if key in ("HOME", "LANG", "LC_ALL", "TERM", "USER")
        }
        env |= {
            "PATH": f"{root / '.venv' / 'bin'}:{os.environ['PATH']}",
            "VIRTUAL_ENV": str(root / ".venv"),
            "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
            "MEDIA_ROOT": str(root / "media"),
        }
        for step in (["migrate", "-v", "0"], ["seed_demo", "-v", "0"]):
            subprocess.run(
                ["python", "manage.py", *step], cwd=root, env=env, check=True,
                capture_output=True,
            )  # fmt: skip
        shutil.copy2(root / "db.sqlite3", root / "pristine.sqlite3")
        yield Scratch(root, env, stack)


def run(command, root, env, *, check=True):
    result = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", command], cwd=root, env=env,
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    if check and result.returncode:
        raise AssertionError(
            f"{command!r} exited {result.returncode}:\n{result.stdout}{result.stderr}"
        )
    return result


class Session:
    """One output's run in the scratch checkout, from its first state: what is prepared out
    of sight, and the commands shown with what they print, as a terminal would show them."""

    def __init__(self, scratch, *, postgresql=False, empty=False):
        scratch.reset()
        self.root, self.env, self.database = scratch.root, dict(scratch.env), None
        if postgresql:
            self.database = scratch.postgresql_database(empty=empty)
            self.env |= postgresql_env(self.database)
        self.shown = ""

    def install_sandbox(self, case):
        """The migration tests' sandbox app, with the migrations of `case`
        (migrations_workflow/tests/sandbox/CASE), as if the project had it."""
        (self.root / "sandbox_settings.py").write_text(
            "from piliquarts.settings import *\n\n"
            'INSTALLED_APPS = [*INSTALLED_APPS, "migrations_workflow.tests.sandbox"]\n'
            f'MIGRATION_MODULES = {{"sandbox": "migrations_workflow.tests.sandbox.{case}"}}\n'
        )
        self.env["DJANGO_SETTINGS_MODULE"] = "sandbox_settings"

    def prepare(self, command):
        """Run `command` out of sight; it must succeed."""
        run(command, self.root, self.env)

    def python(self, code):
        """Run Django code out of sight (`manage.py shell`)."""
        self.prepare(f"python manage.py shell -v 0 -c {shlex.quote(code)}")

    def show(self, command):
        """Run `command` and add it to the output shown, with what it printed (and its exit
        status when not 0); the scratch database and checkout appear under the docs' names
        (`piliquarts`, /srv/piliquarts)."""
        result = run(command, self.root, self.env, check=False)
        printed = (result.stdout + result.stderr).rstrip("\n")
        shown = f"$ {command}\n{printed}\n" if printed else f"$ {command}\n"
        if result.returncode:
            shown += f"$ echo $?\n{result.returncode}\n"
        shown = shown.replace(str(self.root), SHOWN_CHECKOUT)
        if self.database:
            shown = shown.replace(self.database, SHOWN_DATABASE)
        self.shown += shown
        return self


def generated_outputs(page):
    return list(OUTPUT.finditer(page.read_text(encoding="utf-8")))


def on_postgresql(match):
    from docgen import scenarios

    command = match["command"]
    if command.startswith("scenario "):
        return scenarios.SCENARIOS[command.removeprefix("scenario ")].postgresql
    return match["server"] == "postgresql"


def render_output(match, scratch):
    """What the marker's command or scenario shows, run from the scratch checkout's first state."""
    from docgen import scenarios

    command = match["command"]
    if command.startswith("scenario "):
        return scenarios.SCENARIOS[command.removeprefix("scenario ")].render(scratch)
    session = Session(scratch, postgresql=match["server"] == "postgresql")
    return session.show(f"python manage.py {command}").shown


def normalized(text):
    for pattern, placeholder in VARYING:
        text = pattern.sub(placeholder, text)
    return text


def stale_outputs(write=False, checkout=None, *, postgresql=None):
    """[(page, marker)] whose shown output is not what is printed; rewritten if asked.

    `postgresql`: only the outputs made on PostgreSQL (True) or only the others (False).
    """
    if checkout is None:
        with scratch_checkout() as made:
            return stale_outputs(write, made, postgresql=postgresql)
    stale = []
    for page in pages():
        text = page.read_text(encoding="utf-8")
        # From the end, so the offsets of the earlier blocks stay right.
        for match in reversed(generated_outputs(page)):
            if postgresql is not None and on_postgresql(match) != postgresql:
                continue
            fresh = render_output(match, checkout)
            if normalized(fresh) != normalized(match["body"]):
                label = match["command"] + (" | postgresql" if match["server"] else "")
                stale.append((page, label))
                text = text[: match.start("body")] + fresh + text[match.end("body") :]
        if write and stale:
            page.write_text(text, encoding="utf-8")
    return stale
