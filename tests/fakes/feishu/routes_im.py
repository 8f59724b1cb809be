"""The fake's messaging methods: send, reply, edit, read, upload, ephemeral, card update.

Codes are Feishu's: 230001 bad content or parameter, 230002 the bot is not in
the chat, 230005 the chat was disbanded, 230011 the message was recalled,
230013 the person is outside the app's availability, 230025 content too long
(cards and rich text 30 KB, text 150 KB), 230031 past the 14-day edit
window, 230099 a card Feishu cannot build. Which code Feishu uses for a
disbanded chat, an ephemeral card in a chat that does not allow it and a
stale callback token is not documented; the fake uses 230005, 230001 and
230001 and says so in the message.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tests.fakes.feishu.cardcheck import CardError, check_card, is_shared
from tests.fakes.feishu.http import ApiError, Part, Reply, Request, invalid, ok
from tests.fakes.feishu.world import (
    CALLBACK_TOKEN_LIFETIME,
    CALLBACK_TOKEN_USES,
    EDIT_WINDOW,
    Chat,
    Message,
    new_id,
)

if TYPE_CHECKING:
    from tests.fakes.feishu.server import FakeFeishu

JSON = dict[str, Any]

CARD_BODY_LIMIT = 30 * 1024
TEXT_BODY_LIMIT = 150 * 1024
IMAGE_LIMIT = 10 * 1024 * 1024
FILE_LIMIT = 30 * 1024 * 1024
MSG_TYPES = {"text", "post", "image", "file", "audio", "media", "sticker", "interactive"}
FILE_TYPES = {"opus", "mp4", "pdf", "doc", "xls", "ppt", "stream"}
RECEIVE_ID_TYPES = {"open_id", "union_id", "user_id", "email", "chat_id"}


def _body(req: Request) -> JSON:
    data = req.json()
    if not isinstance(data, dict):
        raise invalid("the body must be a JSON object")
    return data


def _content(fake: FakeFeishu, req: Request, msg_type: Any, content: Any) -> str:
    """Check a message's type and content as Feishu does; the content string if good."""
    if msg_type not in MSG_TYPES:
        raise invalid(f"msg_type {msg_type!r}")
    if not isinstance(content, str):
        raise invalid("content must be a JSON string")
    limit = TEXT_BODY_LIMIT if msg_type == "text" else CARD_BODY_LIMIT
    if len(req.body) > limit:
        raise ApiError(230025, "The length of the message content reaches its limit.")
    try:
        value = json.loads(content)
    except ValueError:
        raise ApiError(230001, "invalid message content: not JSON") from None
    if not isinstance(value, dict):
        raise ApiError(230001, "invalid message content: not an object")
    if msg_type == "text" and not isinstance(value.get("text"), str):
        raise ApiError(230001, "invalid message content: text is missing")
    if msg_type == "image" and value.get("image_key") not in fake.world.images:
        raise ApiError(230001, "invalid message content: unknown image_key")
    if msg_type == "file" and value.get("file_key") not in fake.world.files:
        raise ApiError(230001, "invalid message content: unknown file_key")
    if msg_type == "interactive":
        try:
            check_card(value)
        except CardError as exc:
            raise ApiError(
                230099, f"Failed to create card content, ext=ErrCode: 200621; ErrMsg: {exc}"
            ) from None
    return content


def _usable_chat(fake: FakeFeishu, chat_id: str) -> Chat:
    chat = fake.world.chats.get(chat_id)
    if chat is None:
        raise ApiError(230001, "Your request contains an invalid request parameter: chat_id")
    if chat.disbanded:
        raise ApiError(230005, "The chat has been disbanded.")
    if not chat.bot_in_chat:
        raise ApiError(230002, "Bot/User can NOT be out of the chat.")
    return chat


def _uuid(body: JSON) -> str | None:
    uuid = body.get("uuid")
    if uuid is None:
        return None
    if not isinstance(uuid, str) or not 0 < len(uuid) <= 50:
        raise invalid("uuid must be a string of at most 50 characters")
    return uuid


def _reply_with(fake: FakeFeishu, message: Message) -> Reply:
    return ok(message.to_api(fake.tenant_key))


def _sent(
    fake: FakeFeishu, chat_id: str, body: JSON, content: str, uuid: str | None, **thread: Any
) -> Message:
    """Store a message the app sent (remembering its uuid); the caller holds the lock."""
    message = fake.world.add_message(
        Message(
            message_id=new_id("om_"),
            chat_id=chat_id,
            msg_type=str(body["msg_type"]),
            content=content,
            create_time=fake.world.now(),
            sender_id=fake.app_id,
            uuid=uuid,
            **thread,
        )
    )
    if uuid:
        fake.world.remember_uuid(uuid, message.message_id)
    return message


def create(fake: FakeFeishu, req: Request) -> Reply:
    """POST im/v1/messages?receive_id_type=..."""
    world = fake.world
    id_type = req.query.get("receive_id_type")
    if id_type not in RECEIVE_ID_TYPES:
        raise invalid("receive_id_type")
    body = _body(req)
    receive_id = body.get("receive_id")
    if not isinstance(receive_id, str) or not receive_id:
        raise invalid("receive_id")
    content = _content(fake, req, body.get("msg_type"), body.get("content"))
    uuid = _uuid(body)
    with world.lock:
        if uuid and (earlier := world.seen_uuid(uuid)) is not None:
            return _reply_with(fake, earlier)
        if id_type == "chat_id":
            chat = _usable_chat(fake, receive_id)
        elif id_type == "open_id":
            user = world.users.get(receive_id)
            if user is None:
                raise ApiError(
                    230001,
                    "Your request contains an invalid request parameter: "
                    "receive_id is not an open_id of this app",
                )
            if not user.available:
                raise ApiError(230013, "Bot has NO availability to this user.")
            chat = world.p2p_chat(receive_id)
        else:
            raise invalid(f"the fake only sends by chat_id and open_id, not {id_type}")
        message = _sent(fake, chat.chat_id, body, content, uuid)
    return _reply_with(fake, message)


def _target(fake: FakeFeishu, message_id: str) -> Message:
    message = fake.world.messages.get(message_id)
    if message is None:
        raise ApiError(230001, "Your request contains an invalid request parameter: message_id")
    if message.recalled:
        raise ApiError(230011, "The message is recalled.")
    return message


def reply(fake: FakeFeishu, req: Request) -> Reply:
    """POST im/v1/messages/:message_id/reply"""
    world = fake.world
    body = _body(req)
    content = _content(fake, req, body.get("msg_type"), body.get("content"))
    uuid = _uuid(body)
    in_thread = body.get("reply_in_thread", False)
    if not isinstance(in_thread, bool):
        raise invalid("reply_in_thread must be a boolean")
    with world.lock:
        if uuid and (earlier := world.seen_uuid(uuid)) is not None:
            return _reply_with(fake, earlier)
        parent = _target(fake, req.params["message_id"])
        chat = _usable_chat(fake, parent.chat_id)
        root = world.messages.get(parent.root_id or "") or parent
        thread_id = parent.thread_id or root.thread_id
        if (in_thread or chat.chat_mode == "topic") and thread_id is None:
            thread_id = new_id("omt_")[:20]
            root.thread_id = thread_id
        threaded = in_thread or chat.chat_mode == "topic"
        message = _sent(
            fake,
            chat.chat_id,
            body,
            content,
            uuid,
            root_id=root.message_id,
            parent_id=parent.message_id,
            thread_id=thread_id if threaded else None,
        )
    return _reply_with(fake, message)


def _edit(fake: FakeFeishu, message: Message, content: str) -> None:
    if message.sender_type != "app" or message.sender_id != fake.app_id:
        raise ApiError(230001, "only the app's own messages can be edited")
    if message.msg_type != "interactive":
        raise ApiError(230001, "only cards (interactive messages) can be edited")
    if fake.world.now() - message.create_time > EDIT_WINDOW:
        raise ApiError(230031, "Message can only be modified within 14 days after sending.")
    if not is_shared(message.card) or not is_shared(json.loads(content)):
        raise ApiError(
            230001, 'both cards must declare "update_multi": true to be updated for everyone'
        )
    message.history.append(message.content)
    message.content = content
    message.update_time = fake.world.now()


def patch(fake: FakeFeishu, req: Request) -> Reply:
    """PATCH im/v1/messages/:message_id (cards only)."""
    body = _body(req)
    content = _content(fake, req, "interactive", body.get("content"))
    with fake.world.lock:
        _edit(fake, _target(fake, req.params["message_id"]), content)
    return ok()


def get(fake: FakeFeishu, req: Request) -> Reply:
    """GET im/v1/messages/:message_id"""
    message = fake.world.messages.get(req.params["message_id"])
    if message is None:
        raise ApiError(230001, "Your request contains an invalid request parameter: message_id")
    return ok({"items": [message.to_api(fake.tenant_key)]})


def _field(parts: dict[str, Part], name: str) -> str:
    part = parts.get(name)
    return part.text if part is not None else ""


def upload_image(fake: FakeFeishu, req: Request) -> Reply:
    """POST im/v1/images (multipart: image_type, image)"""
    parts = req.form()
    if _field(parts, "image_type") not in ("message", "avatar"):
        raise ApiError(234001, "Invalid request param: image_type")
    data = parts["image"].data if "image" in parts else b""
    if not data:
        raise ApiError(234001, "Invalid request param: image is empty")
    if len(data) > IMAGE_LIMIT:
        raise ApiError(234006, "The file size exceed the max value.")
    key = "img_v3_" + new_id("")[:24]
    with fake.world.lock:
        fake.world.images[key] = data
    return ok({"image_key": key})


def upload_file(fake: FakeFeishu, req: Request) -> Reply:
    """POST im/v1/files (multipart: file_type, file_name, file)"""
    parts = req.form()
    file_type = _field(parts, "file_type")
    if file_type not in FILE_TYPES:
        raise ApiError(234001, "Invalid request param: file_type")
    name = _field(parts, "file_name")
    if not name:
        raise ApiError(234001, "Invalid request param: file_name")
    data = parts["file"].data if "file" in parts else b""
    if not data:
        raise ApiError(234001, "Invalid request param: file is empty")
    if len(data) > FILE_LIMIT:
        raise ApiError(234006, "The file size exceed the max value.")
    key = "file_v3_" + new_id("")[:24]
    with fake.world.lock:
        fake.world.files[key] = (name, file_type, data)
    return ok({"file_key": key})


def _card_object(card: Any) -> JSON:
    if not isinstance(card, dict):
        raise invalid("card must be an object")
    try:
        check_card({k: v for k, v in card.items() if k != "open_ids"})
    except CardError as exc:
        raise ApiError(230099, f"Failed to create card content: {exc}") from None
    return card


def ephemeral(fake: FakeFeishu, req: Request) -> Reply:
    """POST ephemeral/v1/send: a card only one person in a group sees."""
    body = _body(req)
    chat = _usable_chat(fake, str(body.get("chat_id", "")))
    user = body.get("open_id")
    if not isinstance(user, str) or not user:
        raise invalid("open_id")
    if body.get("msg_type") != "interactive":
        raise invalid("ephemeral messages are cards: msg_type must be interactive")
    card = _card_object(body.get("card"))
    if chat.chat_mode != "group":
        raise ApiError(230001, "ephemeral cards are not supported in this chat")
    if chat.members and user not in chat.members:
        raise ApiError(230001, "the user is not in the chat")
    message_id = new_id("om_")
    with fake.world.lock:
        fake.world.ephemerals.append(
            {"message_id": message_id, "chat_id": chat.chat_id, "open_id": user, "card": card}
        )
    return ok({"message_id": message_id})


def card_update(fake: FakeFeishu, req: Request) -> Reply:
    """POST interactive/v1/card/update: a delayed answer to a card callback."""
    body = _body(req)
    card = _card_object(body.get("card"))
    world = fake.world
    with world.lock:
        token = world.callback_tokens.get(str(body.get("token", "")))
        if token is None:
            raise ApiError(230001, "invalid card callback token")
        if world.now() - token.issued > CALLBACK_TOKEN_LIFETIME:
            raise ApiError(230001, "the card callback token expired (30 minutes)")
        if token.uses >= CALLBACK_TOKEN_USES:
            raise ApiError(230001, "the card callback token was used twice already")
        token.uses += 1
        shared = {k: v for k, v in card.items() if k != "open_ids"}
        _edit(fake, _target(fake, token.message_id), json.dumps(shared, ensure_ascii=False))
    return ok()


ROUTES: list[tuple[str, str, str, Any]] = [
    ("POST", r"/open-apis/im/v1/messages", "messages.create", create),
    ("POST", r"/open-apis/im/v1/messages/(?P<message_id>[^/]+)/reply", "messages.reply", reply),
    ("PATCH", r"/open-apis/im/v1/messages/(?P<message_id>[^/]+)", "messages.patch", patch),
    ("GET", r"/open-apis/im/v1/messages/(?P<message_id>[^/]+)", "messages.get", get),
    ("POST", r"/open-apis/im/v1/images", "images.create", upload_image),
    ("POST", r"/open-apis/im/v1/files", "files.create", upload_file),
    ("POST", r"/open-apis/ephemeral/v1/send", "ephemeral.send", ephemeral),
    ("POST", r"/open-apis/interactive/v1/card/update", "card.update", card_update),
]
