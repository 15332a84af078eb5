"""The promise file: the bundled default, the template, and errors that name the field."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from bot.cli.main import build_parser, resolve
from bot.cli.promise_check import check_promise
from bot.domain.promise import Cadence, PromiseError, Visibility, load_promise, parse_promise
from bot.settings import Settings

BUNDLED = resources.files("bot") / "promises" / "upplands-bro-2022-2024.toml"
TEMPLATE = Path(str(resources.files("bot") / "promises" / "template.toml"))


def test_bundled_promise_has_the_eight_commitments() -> None:
    promise = load_promise()
    assert promise.ids == (
        "gvi",
        "mobile_dialogue",
        "theme_meeting",
        "youth_trust_model",
        "narcotics_operation",
        "parent_lecture",
        "visibility_effort",
        "senior_fraud_info",
    )
    assert promise.window.start == date(2022, 7, 1)
    assert promise.window.end == date(2024, 12, 31)
    assert promise.window_assumption and "assumed" in promise.window_assumption
    assert promise.commitment("theme_meeting").target == 2
    assert promise.commitment("gvi").visibility is Visibility.COUNT_ONLY
    assert promise.commitment("senior_fraud_info").cadence is Cadence.TRACKED
    for c in promise.commitments:
        assert c.title.get("sv") and c.title.get("en")


def test_template_is_a_valid_promise() -> None:
    code, text = check_promise(TEMPLATE)
    assert code == 0, text
    assert "theme_meeting" in text and "youth_model" in text


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = BUNDLED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "field", "why"),
    [
        ('cadence = "term"', 'cadence = "fortnight"', "commitments['mobile_dialogue'].cadence", ""),
        ("target = 2", "target = -2", "commitments['theme_meeting'].target", "greater than"),
        ("due = 2023-12-31\n", "", "commitments['gvi']", "due date"),
        ('id = "theme_meeting"', 'id = "mobile_dialogue"', "(file)", "duplicate commitment id"),
        ("end = 2024-12-31", "end = 2021-12-31", "window", "before"),
        ('visibility = "public"', 'visibility = "secret"', "visibility", ""),
    ],
)
def test_check_promise_names_the_bad_field(
    tmp_path: Path, old: str, new: str, field: str, why: str
) -> None:
    code, text = check_promise(_broken(tmp_path, old, new))
    assert code == 1
    assert field in text
    assert why in text


def test_not_toml_and_missing_file_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("id = [unclosed", encoding="utf-8")
    code, text = check_promise(bad)
    assert code == 1 and "not valid TOML" in text
    code, text = check_promise(tmp_path / "nope.toml")
    assert code == 1 and "cannot read" in text


def test_parse_promise_raises_with_all_problems() -> None:
    with pytest.raises(PromiseError) as info:
        parse_promise('id = "x"\n', "mini.toml")
    assert any("commitments" in p for p in info.value.problems)
    assert any("window" in p for p in info.value.problems)


def test_cli_check_promise(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = build_parser().parse_args(["check-promise"])
    assert resolve("check-promise")(args, Settings()) == 0
    out = capsys.readouterr().out
    assert "8 commitments" in out and "2022-07-01" in out
    args = build_parser().parse_args(["check-promise", str(tmp_path / "missing.toml")])
    assert resolve("check-promise")(args, Settings()) == 1
    assert "missing.toml" in capsys.readouterr().err
