"""The staff report parser and the personal-data checker, against hand-labelled one-liners."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.promise import Promise, load_promise
from bot.language.pii import REDACTED, find_pii, luhn_ok, pii_kinds, redact
from bot.language.report_parser import ParsedReport, parse_report

EXAMPLES_FILE = Path(__file__).parent / "data" / "report_examples.toml"
PROMISE = load_promise()
THURSDAY = date(2024, 3, 14)


@dataclass(frozen=True)
class Example:
    text: str
    today: date
    commitment: str | None
    date: date | None
    # Count, place and pii are only labelled where the text makes them clear.
    count: int | None
    check_count: bool
    place: str | None
    check_place: bool
    pii: list[str] | None


def _blank_is_none(value: Any) -> Any:
    # TOML has no null, so the examples file writes "" for "the parser must find nothing".
    return None if value == "" else value


def _load_examples() -> list[Example]:
    data = tomllib.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    examples = []
    for raw in data["example"]:
        examples.append(
            Example(
                text=raw["text"],
                today=raw["today"],
                commitment=raw["commitment"] or None,
                date=raw["date"] or None,
                count=_blank_is_none(raw.get("count")),
                check_count="count" in raw,
                place=_blank_is_none(raw.get("place")),
                check_place="place" in raw,
                pii=raw.get("pii"),
            )
        )
    return examples


EXAMPLES = _load_examples()


def _parse(text: str, today: date = THURSDAY, promise: Promise = PROMISE) -> ParsedReport:
    return parse_report(text, promise, today)


# --------------------------------------------------------------------------------------------
# The labelled examples


def test_examples_cover_every_commitment_and_language() -> None:
    assert len(EXAMPLES) >= 150
    labelled = {e.commitment for e in EXAMPLES}
    assert set(PROMISE.ids) <= labelled
    assert None in labelled
    assert sum(1 for e in EXAMPLES if e.date is None) >= 10
    assert sum(1 for e in EXAMPLES if e.count is not None) >= 40


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.text[:50] for e in EXAMPLES])
def test_example(example: Example) -> None:
    parsed = parse_report(example.text, PROMISE, example.today)
    assert parsed.commitment == example.commitment
    assert parsed.date == example.date
    if example.check_count:
        assert parsed.count == example.count
    if example.check_place:
        assert parsed.place == example.place
    if example.pii is not None:
        assert list(parsed.pii) == example.pii


def test_commitment_accuracy_over_the_examples() -> None:
    right = sum(parse_report(e.text, PROMISE, e.today).commitment == e.commitment for e in EXAMPLES)
    accuracy = right / len(EXAMPLES)
    assert accuracy >= 0.95, f"commitment accuracy {accuracy:.1%}"


# --------------------------------------------------------------------------------------------
# Specific behaviour


def test_brief_examples() -> None:
    r = _parse("Tematräff på Trygghetscentret igår, 23 deltagare")
    assert (r.commitment, r.date, r.count, r.place) == (
        "theme_meeting",
        date(2024, 3, 13),
        23,
        "Trygghetscentret",
    )
    r = _parse("synlighetsinsats bro centrum fre 18-21")
    assert (r.commitment, r.date, r.count, r.place) == (
        "visibility_effort",
        date(2024, 3, 8),
        None,
        "Bro centrum",
    )
    r = _parse("Narkotikainsats med Härnevi 12/3")
    assert (r.commitment, r.date) == ("narcotics_operation", date(2024, 3, 12))
    r = _parse(
        "Föreläsning för föräldrar i aulan på Upplands-Bro gymnasium i förrgår, ca 60 föräldrar"
    )
    assert (r.commitment, r.date, r.count) == ("parent_lecture", date(2024, 3, 12), 60)
    assert r.place is not None and "Upplands-Bro gymnasium" in r.place
    r = _parse("mobile dialogue with the bus at Brogård today")
    assert (r.commitment, r.date, r.place) == ("mobile_dialogue", THURSDAY, "Brogård")
    assert _parse("GVI-möte med Kriminalvården").commitment == "gvi"
    assert _parse("informationsträff för SPF seniorer om bedrägerier").commitment == (
        "senior_fraud_info"
    )


def test_to_json_has_exactly_the_contract_keys() -> None:
    r = _parse("Tematräff på Trygghetscentret igår, 23 deltagare, ring 070-123 45 67")
    assert r.to_json() == {
        "commitment": "theme_meeting",
        "date": "2024-03-13",
        "count": 23,
        "place": "Trygghetscentret",
        "pii": ["phone"],
        # Added for the promise's conditions (additive: the five keys above are unchanged).
        "conditions": {"trygghetscenter": "met"},
    }
    assert _parse("hej").to_json() == {
        "commitment": None,
        "date": None,
        "count": None,
        "place": None,
        "pii": [],
        "conditions": {},
    }


def test_score_is_a_confidence() -> None:
    assert _parse("tematräff").score > 80
    assert _parse("hej hopp").score == 0
    for text in ("tematraff", "synlighets insats", "dialog med föräldrar"):
        assert 0 <= _parse(text).score <= 100


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("idag", THURSDAY),
        ("i dag", THURSDAY),
        ("today", THURSDAY),
        ("igår", date(2024, 3, 13)),
        ("i går", date(2024, 3, 13)),
        ("yesterday", date(2024, 3, 13)),
        ("i förrgår", date(2024, 3, 12)),
        ("förrgår", date(2024, 3, 12)),
        ("day before yesterday", date(2024, 3, 12)),
        ("måndag", date(2024, 3, 11)),
        ("mån", date(2024, 3, 11)),
        ("tis", date(2024, 3, 12)),
        ("ons", date(2024, 3, 13)),
        ("tors", THURSDAY),
        ("tor", THURSDAY),
        ("torsdag", THURSDAY),
        ("fre", date(2024, 3, 8)),
        ("lör", date(2024, 3, 9)),
        ("sön", date(2024, 3, 10)),
        ("monday", date(2024, 3, 11)),
        ("tue", date(2024, 3, 12)),
        ("wed", date(2024, 3, 13)),
        ("thu", THURSDAY),
        ("fri", date(2024, 3, 8)),
        ("sat", date(2024, 3, 9)),
        ("sun", date(2024, 3, 10)),
        ("12/3", date(2024, 3, 12)),
        ("14/3", THURSDAY),
        ("15/3", date(2023, 3, 15)),
        ("12 mars", date(2024, 3, 12)),
        ("12 march", date(2024, 3, 12)),
        ("March 12", date(2024, 3, 12)),
        ("2023-03-12", date(2023, 3, 12)),
        ("24 dec", date(2023, 12, 24)),
        ("31/2", None),
        ("2024-02-30", None),
        ("29/2", date(2024, 2, 29)),
        ("i fredags", date(2024, 3, 8)),
        ("i torsdags", date(2024, 3, 7)),
        ("kl 18-21", None),
        ("23 deltagare", None),
    ],
)
def test_dates(text: str, expected: date | None) -> None:
    assert _parse(f"tematräff {text}").date == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Counted back from today (Thursday 14 March 2024), in Swedish and English.
        ("3 days ago", date(2024, 3, 11)),
        ("two days ago", date(2024, 3, 12)),
        ("a couple of days ago", date(2024, 3, 12)),
        ("a week ago", date(2024, 3, 7)),
        ("2 weeks ago", date(2024, 2, 29)),
        ("4 days back", date(2024, 3, 10)),
        ("för 3 dagar sedan", date(2024, 3, 11)),
        ("för tre dagar sen", date(2024, 3, 11)),
        ("för ett par dagar sedan", date(2024, 3, 12)),
        ("2 dgr sen", date(2024, 3, 12)),
        ("för en vecka sedan", date(2024, 3, 7)),
        ("för två veckor sen", date(2024, 2, 29)),
        # A weekday of last week, not the most recent one.
        ("monday last week", date(2024, 3, 4)),
        ("last week on friday", date(2024, 3, 8)),
        ("i måndags förra veckan", date(2024, 3, 4)),
        ("förra veckan på tisdag", date(2024, 3, 5)),
        ("mån förra veckan", date(2024, 3, 4)),
        # What was understood before stays as it was.
        ("förra måndagen", date(2024, 3, 11)),
        ("last tuesday", date(2024, 3, 12)),
        ("the day before yesterday", date(2024, 3, 12)),
        ("i förrgår kväll", date(2024, 3, 12)),
    ],
)
def test_days_counted_back(text: str, expected: date) -> None:
    assert _parse(f"tematräff {text}").date == expected


def test_the_number_in_days_ago_is_not_a_count() -> None:
    en = _parse("tematräff 3 days ago 12 people")
    assert (en.date, en.count) == (date(2024, 3, 11), 12)
    sv = _parse("tematräff för 2 dagar sedan, 25 deltagare")
    assert (sv.date, sv.count) == (date(2024, 3, 12), 25)


def test_leap_day_without_year_goes_back_to_a_leap_year() -> None:
    assert _parse("29/2", today=date(2025, 6, 1)).date == date(2024, 2, 29)


def test_swedish_words_that_look_like_weekday_abbreviations_are_not_dates() -> None:
    assert _parse("man kan säga att det gick bra").date is None
    assert _parse("hans son var med").date is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23 deltagare", 23),
        ("ca 60 föräldrar", 60),
        ("about 40 people", 40),
        ("45 personer", 45),
        ("30 st", 30),
        ("20 besökare", 20),
        ("15 participants", 15),
        ("attendees 12", 12),
        ("deltagare: 8", 8),
        ("ett 20-tal unga", 20),
        ("40 glada pensionärer", 40),
        ("fre 18-21", None),
        ("kl 18", None),
        ("12/3", None),
        ("2024-03-12", None),
        ("8 poliser", None),
        ("811228-9874 deltagare", None),
        ("999999 personer", None),
    ],
)
def test_counts(text: str, expected: int | None) -> None:
    assert _parse(f"tematräff {text}").count == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tematräff på Trygghetscentret igår", "Trygghetscentret"),
        ("synlighetsinsats bro centrum", "Bro centrum"),
        ("synlighetsinsats upplands bro gymnasium", "Upplands-Bro gymnasium"),
        ("patrol in Bro centre", "Bro centrum"),
        ("tematräff i Kulturhuset igår, 10 pers", "Kulturhuset"),
        ("mobil dialog vid ICA Kvantum i dag", "ICA Kvantum"),
        ("synlighetsinsats i går kväll", None),
        ("patrol in the morning", None),
        ("tematräff i samarbete med SPF", None),
    ],
)
def test_places(text: str, expected: str | None) -> None:
    assert _parse(text).place == expected


def test_trygghetscentret_as_place_does_not_outvote_the_activity() -> None:
    assert _parse("Föreläsning på Trygghetscentret").commitment == "parent_lecture"
    assert _parse("Tematräff på Trygghetscentret").commitment == "theme_meeting"
    assert _parse("synlighetsinsats utanför trygghetscentret").commitment == "visibility_effort"


def test_ambiguous_text_gives_no_commitment() -> None:
    assert _parse("dialog med föräldrar").commitment is None
    assert _parse("bra dag").commitment is None
    assert _parse("").commitment is None


def test_pii_is_reported() -> None:
    assert _parse("synlighetsinsats, ring 070-123 45 67").pii == ("phone",)
    assert _parse("tematräff 811228-9874 anna@example.com").pii == ("email", "personnummer")


def test_commitments_the_promise_does_not_define_are_never_returned() -> None:
    data = PROMISE.model_dump()
    data["commitments"] = [c for c in data["commitments"] if c["id"] != "gvi"]
    smaller = Promise.model_validate(data)
    assert _parse("GVI-möte med Kriminalvården", promise=smaller).commitment is None


# --------------------------------------------------------------------------------------------
# Properties


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_parse_never_raises(text: str) -> None:
    parsed = _parse(text)
    assert parsed.count is None or 0 <= parsed.count <= 100_000
    assert 0 <= parsed.score <= 100
    assert parsed.commitment is None or parsed.commitment in PROMISE.ids
    parsed.to_json()


_WORDS = st.sampled_from(
    [
        "tematräff",
        "igår",
        "fre",
        "12/3",
        "ca",
        "23",
        "deltagare",
        "på",
        "i",
        "Bro",
        "kl",
        "18-21",
        "synlighetsinsats",
        "i förrgår",
        "mån",
        ",",
        "at",
        "today",
        "Brogård",
        "-",
        "+46",
        "070",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=12))
def test_parse_never_raises_on_report_like_text(words: list[str]) -> None:
    _parse(" ".join(words))


@settings(max_examples=300, deadline=None)
@given(
    day=st.integers(1, 31),
    month=st.integers(1, 12),
    today=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
)
def test_day_month_without_year_is_never_after_today(day: int, month: int, today: date) -> None:
    parsed = parse_report(f"tematräff {day}/{month}", PROMISE, today)
    if parsed.date is not None:
        assert parsed.date <= today
        assert (parsed.date.day, parsed.date.month) == (day, month)
        assert today - parsed.date < timedelta(days=366 * 8)


def _with_check_digit(nine: str) -> str:
    for last in "0123456789":
        if luhn_ok(nine + last):
            return nine + last
    raise AssertionError("unreachable: one check digit always fits")


@st.composite
def personnummer(draw: st.DrawFn) -> str:
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31)))
    coordination = draw(st.booleans())
    day = born.day + (60 if coordination else 0)
    serial = draw(st.integers(0, 999))
    ten = _with_check_digit(f"{born:%y%m}{day:02d}{serial:03d}")
    form = draw(st.sampled_from(["dash", "plain", "twelve", "twelve_dash", "plus"]))
    if form == "dash":
        return f"{ten[:6]}-{ten[6:]}"
    if form == "plus":
        return f"{ten[:6]}+{ten[6:]}"
    if form == "plain":
        return ten
    century = f"{born:%Y}"[:2]
    return f"{century}{ten[:6]}{'-' if form == 'twelve_dash' else ''}{ten[6:]}"


@settings(max_examples=300, deadline=None)
@given(
    number=personnummer(),
    before=st.sampled_from(["", "pnr ", "Anna ", "tematräff igår, ", "(", "personnr: "]),
    after=st.sampled_from(["", " ringde", ", 23 deltagare", ")", ".", " idag"]),
)
def test_valid_personnummer_is_found_and_redacted(number: str, before: str, after: str) -> None:
    text = before + number + after
    assert "personnummer" in pii_kinds(text)
    cleaned = redact(text)
    assert number not in cleaned
    assert REDACTED in cleaned
    assert not any(ch.isdigit() for ch in cleaned.replace(after, "").replace(before, ""))


# --------------------------------------------------------------------------------------------
# Personal data unit tests


def test_luhn() -> None:
    assert luhn_ok("8112289874")
    assert not luhn_ok("8112289875")
    assert not luhn_ok("abc")


@pytest.mark.parametrize(
    "text",
    [
        "811228-9874",
        "8112289874",
        "19811228-9874",
        "198112289874",
        "811228+9874",
        "811228 9874",
        "pnr: 811228-9874, tack",
        "811288-9871",  # samordningsnummer: day 28 + 60
    ],
)
def test_personnummer_found(text: str) -> None:
    assert pii_kinds(text) == ["personnummer"]


@pytest.mark.parametrize(
    "text",
    [
        "811228-9875",  # wrong check digit
        "811328-9871",  # month 13
        "810230-1234",  # 30 February
        "2024-03-12",
        "2024-03-12 kl 18-21",
        "23 deltagare",
        "ordernummer 12345678901234",
        "18-21",
        "1/3-15/3",
    ],
)
def test_not_personnummer(text: str) -> None:
    assert "personnummer" not in pii_kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "070-123 45 67",
        "0701234567",
        "070 123 45 67",
        "+46 70 123 45 67",
        "+46701234567",
        "0046 70 123 45 67",
        "08-123 456 78",
        "08-581 690 00",
        "018-12 34 56",
        "ring mig på 073-9876543 efter 17",
    ],
)
def test_phone_found(text: str) -> None:
    hits = find_pii(text)
    assert [h.kind for h in hits] == ["phone"]


@pytest.mark.parametrize(
    "text",
    [
        "ring 112",
        "ring 114 14",
        "Ring 114 14 eller 112 vid fara",
        "2024-03-12",
        "fre 18-21",
        "kl 18.00-21.00",
        "12/3 23 deltagare",
        "070",
        "0701",
    ],
)
def test_no_phone(text: str) -> None:
    assert find_pii(text) == []


def test_personnummer_wins_over_phone() -> None:
    # A personnummer of someone born in the 2000s starts with 0, like a phone number.
    number = _with_check_digit("050101238")
    assert pii_kinds(number) == ["personnummer"]


@pytest.mark.parametrize(
    "text",
    ["anna@example.com", "kontakt: anna.svensson@upplands-bro.se.", "Per.O+bot@mail.polisen.se"],
)
def test_email_found(text: str) -> None:
    assert pii_kinds(text) == ["email"]


def test_no_email() -> None:
    assert pii_kinds("@polisen på X, anna at example dot com") == []


def test_redact_replaces_every_hit_and_keeps_the_rest() -> None:
    text = "Anna 811228-9874, 070-123 45 67, anna@example.com. 23 deltagare"
    assert redact(text) == f"Anna {REDACTED}, {REDACTED}, {REDACTED}. 23 deltagare"
    assert [h.kind for h in find_pii(text)] == ["personnummer", "phone", "email"]
    assert redact("inget här") == "inget här"


def test_hit_offsets_point_at_the_data() -> None:
    text = "ring 070-123 45 67 nu"
    (hit,) = find_pii(text)
    assert text[hit.start : hit.end] == "070-123 45 67"
