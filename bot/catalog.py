"""Catalogue maintenance: extract, update, compile and check (``python -m bot.catalog``).

The workflow (also in docs/languages.md):
    python -m bot.catalog update    # extract msgids to locales/messages.pot, merge into .po
    ...translate the new entries in locales/sv/LC_MESSAGES/messages.po...
    python -m bot.catalog compile   # .po -> .mo (done by `make` and by the test command)
    python -m bot.catalog check     # fails on untranslated, fuzzy or stale messages

English msgids are the English text, so ``update`` fills the English catalogue's new
entries with their msgid; a reviewer can still change any of them.

Swedish and English hold every message. The residents' languages (fi, ar, fa, so, pl) hold the
resident-facing ones: ``locales/scope.toml`` says, as data, which source modules and messages
only staff see; everything else is resident-facing and must be translated in all seven.
"""

from __future__ import annotations

import copy
import os
import re
import sys
import tomllib
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
POT = LOCALES / "messages.pot"
SOURCES = ("bot", "handlers", "storage")
STAFF_LANGS = ("sv", "en")
RESIDENT_LANGS = ("fi", "ar", "fa", "so", "pl")
LANGS = STAFF_LANGS + RESIDENT_LANGS
SCOPE = LOCALES / "scope.toml"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
}


def _po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / "messages.po"


# Page templates (bot/render/templates) say their sentences with ``_()`` and ``ngettext()``
# like the Python code; Jinja2's own extractor reads them, with the environment's whitespace
# settings (bot/render/followup.py), and a template it cannot parse fails the extraction.
METHODS = [("**.py", "python"), ("**.j2", "jinja2.ext:babel_extract")]
TEMPLATE_OPTIONS = {"trim_blocks": "true", "lstrip_blocks": "true", "silent": "false"}


def extract() -> Catalog:
    catalog = Catalog(project="trygghetsbot", version="1", charset="utf-8")
    for folder in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / folder,
            method_map=METHODS,
            options_map={"**.j2": TEMPLATE_OPTIONS},
            keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True,
        ):
            catalog.add(
                message,
                None,
                [(f"{folder}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def _singular(msgid: object) -> str:
    return str(msgid[0] if isinstance(msgid, tuple | list) else msgid)


def _scope() -> tuple[frozenset[str], frozenset[str]]:
    with SCOPE.open("rb") as handle:
        staff = tomllib.load(handle)["staff"]
    return frozenset(staff["modules"]), frozenset(staff["messages"])


def staff_only(template: Catalog) -> set[str]:
    """Singular msgids of the messages only staff and admins see (see locales/scope.toml)."""
    modules, messages = _scope()
    found: set[str] = set()
    for message in template:
        if not message.id:
            continue
        key = _singular(message.id)
        files = {filename for filename, _line in message.locations}
        if key in messages or (files and files <= modules):
            found.add(key)
    return found


def resident_ids(template: Catalog) -> set[str]:
    staff = staff_only(template)
    return {_singular(m.id) for m in template if m.id and _singular(m.id) not in staff}


_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")


def placeholders(text: str) -> set[str]:
    return set(_FIELD.findall(text))


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


# Fixed header values: a catalogue's bytes change only when a message does, so branches that
# add messages merge cleanly (sorted output, no line numbers, no timestamps).
_HEADER_DATE = datetime(2026, 11, 1, tzinfo=UTC)
_TEAMS = {
    "sv": "Swedish",
    "en": "English",
    "fi": "Finnish",
    "ar": "Arabic",
    "fa": "Persian",
    "so": "Somali",
    "pl": "Polish",
}


def _stamp(catalog: Catalog, lang: str | None) -> None:
    catalog.project = "trygghetsbot"
    catalog.version = "1"
    catalog.copyright_holder = "The Trygghetsbot authors"
    catalog.msgid_bugs_address = "https://github.com/trygghetsbot/trygghetsbot/issues"
    catalog.last_translator = "The Trygghetsbot authors"
    catalog.language_team = f"{_TEAMS.get(lang or '', 'LANGUAGE')} (Trygghetsbot)"
    catalog.creation_date = _HEADER_DATE
    catalog.revision_date = _HEADER_DATE
    catalog.header_comment = (
        f"# {_TEAMS.get(lang or '', 'Template for the')} messages of Trygghetsbot.\n"
        "# Distributed under the same license (MIT) as the trygghetsbot package."
    )
    catalog.fuzzy = lang is None  # the template is a template; real catalogues are never fuzzy


def _write(path: Path, catalog: Catalog, lang: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _stamp(catalog, lang)
    with path.open("wb") as handle:
        write_po(
            handle,
            catalog,
            width=100,
            omit_header=False,
            sort_output=True,
            include_lineno=False,
        )


def _ids(catalog: Iterable[object]) -> set[object]:
    return {m.id for m in catalog if m.id}  # type: ignore[attr-defined]


def update() -> None:
    template = extract()
    _write(POT, template)
    staff = staff_only(template)
    for lang in LANGS:
        path = _po_path(lang)
        catalog = _read(path, lang) if path.exists() else Catalog(locale=lang)
        # Babel inserts the template's own message objects; each catalogue needs its copies
        # (the English catalogue fills its new entries in place).
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)
        # Obsolete entries would only confuse translators; they stay in git history.
        catalog.obsolete.clear()
        if lang in RESIDENT_LANGS:
            for message in list(catalog):
                if message.id and _singular(message.id) in staff:
                    catalog.delete(message.id, message.context)
        if lang == "en":
            for message in catalog:
                if message.id and not all(message.string or ("",)):
                    message.string = message.id
        _write(path, catalog, lang)


def compile_all() -> None:
    for lang in LANGS:
        catalog = _read(_po_path(lang), lang)
        mo = _po_path(lang).with_suffix(".mo")
        # Written aside and moved into place: a process reading the catalogue meanwhile (the
        # bot, a parallel test worker compiling too) sees the old file or the new, never half.
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")
        try:
            with partial.open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)
            os.replace(partial, mo)
        finally:
            partial.unlink(missing_ok=True)


def problems() -> list[str]:
    found: list[str] = []
    template = extract()
    template_ids = _ids(template)
    pot_ids = _ids(_read(POT)) if POT.exists() else set()
    if template_ids != pot_ids:
        missing = sorted(map(str, template_ids - pot_ids))[:5]
        extra = sorted(map(str, pot_ids - template_ids))[:5]
        found.append(f"messages.pot is stale (new: {missing}, gone: {extra}); run update")
    listed = _scope()[1]
    known = {_singular(i) for i in template_ids}
    for msgid in sorted(listed - known)[:10]:
        found.append(f"scope.toml lists a message that no longer exists: {msgid!r}")
    residents = resident_ids(template)
    for lang in LANGS:
        catalog = _read(_po_path(lang), lang)
        ids = {_singular(i) for i in _ids(catalog)}
        wanted = known if lang in STAFF_LANGS else residents
        for msgid in sorted(wanted - ids)[:10]:
            found.append(f"{lang}: not in catalogue: {msgid!r}")
        for message in catalog:
            if not message.id:
                continue
            text = message.string
            empty = not text or (isinstance(text, tuple) and not all(text))
            if empty or (lang in RESIDENT_LANGS and _still_english(message.id, text)):
                found.append(f"{lang}: untranslated: {message.id!r}")
            elif message.fuzzy:
                found.append(f"{lang}: fuzzy: {message.id!r}")
            else:
                found.extend(_placeholder_problems(lang, message.id, text))
    return found


_WORD = re.compile(r"[A-Za-z]{4,}")


def _still_english(msgid: object, text: object) -> bool:
    """A resident language's entry that is just the English text (words, not only
    placeholders and symbols) has not been translated."""
    ids = msgid if isinstance(msgid, tuple | list) else (msgid,)
    forms = text if isinstance(text, tuple | list) else (text,)
    english = {str(part) for part in ids}
    return any(str(form) in english and _WORD.search(_FIELD.sub("", str(form))) for form in forms)


def _placeholder_problems(lang: str, msgid: object, text: object) -> list[str]:
    """A translation uses exactly the placeholders of its message, in every plural form."""
    ids = msgid if isinstance(msgid, tuple | list) else (msgid,)
    expected: set[str] = set()
    for part in ids:
        expected |= placeholders(str(part))
    forms = text if isinstance(text, tuple | list) else (text,)
    return [
        f"{lang}: placeholders {sorted(placeholders(str(form)))} "
        f"instead of {sorted(expected)}: {_singular(msgid)!r}"
        for form in forms
        if placeholders(str(form)) != expected
    ]


def merge(fragments: Iterable[Path], lang: str = "sv") -> int:
    """Copy translations from PO fragments into the ``lang`` catalogue (new or empty entries
    only, so a reviewed translation is never overwritten). Returns how many were taken."""
    path = _po_path(lang)
    catalog = _read(path, lang)
    taken = 0
    for fragment in fragments:
        for message in _read(fragment, lang):
            if not message.id or not message.string:
                continue
            current = catalog.get(message.id)
            if current is not None and (not current.string or current.string == ("", "")):
                current.string = message.string
                current.flags.discard("fuzzy")
                taken += 1
    _write(path, catalog, lang)
    return taken


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
    elif command == "merge":
        print(f"merged {merge(Path(p) for p in argv[1:])} translations")
    elif command == "compile":
        compile_all()
    elif command == "check":
        issues = problems()
        for line in issues:
            print(line)
        return 1 if issues else 0
    else:
        print("usage: python -m bot.catalog update|compile|check")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
