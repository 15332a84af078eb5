"""The Bot API methods the emulator answers, each as Telegram would (same checks, same
error descriptions), on the shared state."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from typing import Any

from bot.sandbox.emulator.entities import format_text, poll_object, utf16_len
from bot.sandbox.emulator.errors import ApiError, bad_request, not_modified
from bot.sandbox.emulator.state import (
    BOT_USER,
    Chat,
    EmulatorState,
    Files,
    MethodFn,
    SentMessage,
    Upload,
    as_float,
    as_int,
    scope_key,
)


class BotApiMethods(EmulatorState):
    """One coroutine per emulated method, looked up case-insensitively by name."""

    def _method_table(self) -> dict[str, tuple[str, MethodFn]]:
        table: dict[str, MethodFn] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendPoll": self._send_poll,
            "getFile": self._get_file,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyDescription": self._set_my_description,
            "setMyShortDescription": self._set_my_short_description,
            "setChatMenuButton": self._set_chat_menu_button,
            "close": self._true,
            "logOut": self._true,
        }
        return {name.lower(): (name, fn) for name, fn in table.items()}

    async def _true(self, params: dict[str, Any], files: Any) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        return dict(BOT_USER)

    async def _get_updates(self, params: dict[str, Any], files: Any) -> list[dict[str, Any]]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = as_int(params.get("offset")) or 0
        limit = min(max(as_int(params.get("limit")) or 100, 1), 100)
        timeout = max(as_float(params.get("timeout")), 0.0)
        if offset:
            self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        # Wakes an older poll so it can be terminated below.
        await self._notify_updates()
        if not self._updates and timeout and not self._closing.is_set():
            assert self._updates_changed is not None
            async with self._updates_changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._updates_changed.wait_for(
                            lambda: (
                                bool(self._updates)
                                or self._closing.is_set()
                                or self._poll_generation != generation
                                or self._webhook is not None
                            )
                        ),
                        timeout,
                    )
        if self._poll_generation != generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        return [dict(u) for u in self._updates[:limit]]

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        else:
            # A negative offset keeps only the last -offset updates, like Telegram.
            self._updates = self._updates[offset:]

    async def _send_message(self, params: dict[str, Any], files: Files) -> dict[str, Any]:
        chat = self._target_chat(params)
        raw = params.get("text")
        if not isinstance(raw, str) or not raw.strip():
            raise bad_request("message text is empty")
        text, entities = format_text(raw, params.get("parse_mode"), params.get("entities"))
        if not text.strip():
            raise bad_request("message text is empty")
        if utf16_len(text) > 4096:
            raise bad_request("message is too long")
        sent = SentMessage(
            chat_id=chat.chat_id,
            message_id=chat.take_message_id(),
            method="sendMessage",
            date=int(time.time()),
            text=text,
            raw_text=raw,
            entities=entities,
            reply_markup=self._markup(params),
            parse_mode=params.get("parse_mode"),
            params=dict(params),
        )
        return self._store(chat, sent)

    async def _send_poll(self, params: dict[str, Any], files: Files) -> dict[str, Any]:
        """A regular poll (2–10 answers, question up to 300 characters, answers up to 100)."""
        chat = self._target_chat(params)
        question = params.get("question")
        raw = params.get("options")
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise bad_request("can't parse options JSON object") from None
        if not isinstance(question, str) or not 1 <= utf16_len(question) <= 300:
            raise bad_request("poll question length must not exceed 300")
        if not isinstance(raw, list) or not 2 <= len(raw) <= 10:
            raise bad_request("poll must have 2-10 options")
        texts = [o.get("text") if isinstance(o, dict) else o for o in raw]
        if not all(isinstance(t, str) and 1 <= utf16_len(t) <= 100 for t in texts):
            raise bad_request("poll options length must not exceed 100")
        anonymous = params.get("is_anonymous", True) not in (False, "false", "False")
        sent = SentMessage(
            chat_id=chat.chat_id,
            message_id=chat.take_message_id(),
            method="sendPoll",
            date=int(time.time()),
            reply_markup=self._markup(params),
            params=dict(params),
            poll=poll_object(
                str(5_000_000_000 + next(self._poll_ids)),
                question,
                [str(t) for t in texts],
                [0] * len(texts),
                anonymous=anonymous,
            ),
        )
        return self._store(chat, sent)

    async def _send_document(self, params: dict[str, Any], files: Files) -> dict[str, Any]:
        return self._send_upload("sendDocument", "document", params, files)

    async def _send_photo(self, params: dict[str, Any], files: Files) -> dict[str, Any]:
        return self._send_upload("sendPhoto", "photo", params, files)

    def _send_upload(
        self, method: str, field_name: str, params: dict[str, Any], files: Files
    ) -> dict[str, Any]:
        chat = self._target_chat(params)
        caption, entities = self._caption(params)
        upload = self._upload_from(field_name, params, files)
        sent = SentMessage(
            chat_id=chat.chat_id,
            message_id=chat.take_message_id(),
            method=method,
            date=int(time.time()),
            caption=caption,
            raw_text=params.get("caption"),
            entities=entities,
            reply_markup=self._markup(params),
            parse_mode=params.get("parse_mode"),
            upload=upload,
            params={k: v for k, v in params.items() if k != field_name},
        )
        return self._store(chat, sent)

    def _caption(self, params: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]] | None]:
        raw = params.get("caption")
        if not isinstance(raw, str) or not raw:
            return None, None
        caption, entities = format_text(
            raw, params.get("parse_mode"), params.get("caption_entities")
        )
        if utf16_len(caption) > 1024:
            raise bad_request("message caption is too long")
        return caption, entities

    def _store(self, chat: Chat, sent: SentMessage) -> dict[str, Any]:
        chat.messages[sent.message_id] = sent
        self._emit("sent", sent)
        return self._message_json(sent)

    def _upload_from(self, field_name: str, params: dict[str, Any], files: Files) -> Upload:
        value = params.get(field_name)
        part = files.get(field_name)
        if isinstance(value, str) and value.startswith("attach://"):
            part = files.get(value.removeprefix("attach://"))
        if part is not None:
            index = next(self._file_ids)
            kind = "photo" if field_name == "photo" else "document"
            upload = Upload(
                file_id=f"emu-{kind}-{index}",
                file_unique_id=f"emu-u{index}",
                data=bytes(part.body),
                filename=part.filename or f"file{index}",
                mime_type=part.content_type or "application/octet-stream",
            )
            self._files[upload.file_id] = upload
            self._files_by_path[f"{kind}s/file_{index}"] = upload
            return upload
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and value:
            # A URL or a file_id from elsewhere: remember the reference, there are no bytes.
            index = next(self._file_ids)
            upload = Upload(f"emu-ref-{index}", f"emu-u{index}", b"", value, "")
            self._files[upload.file_id] = upload
            return upload
        raise bad_request(f"there is no {field_name} in the request")

    async def _edit_message_text(self, params: dict[str, Any], files: Files) -> dict[str, Any]:
        sent = self._editable(params)
        raw = params.get("text")
        if not isinstance(raw, str) or not raw.strip():
            raise bad_request("message text is empty")
        if sent.text is None:
            raise bad_request("there is no text in the message to edit")
        text, entities = format_text(raw, params.get("parse_mode"), params.get("entities"))
        if utf16_len(text) > 4096:
            raise bad_request("message is too long")
        markup = self._edited_markup(sent, params)
        if (text, entities, markup) == (sent.text, sent.entities, sent.reply_markup):
            raise not_modified()
        sent.text, sent.raw_text, sent.entities, sent.reply_markup = text, raw, entities, markup
        sent.parse_mode = params.get("parse_mode")
        return self._edited(sent)

    async def _edit_message_caption(self, params: dict[str, Any], files: Files) -> dict[str, Any]:
        sent = self._editable(params)
        if sent.upload is None:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._caption(params)
        markup = self._edited_markup(sent, params)
        if (caption, entities, markup) == (sent.caption, sent.entities, sent.reply_markup):
            raise not_modified()
        sent.caption, sent.entities, sent.reply_markup = caption, entities, markup
        sent.raw_text = params.get("caption")
        return self._edited(sent)

    async def _edit_message_reply_markup(
        self, params: dict[str, Any], files: Files
    ) -> dict[str, Any]:
        sent = self._editable(params)
        markup = self._edited_markup(sent, params)
        if markup == sent.reply_markup:
            raise not_modified()
        sent.reply_markup = markup
        return self._edited(sent)

    def _edited_markup(self, sent: SentMessage, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = self._markup(params)
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")
        if markup is None and sent.reply_markup and "inline_keyboard" not in sent.reply_markup:
            # A reply keyboard belongs to the chat, not the message: edits leave it alone.
            return sent.reply_markup
        # Editing without reply_markup removes the inline keyboard, as on Telegram.
        return markup

    def _edited(self, sent: SentMessage) -> dict[str, Any]:
        sent.edit_count += 1
        sent.edit_date = int(time.time())
        self._emit("edited", sent)
        return self._message_json(sent)

    async def _delete_message(self, params: dict[str, Any], files: Files) -> bool:
        chat = self._target_chat(params)
        message_id = as_int(params.get("message_id"))
        sent = chat.messages.get(message_id) if message_id is not None else None
        if sent is not None and not sent.deleted:
            sent.deleted = True
            self._emit("deleted", sent)
            return True
        if message_id is not None and chat.user_messages.pop(message_id, None) is not None:
            return True
        raise bad_request("message to delete not found")

    async def _answer_callback_query(self, params: dict[str, Any], files: Any) -> bool:
        if not params.get("callback_query_id"):
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self.callback_answers.append(dict(params))
        return True

    async def _get_file(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        upload = self._files.get(str(params.get("file_id", "")))
        if upload is None:
            raise bad_request("invalid file_id")
        path = next((p for p, u in self._files_by_path.items() if u is upload), None)
        result: dict[str, Any] = {
            "file_id": upload.file_id,
            "file_unique_id": upload.file_unique_id,
            "file_size": len(upload.data),
        }
        if path is not None:
            result["file_path"] = path
        return result

    async def _send_chat_action(self, params: dict[str, Any], files: Any) -> bool:
        chat = self._target_chat(params)
        action = params.get("action")
        if not action:
            raise bad_request("action is empty")
        self.chat_actions.append((chat.chat_id, str(action)))
        return True

    async def _set_my_commands(self, params: dict[str, Any], files: Any) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(name)):
                raise bad_request("BOT_COMMAND_INVALID")
        self.commands[scope_key(params)] = [dict(c) for c in commands]
        return True

    async def _delete_my_commands(self, params: dict[str, Any], files: Any) -> bool:
        self.commands.pop(scope_key(params), None)
        return True

    async def _get_my_commands(self, params: dict[str, Any], files: Any) -> list[Any]:
        return list(self.commands.get(scope_key(params), []))

    async def _set_my_description(self, params: dict[str, Any], files: Any) -> bool:
        key = ("description", str(params.get("language_code") or ""))
        self.descriptions[key] = str(params.get("description") or "")
        return True

    async def _set_my_short_description(self, params: dict[str, Any], files: Any) -> bool:
        key = ("short_description", str(params.get("language_code") or ""))
        self.descriptions[key] = str(params.get("short_description") or "")
        return True

    async def _set_chat_menu_button(self, params: dict[str, Any], files: Any) -> bool:
        button = params.get("menu_button")
        self.menu_buttons[as_int(params.get("chat_id"))] = (
            button if isinstance(button, dict) else {"type": "default"}
        )
        return True

    async def _set_webhook(self, params: dict[str, Any], files: Any) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return await self._delete_webhook(params, files)
        if not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": params.get("allowed_updates"),
            "max_connections": as_int(params.get("max_connections")) or 40,
        }
        # Updates queued while polling are handed over to the new webhook.
        for update in self._updates:
            self._deliver(update)
        self._updates.clear()
        return True

    async def _delete_webhook(self, params: dict[str, Any], files: Any) -> bool:
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self._webhook["url"] if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates) + len(self._webhook_tasks),
        }
        if self._webhook is not None:
            info["max_connections"] = self._webhook["max_connections"]
            if self._webhook["allowed_updates"]:
                info["allowed_updates"] = self._webhook["allowed_updates"]
        return info
