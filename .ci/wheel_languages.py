"""Does the installed wheel speak every language of the source tree? (run by .ci/run)

``python .ci/wheel_languages.py WHEEL VENV_BIN`` checks, from a clean install with no source
tree on the path:

1. the wheel's language files are exactly ``git ls-files locales`` (catalogues, phrase and
   safety files, labelled examples), nothing lost, nothing stale;
2. in each of the seven languages, through the sandbox: ``/start`` answers with that
   language's welcome, a question about the next theme meeting is answered in that language,
   and a danger message gets 112 on the first line of its reply, in that language, also when
   it comes from a phone set to Swedish.

The expected sentences are read from the source tree's catalogues (not from the wheel), so a
wheel that lost a catalogue cannot pass by answering in the fallback language.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent

WELCOME = (
    'Hi! I am the bot for "{promise}", the promise from the police and the '
    "municipality to make our municipality safer.\n\n"
    'Ask me in your own words, for example "when is the next theme meeting?". '
    "See upcoming events with /events, how the promise is going with /progress, "
    "and get fraud tips with /tips."
)
# A question about the next meeting gets that meeting, or the list of what is coming up.
EVENTS = ("The next one:", "Coming up:", "Coming up in the next 60 days:")
EMERGENCY = "{emergency} – call now if someone is in danger or it is happening now."

# A question and a danger message per language, as a resident would type them.
TEXTS = {
    "sv": ("när är nästa tematräff", "det brinner i huset hjälp"),
    "en": ("when is the next theme meeting", "help my house is on fire"),
    "fi": ("milloin on seuraava teematapaaminen", "talo palaa apua"),
    "ar": ("متى اللقاء الموضوعي القادم", "ساعدوني البيت يحترق"),
    "fa": ("جلسه موضوعی بعدی کیه", "کمک خونه آتیش گرفته"),
    "so": ("goorma ayuu yahay kulanka mawduuca xiga", "gurigu wuu gubanayaa caawimaad"),
    "pl": ("kiedy jest następne spotkanie tematyczne", "pomocy dom się pali"),
}


def translated(lang: str, msgid: str) -> str:
    path = ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang)
    message = catalog.get(msgid)
    if lang == "en" or message is None or not message.string:
        return msgid
    return str(message.string)


def plain(line: str) -> str:
    """Without the direction marks and isolates that keep numbers upright in Arabic script."""
    return "".join(c for c in line if c not in "\u200e\u200f\u2066\u2067\u2068\u2069")


def wheel_files(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as z:
        return sorted(n for n in z.namelist() if n.startswith("locales/"))


def source_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "locales"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return sorted(out.split())


def chat(venv_bin: Path, lang: str, lines: list[str]) -> str:
    script = "\n".join([*lines, ":quit"]) + "\n"
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "PYTHONPATH")}
    with tempfile.TemporaryDirectory() as away:  # no source tree on the path
        done = subprocess.run(
            [str(venv_bin / "trygghetsbot"), "sandbox", "--lang", lang],
            input=script,
            capture_output=True,
            text=True,
            cwd=away,
            env=env,
            timeout=120,
        )
    if done.returncode != 0:
        raise SystemExit(f"{lang}: the sandbox failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def replies(transcript: str) -> list[str]:
    """The bot's reply to each message sent, in order."""
    parts = transcript.split("resident> ")[1:]
    return ["\n".join(p.splitlines()[1:]).strip() for p in parts]


def main() -> int:
    wheel, venv_bin = Path(sys.argv[1]), Path(sys.argv[2])
    failures: list[str] = []
    in_wheel, in_git = wheel_files(wheel), source_files()
    if in_wheel != in_git:
        lost = sorted(set(in_git) - set(in_wheel))
        extra = sorted(set(in_wheel) - set(in_git))
        failures.append(f"language files differ from git: lost {lost}, extra {extra}")
    else:
        print(f"wheel: all {len(in_git)} language files of the source tree are in the wheel")
    for lang, (question, danger) in TEXTS.items():
        # The danger message twice: from a phone in the language, then from a phone set to
        # Swedish (answered in the language of the text all the same).
        lines = ["/start", question, danger, ":lang sv", danger]
        start, asked, alarmed, _lang, from_swedish_phone = replies(chat(venv_bin, lang, lines))[:5]
        welcome = translated(lang, WELCOME).split("{promise}")[0].strip()
        if welcome not in start:
            failures.append(f"{lang}: /start did not answer {welcome!r}:\n{start}")
        if not any(translated(lang, msgid) in asked for msgid in EVENTS):
            failures.append(f"{lang}: {question!r} did not get the next meeting:\n{asked}")
        first = plain(alarmed.splitlines()[0] if alarmed else "")
        expected = plain(translated(lang, EMERGENCY).format(emergency="112"))
        if not first.startswith("112") or first != expected:
            failures.append(f"{lang}: {danger!r} did not get 112 first:\n{alarmed}")
        first = plain(from_swedish_phone.splitlines()[0] if from_swedish_phone else "")
        if first != expected:
            failures.append(f"{lang}: from a Swedish phone, not in {lang}:\n{from_swedish_phone}")
        if not failures:
            print(f"wheel: {lang}: /start, a question and a danger message answered in {lang}")
    for failure in failures:
        print("FAIL", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
