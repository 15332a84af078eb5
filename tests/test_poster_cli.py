"""``trygghetsbot poster EVENT_ID``: a printable poster of a planned public event, with the
deep link whose suggestions are tied to it; anything else is refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import build_parser, resolve
from bot.settings import Settings


def _cli(settings: Settings, *argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    return resolve(args.command)(args, settings)


def test_poster_of_an_imported_event(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "events.csv"
    events.write_text(
        "commitment,starts_at,ends_at,place,title,visibility\n"
        "mobile_dialogue,2030-05-20T16:00,2030-05-20T19:00,Bro torg,Kommunbussen i Bro,public\n"
        "theme_meeting,2030-05-21T18:00,2030-05-21T20:00,Trygghetscenter,Intern,after\n",
        encoding="utf-8",
    )
    assert _cli(settings, "import-events", str(events)) == 0
    out = tmp_path / "poster.html"
    assert _cli(settings, "poster", "1", "--bot-username", "@TrygghetsBot", "--out", str(out)) == 0
    assert "https://t.me/TrygghetsBot?start=s_1" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert "<svg" in page and "Kommunbussen i Bro" in page and "Bro torg" in page
    assert 'lang="ar" dir="rtl"' in page
    # An event residents may not see yet gets no poster.
    assert _cli(settings, "poster", "2", "--bot-username", "TrygghetsBot") == 1
    assert "not a planned public event" in capsys.readouterr().err
