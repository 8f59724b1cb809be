"""The Feishu Open API calls xdept makes, over lark-oapi's client, with its errors mapped.

Each call returns the answer's ``data`` as a dict or raises a `FeishuError`
(a DeliveryError). The SDK neither retries nor drops a tenant token Feishu
has refused, so a token-invalid answer drops the cached token and repeats the
call once. lark-oapi is imported on first use: nothing imports this module
unless Feishu is configured.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from typing import Any

from bot.config import Settings
from handlers.feishu import sdk
from handlers.feishu.codes import TOKEN_INVALID, classify, unreachable

log = logging.getLogger(__name__)

JSON = dict[str, Any]
API_TIMEOUT = 10.0


def make_client(settings: Settings) -> Any:
    """lark-oapi's client for FEISHU_API_URL with the app's credentials."""
    lark = sdk.load()

    settings.require("feishu_app_id", "feishu_app_secret")
    assert settings.feishu_app_id is not None
    return (
        lark.Client.builder()
        .app_id(settings.feishu_app_id)
        .app_secret(settings.secret("feishu_app_secret"))
        .domain(settings.feishu_api_url)
        .timeout(API_TIMEOUT)
        .log_level(lark.LogLevel.WARNING)
        .build()
    )


def _answer(response: Any) -> tuple[int | None, dict[str, str], JSON]:
    """Status, headers and parsed body of an SDK response (the body {} if not JSON)."""
    raw = getattr(response, "raw", None)
    status = getattr(raw, "status_code", None)
    headers = dict(getattr(raw, "headers", None) or {})
    try:
        body = json.loads(raw.content) if raw is not None and raw.content else {}
    except ValueError:
        body = {}
    return status, headers, body if isinstance(body, dict) else {}


class FeishuApi:
    """The calls of one self-built app (see the module docstring)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.app_id: str = client.config.app_id

    def _drop_token(self) -> None:
        from lark_oapi.core.token.manager import TokenManager

        # The SDK caches tenant tokens per app id for the whole process.
        TokenManager.cache.set(f"self_tenant_token:{self.app_id}", "", 0)

    def call(self, where: str, send: Callable[[], Any]) -> JSON:
        """Run one SDK call; its whole answer body, or a FeishuError."""
        import requests
        from lark_oapi.core.exception import ObtainAccessTokenException

        for attempt in (1, 2):
            try:
                response = send()
            except ObtainAccessTokenException as exc:
                raise classify(
                    status=None,
                    code=exc.code,
                    msg=f"getting a token: {exc.msg}",
                    headers=None,
                    where=where,
                ) from exc
            except (requests.RequestException, OSError) as exc:
                raise unreachable(where, exc) from exc
            except ValueError as exc:
                # The SDK parses every answer as JSON; a gateway's HTML page lands here.
                raise classify(
                    status=502, code=None, msg="", headers=None, where=f"{where} (not JSON: {exc})"
                ) from exc
            status, headers, body = _answer(response)
            code = body.get("code", getattr(response, "code", None))
            if code == 0:
                return body
            if code in TOKEN_INVALID and attempt == 1:
                log.info("Feishu refused the tenant token (%s) %s; fetching a new one", code, where)
                self._drop_token()
                continue
            raise classify(
                status=status,
                code=code if isinstance(code, int) else None,
                msg=str(body.get("msg", "")),
                headers=headers,
                where=where,
            )
        raise AssertionError("unreachable")

    def _raw(self, where: str, method: str, uri: str, body: JSON | None = None) -> JSON:
        lark = sdk.load()

        def send() -> Any:
            builder = (
                lark.BaseRequest.builder()
                .http_method(getattr(lark.HttpMethod, method))
                .uri(uri)
                .token_types({lark.AccessTokenType.TENANT})
            )
            if body is not None:
                builder = builder.headers({"Content-Type": "application/json; charset=utf-8"})
                builder = builder.body(body)
            return self.client.request(builder.build())

        return self.call(where, send)

    # -- messages

    def send(
        self,
        *,
        receive_id_type: str,
        receive_id: str,
        msg_type: str,
        content: str,
        uuid: str | None = None,
    ) -> JSON:
        """POST im/v1/messages: the new message."""
        from lark_oapi.api.im.v1 import CreateMessageRequest, CreateMessageRequestBody

        def send() -> Any:
            body = CreateMessageRequestBody.builder().receive_id(receive_id).msg_type(msg_type)
            body = body.content(content)
            if uuid:
                body = body.uuid(uuid)
            request = CreateMessageRequest.builder().receive_id_type(receive_id_type)
            return self.client.im.v1.message.create(request.request_body(body.build()).build())

        return dict(self.call(f"sending to {receive_id}", send).get("data") or {})

    def reply(
        self,
        *,
        message_id: str,
        msg_type: str,
        content: str,
        in_thread: bool,
        uuid: str | None = None,
    ) -> JSON:
        """POST im/v1/messages/:id/reply: the new message (with root, parent, thread ids)."""
        from lark_oapi.api.im.v1 import ReplyMessageRequest, ReplyMessageRequestBody

        def send() -> Any:
            body = ReplyMessageRequestBody.builder().content(content).msg_type(msg_type)
            body = body.reply_in_thread(in_thread)
            if uuid:
                body = body.uuid(uuid)
            request = ReplyMessageRequest.builder().message_id(message_id)
            return self.client.im.v1.message.reply(request.request_body(body.build()).build())

        return dict(self.call(f"replying to {message_id}", send).get("data") or {})

    def patch(self, *, message_id: str, content: str) -> None:
        """PATCH im/v1/messages/:id: replace a card."""
        from lark_oapi.api.im.v1 import PatchMessageRequest, PatchMessageRequestBody

        def send() -> Any:
            body = PatchMessageRequestBody.builder().content(content).build()
            request = PatchMessageRequest.builder().message_id(message_id).request_body(body)
            return self.client.im.v1.message.patch(request.build())

        self.call(f"editing {message_id}", send)

    def message(self, message_id: str) -> JSON:
        """GET im/v1/messages/:id: the message (its body.content is a JSON string)."""
        from lark_oapi.api.im.v1 import GetMessageRequest

        def send() -> Any:
            request = GetMessageRequest.builder().message_id(message_id).build()
            return self.client.im.v1.message.get(request)

        items = (self.call(f"reading {message_id}", send).get("data") or {}).get("items") or []
        return dict(items[0]) if items else {}

    def upload_image(self, data: bytes) -> str:
        """POST im/v1/images: the image_key of a picture to send."""
        from lark_oapi.api.im.v1 import CreateImageRequest, CreateImageRequestBody

        def send() -> Any:
            body = CreateImageRequestBody.builder().image_type("message").image(io.BytesIO(data))
            request = CreateImageRequest.builder().request_body(body.build()).build()
            return self.client.im.v1.image.create(request)

        return str(self.call("uploading an image", send)["data"]["image_key"])

    def upload_file(self, *, name: str, file_type: str, data: bytes) -> str:
        """POST im/v1/files: the file_key of a file to send."""
        from lark_oapi.api.im.v1 import CreateFileRequest, CreateFileRequestBody

        def send() -> Any:
            body = CreateFileRequestBody.builder().file_type(file_type).file_name(name)
            body = body.file(io.BytesIO(data))
            request = CreateFileRequest.builder().request_body(body.build()).build()
            return self.client.im.v1.file.create(request)

        return str(self.call(f"uploading {name}", send)["data"]["file_key"])

    def send_ephemeral(self, *, chat_id: str, open_id: str, card: JSON) -> str:
        """POST ephemeral/v1/send: a card only one member of a group sees; its message id."""
        body = {"chat_id": chat_id, "open_id": open_id, "msg_type": "interactive", "card": card}
        answer = self._raw(
            f"showing {open_id} a card in {chat_id}", "POST", "/open-apis/ephemeral/v1/send", body
        )
        return str((answer.get("data") or {}).get("message_id", ""))

    def update_card(self, *, token: str, card: JSON) -> None:
        """POST interactive/v1/card/update: answer a card callback late (30 minutes, twice)."""
        body = {"token": token, "card": card}
        self._raw(
            "updating a card after a click", "POST", "/open-apis/interactive/v1/card/update", body
        )

    # -- people, departments, chats, the bot

    def user(self, open_id: str) -> JSON:
        """GET contact/v3/users/:open_id: name, time_zone, department_ids, leader_user_id."""
        from lark_oapi.api.contact.v3 import GetUserRequest

        def send() -> Any:
            request = (
                GetUserRequest.builder()
                .user_id(open_id)
                .user_id_type("open_id")
                .department_id_type("open_department_id")
                .build()
            )
            return self.client.contact.v3.user.get(request)

        return dict((self.call(f"looking up {open_id}", send).get("data") or {}).get("user") or {})

    def department(self, department_id: str) -> JSON:
        """GET contact/v3/departments/:id: name, leader_user_id, chat_id."""
        from lark_oapi.api.contact.v3 import GetDepartmentRequest

        def send() -> Any:
            request = (
                GetDepartmentRequest.builder()
                .department_id(department_id)
                .department_id_type("open_department_id")
                .user_id_type("open_id")
                .build()
            )
            return self.client.contact.v3.department.get(request)

        data = self.call(f"looking up department {department_id}", send).get("data") or {}
        return dict(data.get("department") or {})

    def chat(self, chat_id: str) -> JSON:
        """GET im/v1/chats/:id: name, chat_mode, chat_type, group_message_type."""
        from lark_oapi.api.im.v1 import GetChatRequest

        def send() -> Any:
            return self.client.im.v1.chat.get(GetChatRequest.builder().chat_id(chat_id).build())

        return dict(self.call(f"looking up chat {chat_id}", send).get("data") or {})

    def bot_info(self) -> JSON:
        """GET bot/v3/info: the bot's own open_id and name."""
        return dict(self._raw("asking who I am", "GET", "/open-apis/bot/v3/info").get("bot") or {})

    def tenant(self) -> JSON:
        """GET tenant/v2/tenant/query: the tenant (tenant_key, name) the app serves."""
        data = self._raw("asking for my tenant", "GET", "/open-apis/tenant/v2/tenant/query")
        return dict((data.get("data") or {}).get("tenant") or {})
