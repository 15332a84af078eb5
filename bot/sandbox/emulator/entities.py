"""Message text as Telegram shows it: ``parse_mode="HTML"`` parsed into plain text and
entities (malformed markup refused with "can't parse entities"), MarkdownV2 checked for
unescaped reserved characters, lengths in UTF-16 code units."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.emulator.errors import bad_request, cant_parse

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG_RE = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)"
    r"((?:\s+[A-Za-z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*>"
)
_ATTR_RE = re.compile(r"([A-Za-z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
_CHARREF_RE = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# Outside code, these never start MarkdownV2 markup, so Telegram insists they are escaped.
_MDV2_RESERVED = re.compile(r"(?<!\\)(?:\\\\)*([#+\-={}.!])")


def format_text(
    raw: str, parse_mode: Any, explicit: Any
) -> tuple[str, list[dict[str, Any]] | None]:
    """The text as the user sees it and its entities, or a "can't parse entities" error."""
    mode = str(parse_mode or "").lower()
    if mode == "html":
        text, entities = _parse_html(raw)
        return text, entities or None
    if mode == "markdownv2":
        _check_markdown_v2(raw)
    elif mode and mode != "markdown":
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    return raw, (explicit or None) if isinstance(explicit, list) else None


def _parse_html(raw: str) -> tuple[str, list[dict[str, Any]]]:
    out: list[str] = []
    length = 0  # UTF-16 code units, the unit of entity offsets
    open_tags: list[tuple[str, int, dict[str, str]]] = []
    entities: list[dict[str, Any]] = []
    pos = 0
    while pos < len(raw):
        char = raw[pos]
        if char == "<":
            byte_offset = len(raw[:pos].encode())
            match = _TAG_RE.match(raw, pos)
            if match is None:
                following = re.match(r"</?[^\s>]*", raw[pos:])
                name = following.group(0) if following else "<"
                raise cant_parse(f'Unsupported start tag "{name}" at byte offset {byte_offset}')
            closing, name, attrs = match.group(1) == "/", match.group(2).lower(), match.group(3)
            if name not in _HTML_TAGS:
                raise cant_parse(f'Unsupported start tag "{name}" at byte offset {byte_offset}')
            if closing:
                if not open_tags or open_tags[-1][0] != name:
                    expected = f'"</{open_tags[-1][0]}>"' if open_tags else "no end tag"
                    raise cant_parse(
                        f"Unmatched end tag at byte offset {byte_offset}, "
                        f'expected {expected}, found "</{name}>"'
                    )
                tag, start, tag_attrs = open_tags.pop()
                entity = _html_entity(tag, start, length - start, tag_attrs)
                if entity is not None:
                    entities.append(entity)
            else:
                parsed = {
                    m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
                    for m in _ATTR_RE.finditer(attrs)
                }
                if name == "span" and parsed.get("class") != "tg-spoiler":
                    raise cant_parse(f'Unsupported start tag "span" at byte offset {byte_offset}')
                open_tags.append((name, length, parsed))
            pos = match.end()
            continue
        piece = char
        if char == "&":
            ref = _CHARREF_RE.match(raw, pos)
            if ref is not None:
                body = ref.group(1)
                if body.startswith("#x"):
                    piece = chr(int(body[2:], 16))
                elif body.startswith("#"):
                    piece = chr(int(body[1:]))
                else:
                    piece = _NAMED_REFS[body]
                pos = ref.end() - 1
        out.append(piece)
        length += utf16_len(piece)
        pos += 1
    if open_tags:
        raise cant_parse(f'Can\'t find end tag corresponding to start tag "{open_tags[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _html_entity(
    tag: str, offset: int, length: int, attrs: dict[str, str]
) -> dict[str, Any] | None:
    if length <= 0:
        return None
    kind = _HTML_TAGS[tag]
    entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    if kind == "text_link":
        href = attrs.get("href", "")
        if not href:
            return None
        entity["url"] = href
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    elif kind == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    return entity


def _check_markdown_v2(raw: str) -> None:
    # Code spans only need ` and \ escaped, so blank them out before looking for reserved chars.
    outside_code = re.sub(r"```.*?```|`[^`]*`", lambda m: " " * len(m.group(0)), raw, flags=re.S)
    # Link targets "(...)" after "]" may hold URLs full of dots.
    outside_code = re.sub(r"\]\([^)]*\)", lambda m: " " * len(m.group(0)), outside_code)
    match = _MDV2_RESERVED.search(outside_code)
    if match is not None:
        raise cant_parse(
            f"Character '{match.group(1)}' is reserved and must be escaped with the preceding '\\'"
        )


def utf16_len(text: str) -> int:
    # Telegram measures lengths and entity offsets in UTF-16 code units.
    return len(text.encode("utf-16-le")) // 2


def poll_object(
    poll_id: str, question: str, texts: list[str], counts: list[int], *, anonymous: bool = True
) -> dict[str, Any]:
    """A regular poll as the Bot API writes it (with the fields Bot API 9.6 and 10 added)."""
    return {
        "id": poll_id,
        "question": question,
        "options": [
            {"text": text, "voter_count": n, "persistent_id": str(i)}
            for i, (text, n) in enumerate(zip(texts, counts, strict=True))
        ],
        "total_voter_count": sum(counts),
        "is_closed": False,
        "is_anonymous": anonymous,
        "type": "regular",
        "allows_multiple_answers": False,
        "allows_revoting": True,
        "members_only": False,
    }
