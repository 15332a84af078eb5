"""Presenters for coordinators (staff-only, Swedish and English): /forslag grouped by theme
and by area, one group with its texts, linking it to a planned event, "not now" with a
reason, and the Monday digest's line."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.promise import Promise
from bot.domain.records import Event, GroupStatus, Suggestion, SuggestionGroup
from bot.domain.voice import DeclineReason, TimeOfDay, Why, split_key
from bot.i18n import Translator
from bot.render import Button, Screen
from bot.render.callbacks import GroupAction, GroupPress
from bot.render.suggestions import reason_text, topic, when_labels, why_labels

# Groups shown as buttons on the list, texts shown of one group.
LIST_BUTTONS = 12
SHOWN_TEXTS = 10


def status_word(tr: Translator, status: GroupStatus) -> str:
    _ = tr.gettext
    return {
        GroupStatus.NEW: _("new"),
        GroupStatus.PLANNED: _("planned"),
        GroupStatus.DONE: _("done"),
        GroupStatus.DECLINED: _("not now"),
    }[status]


def _line(tr: Translator, promise: Promise, group: SuggestionGroup) -> str:
    return f"• {topic(tr, promise, group.key)}: {group.count} ({status_word(tr, group.status)})"


def groups_screen(tr: Translator, promise: Promise, groups: Sequence[SuggestionGroup]) -> Screen:
    """Every group, by theme and by area, the group with the newest suggestion first."""
    _ = tr.gettext
    if not groups:
        return Screen(_("No suggestions from residents yet."))
    themes = [g for g in groups if split_key(g.key)[0] == "theme"]
    areas = [g for g in groups if split_key(g.key)[0] == "area"]
    lines = [_("Suggestions from residents, newest first. Tap a group to read it and decide.")]
    if themes:
        lines += ["", _("By theme:"), *(_line(tr, promise, g) for g in themes)]
    if areas:
        lines += [
            "",
            _("Places that feel unsafe, by area:"),
            *(_line(tr, promise, g) for g in areas),
        ]
    rows = [
        [
            Button(
                f"{topic(tr, promise, g.key)} ({g.count})",
                GroupPress(GroupAction.SHOW, g.key),
            )
        ]
        for g in [*themes, *areas][:LIST_BUTTONS]
    ]
    return Screen("\n".join(lines), rows)


def _item(tr: Translator, promise: Promise, item: Suggestion) -> str:
    when = when_labels(tr)
    why = why_labels(tr)
    details = []
    if item.time_of_day:
        details.append(when[TimeOfDay(item.time_of_day)].lower())
    details += [why[Why(r)].lower() for r in item.reasons if r in set(Why)]
    if item.event_id is not None:
        details.append(tr.gettext("via the poster of event {id}").format(id=item.event_id))
    extra = f" ({tr.join(details)})" if details else ""
    day = tr.date(tr.local(item.created_at).date(), "d MMM")
    return f"• {day} [{item.locale}]{extra}: {item.text}"


def group_screen(
    tr: Translator,
    promise: Promise,
    group: SuggestionGroup,
    items: Sequence[Suggestion],
    event: Event | None,
) -> Screen:
    """One group: its texts (already through the personal-data check, never published), what
    was decided, and the buttons to decide."""
    _ = tr.gettext
    lines = [
        _("{topic}: {n} suggestions, {status}").format(
            topic=topic(tr, promise, group.key),
            n=group.count,
            status=status_word(tr, group.status),
        )
    ]
    if event is not None:
        lines.append(
            _("Linked to: {title}, {when}").format(
                title=event.title, when=tr.short_datetime(tr.local(event.starts_at))
            )
        )
    if group.status is GroupStatus.DECLINED and group.reason:
        lines.append(_("Reason: {reason}").format(reason=reason_text(tr, group.reason)))
    lines += ["", _("What residents wrote (only coordinators read this):")]
    lines += [_item(tr, promise, i) for i in items[:SHOWN_TEXTS]]
    key = group.key
    rows = [
        [Button(_("Link to a planned event"), GroupPress(GroupAction.EVENTS, key))],
        [
            Button(_("Done"), GroupPress(GroupAction.DONE, key)),
            Button(_("Not now…"), GroupPress(GroupAction.DECLINE, key)),
        ],
    ]
    if group.status is not GroupStatus.NEW:
        rows.append([Button(_("Back to new"), GroupPress(GroupAction.REOPEN, key))])
    rows.append([Button(_("All groups"), GroupPress(GroupAction.LIST))])
    return Screen("\n".join(lines), rows)


def events_screen(tr: Translator, promise: Promise, key: str, events: Sequence[Event]) -> Screen:
    _ = tr.gettext
    if not events:
        return Screen(
            _("No public event is planned in the next six months. Plan one with /plan first."),
            [[Button(_("Back"), GroupPress(GroupAction.SHOW, key))]],
        )
    rows = [
        [
            Button(
                f"{tr.date(tr.local(e.starts_at).date(), 'd MMM')} {e.title}",
                GroupPress(GroupAction.LINK, key, str(e.id)),
            )
        ]
        for e in events[:8]
    ]
    rows.append([Button(_("Back"), GroupPress(GroupAction.SHOW, key))])
    text = _(
        "Which planned event answers {topic}? Residents who asked to be told get one message."
    ).format(topic=topic(tr, promise, key))
    return Screen(text, rows)


def reasons_screen(tr: Translator, promise: Promise, key: str) -> Screen:
    _ = tr.gettext
    rows = [
        [Button(reason_text(tr, r.value), GroupPress(GroupAction.REASON, key, r.value))]
        for r in DeclineReason
    ]
    rows.append([Button(_("Back"), GroupPress(GroupAction.SHOW, key))])
    text = _(
        "Why not now? Residents who asked to be told read this reason in their language, and "
        "the follow-up page shows it."
    )
    return Screen(text, rows)


def linked(tr: Translator, promise: Promise, key: str, event: Event | None, told: int) -> str:
    return tr.ngettext(
        "{topic} is now planned. {n} resident is told.",
        "{topic} is now planned. {n} residents are told.",
        told,
    ).format(topic=topic(tr, promise, key), n=told)


def declined(tr: Translator, promise: Promise, key: str, told: int) -> str:
    return tr.ngettext(
        "{topic}: not now. {n} resident is told why.",
        "{topic}: not now. {n} residents are told why.",
        told,
    ).format(topic=topic(tr, promise, key), n=told)


def digest_line(
    tr: Translator, promise: Promise, counts: Sequence[tuple[str, int]], coordinator: bool = True
) -> str:
    """One line for the Monday digest: "12 nya förslag: belysning (5), narkotika (3) …";
    the command that reads them only for a coordinator (the others cannot use it)."""
    total = sum(n for _key, n in counts)
    groups = tr.join(f"{topic(tr, promise, key)} ({n})" for key, n in counts[:3])
    more = " …" if len(counts) > 3 else ""
    if not coordinator:
        return tr.ngettext(
            "{n} new suggestion from residents: {groups}{more}",
            "{n} new suggestions from residents: {groups}{more}",
            total,
        ).format(n=total, groups=groups, more=more)
    return tr.ngettext(
        "{n} new suggestion: {groups}{more} (/suggestions)",
        "{n} new suggestions: {groups}{more} (/suggestions)",
        total,
    ).format(n=total, groups=groups, more=more)


def poster_line(tr: Translator, link: str, event_id: int) -> str:
    """After /plan: the event's link for residents' suggestions, and its printable poster."""
    return tr.gettext(
        "Residents' suggestions for it: {link} (what comes in through it is tied to this "
        "event). A printable poster with a QR code: trygghetsbot poster {id}"
    ).format(link=link, id=event_id)
