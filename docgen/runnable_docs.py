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
"""

import os
import re
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
BLOCK = re.compile(
    r"(?:<!-- docs-test: (?P<mark>[^>]*?) -->\n)?```(?P<lang>bash|console)\n(?P<body>.*?)```", re.S
)
OUTPUT = re.compile(
    r"<!-- docs-output: (?P<command>.+?) -->\n```console\n(?P<body>.*?)```\n<!-- /docs-output -->",
    re.S,
)
# What varies from run to run: times, checksums, generated names.
VARYING = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?"), "<time>"),
    (re.compile(r"\d{8}-\d{6}"), "<stamp>"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "<sha256>"),
]


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


@contextmanager
def scratch_checkout():
    """A copy of the checkout's tracked files after the README's set-up, and its environment."""
    with tempfile.TemporaryDirectory(prefix="piliquarts-docs-") as folder:
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
        yield root, env


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


def generated_outputs(page):
    return list(OUTPUT.finditer(page.read_text(encoding="utf-8")))


def render_output(command, root, env):
    """`$ python manage.py COMMAND` and what it printed, from the scratch checkout's first state."""
    shutil.copy2(root / "pristine.sqlite3", root / "db.sqlite3")
    shutil.rmtree(root / "backups", ignore_errors=True)
    result = run(f"python manage.py {command}", root, env, check=False)
    printed = (result.stdout + result.stderr).rstrip("\n")
    shown = f"$ python manage.py {command}\n{printed}\n"
    if result.returncode:
        shown += f"$ echo $?\n{result.returncode}\n"
    return shown


def normalized(text):
    for pattern, placeholder in VARYING:
        text = pattern.sub(placeholder, text)
    return text


def stale_outputs(write=False, checkout=None):
    """[(page, command)] whose shown output is not what the command prints; rewritten if asked."""
    if checkout is None:
        with scratch_checkout() as made:
            return stale_outputs(write, made)
    root, env = checkout
    stale = []
    for page in pages():
        text = page.read_text(encoding="utf-8")
        # From the end, so the offsets of the earlier blocks stay right.
        for match in reversed(generated_outputs(page)):
            fresh = render_output(match["command"], root, env)
            if normalized(fresh) != normalized(match["body"]):
                stale.append((page, match["command"]))
                text = text[: match.start("body")] + fresh + text[match.end("body") :]
        if write and stale:
            page.write_text(text, encoding="utf-8")
    return stale
