"""The printable poster of a planned dialogue or theme meeting (A4, HTML with an inline SVG
QR code from segno): "What would you like us to bring up?" in Swedish first, then in the
residents' other languages, and the deep link whose suggestions are tied to the event."""

from __future__ import annotations

import io

import segno
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from bot.domain.promise import Promise
from bot.domain.records import Event
from bot.domain.voice import POSTER_PREFIX
from bot.i18n import Translator, translator
from bot.language.pii import redact
from bot.settings import SUPPORTED_LOCALES

_ENV = Environment(
    loader=PackageLoader("bot.render", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def poster_link(bot_username: str, event_id: int) -> str:
    return f"https://t.me/{bot_username}?start={POSTER_PREFIX}{event_id}"


def qr_svg(link: str) -> str:
    """The link as an SVG QR code (error correction M: still reads when a corner is torn)."""
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="svg", scale=10, border=2, xmldecl=False)
    return out.getvalue().decode("utf-8")


def _lines(tr: Translator, event: Event) -> dict[str, str]:
    _ = tr.gettext
    return {
        "lang": tr.locale,
        "dir": "rtl" if tr.rtl else "ltr",
        "ask": _("What would you like us to bring up?"),
        "how": _(
            "Scan the code with your phone, or open the link, and write to the bot in your own "
            "words, in any language. Your name is not kept."
        ),
    }


def poster(promise: Promise, event: Event, link: str) -> str:
    """A4 HTML: Swedish first and largest, the other resident languages below."""
    sv = translator("sv")
    start = sv.local(event.starts_at)
    commitment = promise.get(event.commitment)
    others = [_lines(translator(code), event) for code in SUPPORTED_LOCALES if code != "sv"]
    return _ENV.get_template("poster/poster.html.j2").render(
        title=redact(event.title),
        kind=commitment.short.get("sv") if commitment else "",
        when=sv.datetime(start),
        place=redact(event.place),
        main=_lines(sv, event),
        others=others,
        link=link,
        qr=Markup(qr_svg(link)),
        organisers=f"{promise.municipality} · {promise.police_area}",
    )
