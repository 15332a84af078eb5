"""Roles, invites, language choice and a resident's own data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot.domain.errors import AdminOnly, InviteInvalid, NotAllowed
from bot.domain.records import Invite, Org, StaffMember
from bot.domain.roles import Actor, Role
from bot.domain.views import PrivacyReport
from bot.i18n import Translator, pick_locale, staff_locale
from bot.render import admin as render
from bot.services import Services, outgoing
from storage.deliveries import NewDelivery, OutgoingMessage
from storage.suggestions import SuggestionRepo


class PeopleService:
    def __init__(self, services: Services) -> None:
        self.s = services

    async def message_admins(
        self, kind: str, dedupe_key: str, build: Callable[[Translator], OutgoingMessage]
    ) -> int:
        """Queue one message per admin, written in that admin's language. ``dedupe_key``
        holds ``{admin}``, so each admin gets it at most once. Returns how many were new."""
        now = self.s.clock.now()
        rows = []
        for admin_id in sorted(self.s.settings.admin_ids):
            tr = self.s.translator(staff_locale(await self.s.users.locale(admin_id)))
            rows.append(
                NewDelivery(
                    admin_id, kind, build(tr), now, dedupe_key=dedupe_key.format(admin=admin_id)
                )
            )
        return await self.s.deliveries.enqueue_many(rows, now) if rows else 0

    async def actor(
        self, user_id: int, chat_id: int, telegram_lang: str | None, name: str = ""
    ) -> Actor:
        role, member = await self._role(user_id)
        saved = await self.s.users.locale(user_id)
        locale = pick_locale(saved, telegram_lang, self.s.settings.locale)
        if role.is_staff:
            # Staff and admin screens are Swedish or English; a staff member whose Telegram
            # (or saved choice) is Finnish reads them in Swedish.
            locale = staff_locale(locale, self.s.settings.locale)
        return Actor(
            user_id=user_id,
            chat_id=chat_id,
            role=role,
            org=member.org.value if member else None,
            locale=locale,
            tr=self.s.translator(locale),
            name=member.name if member else name,
            municipality=member.municipality if member else None,
        )

    async def _role(self, user_id: int) -> tuple[Role, StaffMember | None]:
        member = await self.s.staff.active(user_id)
        if user_id in self.s.settings.admin_ids:
            return Role.ADMIN, member
        return (Role.STAFF if member is not None else Role.RESIDENT), member

    async def is_staff(self, user_id: int) -> bool:
        """Staff or admin: someone the residents' questions (the safety pulse) never go to."""
        role, _member = await self._role(user_id)
        return role.is_staff

    async def refuse(self, actor: Actor, what: str, admin: bool = False) -> NotAllowed:
        """Audit an attempt at a staff or admin action; return the error to show. Staff who
        try an admin action are told it is for admins, not that it is for staff."""
        await self.s.audit.record(self.s.clock.now(), actor.user_id, "refused", what)
        return AdminOnly() if admin and actor.is_staff else NotAllowed()

    async def require_staff(self, actor: Actor, what: str) -> None:
        if not actor.is_staff:
            raise await self.refuse(actor, what)

    async def require_admin(self, actor: Actor, what: str) -> None:
        if not actor.is_admin:
            raise await self.refuse(actor, what, admin=True)

    async def create_invite(
        self, actor: Actor | None, org: Org, municipality: str | None = None
    ) -> str:
        """An admin (or the CLI, actor None) makes a single-use code; returns the code.
        ``municipality``: the kommun the joiner works for (several promises; None: the
        whole police area). One invitation per person, whatever the number of kommuner."""
        if actor is not None:
            await self.require_admin(actor, "invite")
        if municipality is not None and municipality not in self.s.promises.municipalities:
            raise ValueError(f"no promise is for '{municipality}'")
        now = self.s.clock.now()
        async with self.s.db.transaction():
            code, invite = await self.s.invites.create(
                org, actor.user_id if actor else None, now, municipality
            )
            await self.s.audit.record(
                now,
                actor.user_id if actor else None,
                "invite.create",
                f"invite:{invite.id}",
                org=org.value,
            )
        return code

    async def redeem_invite(self, code: str, user_id: int, name: str) -> StaffMember:
        now = self.s.clock.now()
        # Using the code, joining, its audit row and the admins' notice: all or nothing.
        async with self.s.db.transaction():
            invite = await self.s.invites.redeem(code, user_id, now)
            if invite is not None:
                member = await self._join(invite, user_id, name, now)
        if invite is None:
            await self.s.audit.record(now, user_id, "invite.rejected", None)
            raise InviteInvalid()
        return member

    async def _join(self, invite: Invite, user_id: int, name: str, now: datetime) -> StaffMember:
        member = await self.s.staff.upsert(user_id, invite.org, name, now, invite.created_by)
        if invite.municipality is not None:
            await self.s.staff.set_municipality(user_id, invite.municipality)
            member = replace(member, municipality=invite.municipality)
        await self.s.audit.record(
            now,
            user_id,
            "staff.join",
            f"user:{user_id}",
            org=invite.org.value,
            invite=invite.id,
        )

        def build(tr: Translator) -> OutgoingMessage:
            return outgoing(render.staff_joined(tr, name, invite.org))

        # Admins learn who joined (a link can be forwarded); never the joiner about themself.
        if user_id not in self.s.settings.admin_ids:
            await self.message_admins("staff.join", f"join:{user_id}:{invite.id}:{{admin}}", build)
        return member

    async def audit(self, actor: Actor, action: str) -> None:
        """Record that someone did something that leaves the bot (e.g. /publish)."""
        await self.s.audit.record(self.s.clock.now(), actor.user_id, action)

    async def municipality(self, user_id: int) -> str | None:
        """A resident's kommun (several promises): chosen, or read from a place she named."""
        return await self.s.users.municipality(user_id)

    async def set_municipality(self, actor: Actor, municipality: str) -> None:
        if municipality not in self.s.promises.municipalities:
            raise ValueError(municipality)
        await self.s.users.set_municipality(
            actor.user_id, municipality, actor.locale, self.s.clock.now()
        )

    async def saved_locale(self, user_id: int) -> str | None:
        """The language this person chose (None when they never did)."""
        return await self.s.users.locale(user_id)

    async def active_staff(self, user_id: int) -> StaffMember | None:
        return await self.s.staff.active(user_id)

    async def list_staff(self, actor: Actor) -> list[StaffMember]:
        await self.require_admin(actor, "staff.list")
        return await self.s.staff.list_active()

    async def revoke_staff(self, actor: Actor, user_id: int) -> bool:
        await self.require_admin(actor, "staff.revoke")
        now = self.s.clock.now()
        async with self.s.db.transaction():
            done = await self.s.staff.revoke(user_id, actor.user_id, now)
            if done:
                await self.s.audit.record(now, actor.user_id, "staff.revoke", f"user:{user_id}")
        return done

    async def set_locale(self, actor: Actor, locale: str) -> Actor:
        await self.s.users.set_locale(actor.user_id, locale, self.s.clock.now(), chosen=True)
        return await self.actor(actor.user_id, actor.chat_id, locale, actor.name)

    async def privacy(self, actor: Actor) -> PrivacyReport:
        footprint = await self.s.users.footprint(actor.user_id)
        return PrivacyReport(
            locale=await self.s.users.locale(actor.user_id),
            subscribed=footprint.subscribed,
            reminders=footprint.reminders,
            follows=footprint.follows,
            is_staff=actor.is_staff,
            reports=len(await self.s.activities.by_reporter(actor.user_id, limit=10_000))
            if actor.is_staff
            else 0,
            locale_chosen=await self.s.users.locale_chosen(actor.user_id),
            cards=footprint.cards,
            suggestions=await SuggestionRepo(self.s.db).following(actor.user_id),
            pulse_quarterly=_quarterly(footprint.pulse_opt_in),
            pulse_sent=footprint.pulse_sent,
        )

    async def forget_me(self, actor: Actor) -> None:
        await self.s.users.forget(actor.user_id, keep_work_records=actor.is_staff)
        # No audit row naming the resident: the point is that nothing about them remains.


def _quarterly(opt_in: int | None) -> bool | None:
    """The pulse's opt-in as /privacy says it: yes, no, or neither (never asked, no answer)."""
    return True if opt_in == 1 else False if opt_in == 0 else None
