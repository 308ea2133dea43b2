"""Finds English left on a rendered page: the detector behind test_spanish_everywhere.

A page is in English where it shows a message of one of the catalogues it draws
on (Django's, its contrib apps', django-axes') in the catalogue's source
language instead of its Spanish translation. Every visible text node and
user-facing attribute (title, placeholder, aria-label, alt, button values) is
compared with every msgid of those catalogues, placeholders matching any text
("Search %(name)s" finds "Search usuarios"). A msgid whose Spanish is the same
word ("No", "Total") is not English. A second net catches English that comes
from no catalogue at all (a column named after a method, a model's English
`__str__`): common English words that are not Spanish ones.
"""

import ast
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.utils import translation

VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
BUTTON_TYPES = ("submit", "button", "reset")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
# Words of English UI text that are not Spanish words (nor names in the demo data).
ENGLISH_WORDS = re.compile(
    r"\b(the|and|with|your|you|this|that|these|are|please|select|selected|click|"
    r"delete|change|add|view|search|filter|history|save|logout|login|log in|log out|"
    r"password|username|attempts?|access|failures?|status|expiration|expires|remaining|"
    r"locked|forbidden|found|error occurred|server error|welcome|home|yes|actions?|"
    r"show|hide|today|now|choose|run|go)\b",
    re.IGNORECASE,
)


def _catalogue_files():
    """Every gettext catalogue of Django and of the installed apps, in any language."""
    roots = [Path(django.__file__).parent / "conf" / "locale"]
    roots += [Path(config.path) / "locale" for config in apps.get_app_configs()]
    roots += [Path(path) for path in settings.LOCALE_PATHS]
    for root in roots:
        yield from root.glob("*/LC_MESSAGES/django.po")


# _("..."), gettext_lazy("...") and the like in an app's Python source.
SOURCE_MESSAGE = re.compile(
    r"""\b(?:_|gettext|gettext_lazy|ngettext|ngettext_lazy|pgettext|pgettext_lazy)\(\s*"""
    r'(?:"(?:[^"\\]|\\.)*",\s*)?"((?:[^"\\]|\\.)+)"'
)


def _source_messages():
    """Messages of installed apps that ship no Spanish catalogue (django-axes), from their source.

    Their catalogues in other languages may lag behind the code; the code is the truth.
    """
    for config in apps.get_app_configs():
        path = Path(config.path)
        installed = "site-packages" in path.parts  # the project's own apps are in Spanish
        if not installed or (path / "locale" / "es").exists():
            continue
        for source in path.rglob("*.py"):
            for text in SOURCE_MESSAGE.findall(source.read_text(encoding="utf-8")):
                yield ast.literal_eval(f'"{text}"')


def _read_po(path):
    """[(msgid, msgstr)] of a .po file; plural entries give their singular and plural."""
    entries, field, values = [], None, {}

    def flush():
        if values.get("msgid"):
            entries.append((values["msgid"], values.get("msgstr", values.get("msgstr[0]", ""))))
            if values.get("msgid_plural"):
                entries.append((values["msgid_plural"], values.get("msgstr[1]", "")))
        values.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            if line.startswith("#~"):
                continue
            if not line.strip() and values:
                flush()
            continue
        if line.startswith('"'):
            values[field] += ast.literal_eval(line)
            continue
        key, _, text = line.partition(" ")
        if key == "msgid" and "msgstr" in values:
            flush()
        field = key
        values[field] = ast.literal_eval(text)
    flush()
    return entries


@cache
def english_messages():
    """(exact msgids, a regex of the msgids with placeholders): what would be English on a page."""
    msgids, same_in_spanish = set(), set()
    for path in _catalogue_files():
        spanish = path.parent.parent.name == "es"
        for msgid, msgstr in _read_po(path):
            msgids.add(msgid)
            if spanish and msgstr == msgid:
                same_in_spanish.add(msgid)
    msgids.update(_source_messages())
    exact, patterns = set(), []
    with translation.override("es"):
        for msgid in msgids:
            text = " ".join(msgid.split())
            literal = PLACEHOLDER.sub("", text)
            if sum(ch.isalpha() for ch in literal) < 3:
                continue  # "%s", "PDF": nothing English to see
            if translation.gettext(msgid) == msgid and msgid in same_in_spanish:
                continue  # "No", "Total": the same word in Spanish
            if PLACEHOLDER.search(text):
                parts = PLACEHOLDER.split(text)
                patterns.append(".+?".join(re.escape(part) for part in parts))
            else:
                # Django capitalizes names on the page ("access attempts" -> "Access attempts").
                exact.update({text, text[:1].upper() + text[1:]})
    return exact, re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


class _VisibleText(HTMLParser):
    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.HIDDEN:
            self.hidden += 1
        for name in VISIBLE_ATTRIBUTES:
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in BUTTON_TYPES and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.append(data)


def visible_texts(html):
    parser = _VisibleText()
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.texts if text.strip()]


def _looks_like_data(text):
    """A path, address or email ("/admin/login/", "a@b.com"): data, whatever its words."""
    return " " not in text and ("/" in text or "@" in text)


def english_on(html, *, allowed=()):
    """The pieces of text of `html` that are English, with why: [(text, reason)]."""
    exact, pattern = english_messages()
    found = []
    for text in visible_texts(html):
        if text in allowed:
            continue
        if text in exact or text.rstrip(":.").strip() in exact:
            found.append((text, "an English message of a catalogue"))
        elif pattern and pattern.fullmatch(text):
            found.append((text, "an English message of a catalogue, with its values"))
        elif _looks_like_data(text):
            continue
        elif match := ENGLISH_WORDS.search(text):
            found.append((text, f"the English word {match.group(0)!r}"))
    return found
