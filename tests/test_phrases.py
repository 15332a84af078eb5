"""The phrase syntax (bot.language.phrases), every phrase file in locales/, their examples, and the
scam
check in every language and of every kind."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.language import emergency, scamcheck
from bot.language.phrases import PhraseError, compile_family, compile_phrase, load_phrase_file
from bot.language.scamcheck import looks_pasted
from bot.language.textkit import tokens

LOCALES = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = ("sv", "en", "fi", "ar", "fa", "so", "pl")


def matches(
    phrase: str, text: str, prefixes: tuple[str, ...] = (), clitics: tuple[str, ...] = ()
) -> bool:
    (pattern,) = compile_family([compile_phrase(phrase, prefixes, clitics).source])
    return pattern.search(" ".join(tokens(text))) is not None


# --- each construct -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "yes", "no"),
    [
        ("brinner", ["det brinner", "Brinner!"], ["brinnerx", "brinn"]),
        ("hjälp mig", ["hjalp mig nu"], ["hjalp", "mig hjalp"]),
        ("brinn*", ["brinn", "brinnande hus"], ["obrinn"]),
        ("*svimm*", ["hon svimmade", "avsvimmning"], ["svim"]),
        ("(kniv|pistol)", ["en kniv", "pistol"], ["knivar"]),
        ("(slog|har slagit) mig", ["han har slagit mig", "slog mig"], ["slagit mig"]),
        ("svarar [inte] nu", ["svarar nu", "svarar inte nu"], ["svarar ej nu"]),
        ("[en|ett] barn", ["ett barn", "barn"], ["ettbarn"]),
        ("folj(er|de)", ["foljer", "foljde"], ["folj", "foljare"]),
        ("neighbo[u]r", ["neighbor", "neighbour"], ["neighbouur"]),
        ("kid ... alone", ["kid alone", "kid is home all alone"], ["kid is at home all day alone"]),
        ("kid ..1 alone", ["kid home alone"], ["kid is home alone"]),
        ("kid ..* alone", ["kid is at home all day alone"], ["alone kid"]),
        ("min _ borta", ["min son borta"], ["min borta", "min son ar borta"]),
        ("# aring", ["5 aring", "5-åring"], ["fem aring"]),
        ("#aring*", ["5aringen"], ["aring"]),
        ("slar !(sonder|upp*) _", ["han slar henne"], ["slar sonder", "slar upp", "slar uppat"]),
        ("don't", ["dont go"], ["do not"]),
    ],
)
def test_each_construct(phrase: str, yes: list[str], no: list[str]) -> None:
    for text in yes:
        assert matches(phrase, text), (phrase, text)
    for text in no:
        assert not matches(phrase, text), (phrase, text)


def test_prefixes_and_clitics_are_glued_to_any_word() -> None:
    assert matches("نار", "والنار", prefixes=("و", "ال", "وال"))
    assert matches("حريق كبير", "حريق والكبير", prefixes=("و", "ال", "وال"))
    assert not matches("نار", "والنار")
    assert matches("apua", "apuakin tarvitaan", clitics=("kin", "kaan"))
    assert matches("ei apua", "eikaan apua", clitics=("kin", "kaan"))
    assert not matches("apua", "apuakin")


def test_the_same_regex_kind_as_before() -> None:
    source = compile_phrase("tack [sa mycket] for (hjalpen|hjalp)").source
    assert source == r"tack(?: (?:sa mycket))? for (?:hjalpen|hjalp)"
    assert compile_phrase("kid ..4 alone").source == r"kid(?: \w+){0,4} alone"
    assert compile_phrase("misshandl*").words == ()
    assert compile_phrase("ring (en ambulans|112)").words == ("ring", "en", "ambulans", "112")


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "reason"),
    [
        (r"misshandl\w*", "backslash"),
        ("neighbou?r", "optional part in [brackets]"),
        ("help+", "'+'"),
        ("(?:a|b)", "'?'"),
        ("a{2,3}", "..N"),
        ("^start", "anywhere"),
        ("end$", "anywhere"),
        ("(a|b", "not closed"),
        ("a)", "without its opening"),
        ("(a|)", "empty alternative"),
        ("[a]", "may match nothing"),
        ("...", "may match nothing"),
        ("a .. b", "gap"),
        ("a..3", "stand alone"),
        ("a ..99 b", "between 1 and 50"),
        ("x_y", "stand alone"),
        ("*", "'_'"),
        ("a !(b)", "followed by a word"),
        ("a %", "not phrase syntax"),
        ("", "empty"),
        ("a\tb", "tabs"),
    ],
)
def test_errors_say_why(phrase: str, reason: str) -> None:
    with pytest.raises(PhraseError) as caught:
        compile_phrase(phrase)
    assert reason in str(caught.value), str(caught.value)
    assert repr(phrase) in str(caught.value)


def test_a_wrong_phrase_in_a_file_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "xx" / "safety.toml"
    path.parent.mkdir()
    path.write_text('[families]\nfire = [\n  "brand",\n  "brinn\\\\w*",\n]\n', encoding="utf-8")
    with pytest.raises(PhraseError) as caught:
        load_phrase_file(path)
    assert f"{path}:4 (fire)" in str(caught.value) and "backslash" in str(caught.value)


def test_examples_must_belong_to_a_family(tmp_path: Path) -> None:
    path = tmp_path / "xx" / "safety.toml"
    path.parent.mkdir()
    path.write_text(
        '[families]\nfire = ["brand"]\n[examples]\nfyre = ["brand"]\n', encoding="utf-8"
    )
    with pytest.raises(PhraseError, match="examples for a family"):
        load_phrase_file(path)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab ()[]|*#_.!?\\{}+^$12é,ال\t")), max_size=30))
def test_the_compiler_never_crashes(phrase: str) -> None:
    try:
        compiled = compile_phrase(phrase, prefixes=("ال",), clitics=("kin",))
    except PhraseError:
        return
    re.compile(compiled.source)
    assert compile_family([compiled.source])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_the_compiler_never_crashes_on_any_text(phrase: str) -> None:
    with contextlib.suppress(PhraseError):
        compile_phrase(phrase)


# --- every file in locales/ -----------------------------------------------------------------


PHRASE_FILES = [
    (lang, name, tables)
    for lang in LANGUAGES
    for name, tables in (("safety", ("families",)), ("scam", ("signs", "checks")))
]


@pytest.mark.parametrize(("lang", "name", "tables"), PHRASE_FILES)
def test_every_phrase_compiles_and_every_example_matches_its_family(
    lang: str, name: str, tables: tuple[str, ...]
) -> None:
    loaded = load_phrase_file(LOCALES / lang / f"{name}.toml", tables)
    assert loaded.families
    for family, texts in loaded.examples.items():
        (pattern,) = compile_family(p.source for p in loaded.families[family])
        for text in texts:
            assert pattern.search(" ".join(tokens(text))), (lang, family, text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_scam_family_has_two_examples(lang: str) -> None:
    loaded = load_phrase_file(LOCALES / lang / "scam.toml", ("signs", "checks"))
    for family in loaded.families:
        assert len(loaded.examples.get(family, ())) >= 2, (lang, family)


def test_the_loaded_tables_are_the_detectors_tables() -> None:
    assert emergency._tables().families["fire"]
    assert set(scamcheck._tables().signs) == set(scamcheck.CATEGORIES) - {"link"}


# --- the scam check in every language, of every kind -----------------------------------------

PASTED: dict[str, dict[str, str]] = {
    "sv": {
        "romance": "Min älskling, jag sitter fast i tullen och behöver pengar till biljetten",
        "money_mule": "Extrajobb! Ta emot pengar på ditt konto och för dem vidare",
        "tech_support": "Microsoft: din dator har virus. Installera AnyDesk så hjälper vi dig",
        "safe_account": "Ditt konto är kapat, flytta dina pengar till ett säkert konto idag",
        "investment": "Garanterad avkastning 20 % i månaden! Investera i bitcoin på vår plattform",
        "impersonation": "Polisen: ditt bankkonto används av bedragare, logga in med BankID",
        "relative": "Hej mamma, detta är mitt nya nummer. Kan du swisha 2000 kr idag?",
        "parcel": "PostNord: ditt paket väntar. Betala tullavgift 29 kr idag",
        "refund": "Skatteverket: du har 3 412 kr i skatteåterbäring. Logga in för att få pengarna",
        "prize": "Grattis! Du har vunnit en iPhone. Svara JA för att hämta ditt pris",
    },
    "en": {
        "romance": "My darling, I am stuck at the airport and need money for the ticket to see you",
        "money_mule": "Easy job: receive money into your account and pass it on, keep 10 percent",
        "tech_support": "Microsoft support: your computer is infected. Install AnyDesk now",
        "safe_account": "Your account is compromised. Move your money to a safe account today",
        "investment": "Guaranteed returns of 20% a month! Invest in crypto on our trading platform",
        "impersonation": "This is your bank. Verify your identity immediately",
        "relative": "Hi mum, this is my new number, my phone broke. Can you pay a bill for me?",
        "parcel": "Your parcel is on hold. Pay the customs fee of £2.99 today",
        "refund": "HMRC: you are due a tax refund of £412. Confirm your details to receive it",
        "prize": "Congratulations! You have won a gift card. Claim your prize now",
    },
    "fi": {
        "romance": "Rakas, olen jumissa lentokentällä ja tarvitsen rahaa lentolippuun",
        "money_mule": "Helppo työ: ota vastaan rahat tilillesi ja siirrä ne eteenpäin",
        "tech_support": "Microsoft: tietokoneessasi on virus. Asenna AnyDesk heti",
        "safe_account": "Tilisi on vaarassa. Siirrä rahasi turvatilille tänään",
        "investment": "Taattu tuotto 20 % kuussa! Sijoita bitcoiniin alustallamme",
        "impersonation": "Poliisi: pankkitilisi on vaarassa, kirjaudu pankkitunnuksilla heti",
        "relative": "Hei äiti tässä uusi numeroni, puhelin meni rikki. Voitko maksaa laskun?",
        "parcel": "Posti: pakettisi odottaa. Maksa tullimaksu 2,99 euroa tänään",
        "refund": "Verohallinto: sinulle on veronpalautus 412 euroa. Vahvista tietosi",
        "prize": "Olet voittanut iPhonen! Lunasta palkintosi nyt",
    },
    "pl": {
        "romance": "Kochanie, utknąłem na lotnisku i potrzebuję pieniędzy na bilet do ciebie",
        "money_mule": "Łatwa praca: otrzymasz pieniądze na konto i przelej je dalej",
        "tech_support": "Microsoft: twój komputer ma wirusa. Zainstaluj AnyDesk teraz",
        "safe_account": "Twoje konto jest zagrożone. Przelej swoje pieniądze na bezpieczne konto",
        "investment": "Gwarantowany zysk 20% miesięcznie! Inwestuj w bitcoin na naszej platformie",
        "impersonation": "Policja: twoje konto bankowe jest zagrożone, podaj kod BLIK natychmiast",
        "relative": "Cześć mamo to mój nowy numer, telefon się zepsuł. Możesz zapłacić fakturę?",
        "parcel": "InPost: twoja paczka czeka. Zapłać cło 2,99 zł dzisiaj",
        "refund": "Urząd skarbowy: masz zwrot podatku 412 zł. Potwierdź dane",
        "prize": "Wygrałeś iPhone! Odbierz nagrodę teraz",
    },
    "ar": {
        "romance": "حبيبتي انا عالق في المطار واحتاج مال لتذكرة الطيران",
        "money_mule": "عمل سهل: استلم اموال في حسابك ثم حولها الى شخص اخر",
        "tech_support": "مايكروسوفت: جهازك فيه فيروس. ثبت anydesk الان",
        "safe_account": "حسابك مخترق. انقل اموالك الى حساب آمن اليوم",
        "investment": "ارباح مضمونة كل شهر! استثمار في بيتكوين على منصة تداول",
        "impersonation": "معك الشرطة: حسابك في البنك في خطر، ادفع الرسوم فورا",
        "relative": "مرحبا ماما هذا رقمي الجديد، هاتفي انكسر. ممكن تدفعي فاتورة؟",
        "parcel": "طردك في الانتظار. ادفع رسوم الجمارك اليوم",
        "refund": "مصلحة الضرائب: لديك استرداد ضريبي. سجل الدخول لتأكيد هويتك",
        "prize": "مبروك لقد ربحت جائزة! اضغط هنا",
    },
    "fa": {
        "romance": "عزیزم در فرودگاه گیر کرده ام و برای بلیط پول لازم دارم",
        "money_mule": "کار آسان: پول به حساب شما می آید و آن را منتقل کنید",
        "tech_support": "مایکروسافت: کامپیوتر شما ویروس دارد. anydesk نصب کنید",
        "safe_account": "حساب شما هک شده. پولتان را به یک حساب امن منتقل کنید",
        "investment": "سود تضمینی هر ماه! سرمایه گذاری در بیت کوین",
        "impersonation": "پلیس: حساب بانک شما در خطر است، فورا پرداخت کنید",
        "relative": "سلام مامان این شماره جدید منه، گوشیم خراب شد. پول واریز میکنی؟",
        "parcel": "بسته شما در گمرک است. هزینه را امروز پرداخت کنید",
        "refund": "اداره مالیات: شما بازپرداخت مالیات دارید. وارد شوید",
        "prize": "تبریک برنده شدید! جایزه خود را بگیرید",
    },
    "so": {
        "romance": "Gacaliso, waxaan ku xayiran garoonka, lacag ayaan u baahanahay tigidhka",
        "money_mule": "Shaqo fudud: lacag ayaa akoonkaaga soo geli doonta, u gudbi qof kale",
        "tech_support": "Microsoft: kombiyuutarkaaga fayras ayaa ku jira. Ku rakib anydesk",
        "safe_account": "Akoonkaaga waa la jabsaday. Lacagtaada u wareeji akoon ammaan ah",
        "investment": "Faa'iido la hubo bil kasta! Bitcoin maalgashi",
        "impersonation": "Booliiska: akoonkaaga bangiga khatar ayuu ku jiraa, bixi lacag degdeg",
        "relative": "Salaan hooyo kani waa lambarkayga cusub, taleefankayga wuu jabay",
        "parcel": "Xirmadaada ayaa sugaysa. Bixi khidmadda canshuurta maanta",
        "refund": "Skatteverket: waxaad leedahay canshuur celin. Soo gal akoonkaaga",
        "prize": "Hambalyo waad guuleysatay! Qaado abaalmarintaada",
    },
}

ORDINARY: dict[str, list[str]] = {
    "sv": [
        "hur skyddar jag mig mot bedrägerier?",
        "vad är ett säkert konto-bedrägeri?",
        "Hej mamma! Kommer hem vid sex. Ska jag köpa mjölk?",
        "när är nästa tematräff",
    ],
    "en": [
        "what is a safe account scam?",
        "how do I protect myself from fraud?",
        "Hi grandma, see you on Sunday!",
        "when is the next meeting",
    ],
    "fi": [
        "miten suojaudun huijauksilta?",
        "mikä on turvatilihuijaus?",
        "hei äiti, tulen kotiin kuudelta",
    ],
    "pl": [
        "jak się chronić przed oszustwami?",
        "co to jest oszustwo na bezpieczne konto?",
        "cześć mamo, będę w domu o szóstej",
    ],
    "ar": [
        "كيف احمي نفسي من الاحتيال؟",
        "ما هو احتيال الحساب الآمن؟",
        "مرحبا ماما سأعود الى البيت الساعة السادسة",
    ],
    "fa": [
        "چطور از خودم در برابر کلاهبرداری محافظت کنم؟",
        "کلاهبرداری حساب امن چیست؟",
        "سلام مامان ساعت شش خانه می آیم",
    ],
    "so": [
        "sidee isaga ilaaliyaa khiyaanada?",
        "waa maxay khiyaanada akoon ammaan ah?",
        "salaan hooyo, lix saac ayaan imaanayaa",
    ],
}


@pytest.mark.parametrize(
    ("lang", "kind"), [(lang, kind) for lang, kinds in PASTED.items() for kind in kinds]
)
def test_a_pasted_scam_of_every_kind_in_every_language_is_flagged(lang: str, kind: str) -> None:
    text = PASTED[lang][kind]
    found = looks_pasted(text)
    assert found is not None, (lang, kind, text)
    assert kind in found.flags, (lang, kind, found.flags)


@pytest.mark.parametrize(
    ("lang", "text"), [(lang, text) for lang, texts in ORDINARY.items() for text in texts]
)
def test_ordinary_questions_in_every_language_are_not_pasted_scams(lang: str, text: str) -> None:
    assert looks_pasted(text) is None, (lang, text, scamcheck.check_message(text))


def test_every_kind_has_its_own_explanation() -> None:
    check = scamcheck.ScamCheck(scamcheck.CATEGORIES)
    assert len(set(check.messages())) == len(scamcheck.CATEGORIES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_safety_family_has_two_examples(lang: str) -> None:
    loaded = load_phrase_file(LOCALES / lang / "safety.toml")
    for family in loaded.families:
        assert len(loaded.examples.get(family, ())) >= 2, (lang, family)
