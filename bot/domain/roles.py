"""Who is talking to the bot: role, organisation and language, loaded once per update."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.i18n import Translator

# A staff invite travels as a /start deep link: t.me/<bot>?start=inv_<code>.
INVITE_PREFIX = "inv_"


class Role(StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    ADMIN = "admin"

    @property
    def is_staff(self) -> bool:
        return self in (Role.STAFF, Role.ADMIN)


@dataclass(frozen=True)
class Actor:
    user_id: int
    chat_id: int
    role: Role
    org: str | None
    locale: str
    tr: Translator
    name: str = ""
    # A staff member's kommun (several promises); None: every kommun of the police area.
    municipality: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN
