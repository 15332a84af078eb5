"""Presenters for everyone's settings: the language choice and its answer, /privacy, and
/delete_me's question and answer."""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.views import PrivacyReport
from bot.i18n import Translator, language_name
from bot.render import Button, Screen
from bot.render.callbacks import Answer, DeleteMePress, LanguageAction, LanguagePress, MeAction
from bot.render.pulse import quarter_label
from bot.render.suggestions import privacy_line


def language_choice(tr: Translator, codes: Iterable[str], per_row: int = 2) -> Screen:
    """One button per language, each named in its own language ("Suomi", "العربية", from
    Babel's locale data), ``per_row`` to a row."""
    buttons = [
        Button(language_name(code), LanguagePress(LanguageAction.SET, code)) for code in codes
    ]
    rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    return Screen(tr.gettext("Choose your language:"), rows)


def language_set(tr: Translator) -> str:
    """Said with ``tr`` of the language just chosen."""
    # TRANSLATORS: said in the language just chosen, e.g. "Jag skriver på svenska från och med nu."
    return tr.gettext("I will write to you in English from now on.")


def delete_me_question(tr: Translator, is_staff: bool) -> Screen:
    _ = tr.gettext
    question = _(
        "Do you want me to delete everything I store about you? "
        "Your subscriptions and reminders stop."
    )
    if is_staff:
        question = _(
            "Do you want me to delete your language, tips, reminders and follows? You stay "
            "staff and your reports stay, because they are part of the follow-up of the "
            "promise. An admin can remove you as staff."
        )
    return Screen(
        question,
        [
            [
                Button(_("Yes, delete"), DeleteMePress(MeAction.DELETE, Answer.YES)),
                Button(_("No, keep"), DeleteMePress(MeAction.DELETE, Answer.NO)),
            ]
        ],
    )


def deleted(tr: Translator, is_staff: bool) -> str:
    """/delete_me done: staff keep their role and reports, and are told so."""
    _ = tr.gettext
    if is_staff:
        return _(
            "Done. Your language, tips, reminders and follows are deleted. You are still "
            "staff and your reports stay, as part of the follow-up of the promise."
        )
    return _("Done. Everything I stored about you has been deleted.")


def nothing_deleted(tr: Translator) -> str:
    return tr.gettext("OK, nothing was deleted.")


def privacy(tr: Translator, report: PrivacyReport) -> str:
    """/privacy: what is stored about this person, each line true as it stands."""
    _ = tr.gettext
    lines = [_("This is what I store about you:")]
    if report.locale:
        lines.append(_language_line(tr, report.locale, report.locale_chosen))
    if report.subscribed:
        lines.append(_("• Your subscription to fraud tips"))
    if report.reminders:
        lines.append(
            tr.ngettext("• {n} event reminder", "• {n} event reminders", report.reminders).format(
                n=report.reminders
            )
        )
    if report.follows:
        lines.append(
            tr.ngettext(
                "• You follow {n} commitment", "• You follow {n} commitments", report.follows
            ).format(n=report.follows)
        )
    if report.suggestions:
        lines.append(privacy_line(tr, report.suggestions))
    if report.pulse_quarterly is True:
        lines.append(_("• That you want the safety question once a quarter (/trygghet stops it)"))
    elif report.pulse_quarterly is False:
        lines.append(_("• That you do not want the safety question"))
    if report.pulse_sent:
        lines.append(
            _(
                "• The quarter you were last sent the safety question ({quarter}), not your "
                "answer: the answers are anonymous"
            ).format(quarter=quarter_label(tr, report.pulse_sent))
        )
    if len(lines) == 1 and not report.is_staff:
        lines.append(_("• Nothing. I only answer your questions."))
    if report.is_staff:
        # Staff: say plainly what stays and why, and who can remove it.
        lines.append(_("• Your name and organisation, as staff (from your invite)"))
        lines.append(
            tr.ngettext("• {n} report you made", "• {n} reports you made", report.reports).format(
                n=report.reports
            )
        )
        if report.cards:
            waiting = tr.ngettext(
                "• {n} report card not saved yet, with the text you wrote (/delete_me removes it)",
                "• {n} report cards not saved yet, with the text you wrote (/delete_me removes "
                "them)",
                report.cards,
            )
            lines.append(waiting.format(n=report.cards))
    if report.is_staff:
        lines += [
            "",
            _(
                "Your chat id is used only to send you what you asked for. Your staff role "
                "and your reports are kept because they are part of the follow-up of the "
                "promise. /delete_me removes your language, tips, reminders and follows, not "
                "your staff role or your reports; an admin can remove you as staff."
            ),
        ]
    else:
        lines += [
            "",
            _(
                "Your chat id is used only to send you what you asked for. "
                "I never store your name, phone number or what you ask me."
            ),
            _("Use /delete_me to remove everything."),
        ]
    return "\n".join(lines)


def _language_line(tr: Translator, locale: str, chosen: bool | None) -> str:
    """The stored language, and where it came from: a choice, or the Telegram app."""
    _ = tr.gettext
    language = language_name(locale)
    if chosen:
        return _("• Your chosen language: {language}").format(language=language)
    if chosen is False:
        return _(
            "• Your language: {language}, taken from your Telegram app's language setting "
            "(you have not chosen one; /language changes it)"
        ).format(language=language)
    # TRANSLATORS: a language stored before the bot recorded whether it was chosen.
    return _("• Your language: {language} (/language changes it)").format(language=language)
