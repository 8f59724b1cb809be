"""The fake's other methods: tokens, people, departments, chats, the bot, the tenant,
and the long connection's handshake."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.fakes.feishu.http import ApiError, Reply, Request, invalid, ok

if TYPE_CHECKING:
    from tests.fakes.feishu.server import FakeFeishu

JSON = dict[str, Any]


def tenant_token(fake: FakeFeishu, req: Request) -> Reply:
    """POST auth/v3/tenant_access_token/internal (a self-built app's token)."""
    body = req.json()
    if not isinstance(body, dict) or not body.get("app_id") or not body.get("app_secret"):
        raise invalid("app_id and app_secret are required")
    if body["app_id"] != fake.app_id:
        raise ApiError(10003, "invalid param: app_id")
    if body["app_secret"] != fake.app_secret:
        raise ApiError(10014, "app secret invalid")
    token, expire = fake.world.issue_token()
    return Reply(body={"code": 0, "msg": "ok", "tenant_access_token": token, "expire": expire})


def app_token(fake: FakeFeishu, req: Request) -> Reply:
    """POST auth/v3/app_access_token/internal (answered with the tenant token's shape)."""
    reply = tenant_token(fake, req)
    assert isinstance(reply.body, dict)
    reply.body["app_access_token"] = reply.body["tenant_access_token"]
    return reply


def user(fake: FakeFeishu, req: Request) -> Reply:
    """GET contact/v3/users/:user_id?user_id_type=open_id"""
    if req.query.get("user_id_type", "open_id") != "open_id":
        raise invalid("the fake knows people by open_id only")
    found = fake.world.users.get(req.params["user_id"])
    if found is None:
        raise ApiError(41050, "no user authority error")
    return ok({"user": found.to_api()})


def department(fake: FakeFeishu, req: Request) -> Reply:
    """GET contact/v3/departments/:department_id"""
    found = fake.world.departments.get(req.params["department_id"])
    if found is None:
        raise ApiError(40004, "no dept authority error")
    return ok({"department": found.to_api()})


def chat(fake: FakeFeishu, req: Request) -> Reply:
    """GET im/v1/chats/:chat_id"""
    found = fake.world.chats.get(req.params["chat_id"])
    if found is None or found.disbanded:
        raise ApiError(232004, "The chat does not exist.")
    if not found.bot_in_chat:
        raise ApiError(232011, "Operator can NOT be out of the chat.")
    return ok(found.to_api(fake.tenant_key))


def bot_info(fake: FakeFeishu, req: Request) -> Reply:
    """GET bot/v3/info (answered at the top level, not under `data`)."""
    return Reply(
        body={
            "code": 0,
            "msg": "ok",
            "bot": {
                "activate_status": 2,
                "app_name": fake.bot_name,
                "avatar_url": "https://example.invalid/avatar.png",
                "ip_white_list": [],
                "open_id": fake.bot_open_id,
            },
        }
    )


def tenant(fake: FakeFeishu, req: Request) -> Reply:
    """GET tenant/v2/tenant/query: the tenant the app serves."""
    return ok(
        {
            "tenant": {
                "name": fake.tenant_name,
                "display_id": "F" + fake.tenant_key[:8],
                "tenant_tag": 0,
                "tenant_key": fake.tenant_key,
                "avatar": {},
            }
        }
    )


def ws_endpoint(fake: FakeFeishu, req: Request) -> Reply:
    """POST callback/ws/endpoint: where the long connection goes, and its settings."""
    body = req.json()
    if not isinstance(body, dict):
        return Reply(body={"code": 1000040343, "msg": "bad request"})
    if body.get("AppID") != fake.app_id or body.get("AppSecret") != fake.app_secret:
        return Reply(body={"code": 1000040351, "msg": "app id or secret is invalid"})
    if fake.long_connection is None:
        return Reply(body={"code": 1000040352, "msg": "long connection is not enabled"})
    url, config = fake.long_connection.handshake()
    return Reply(body={"code": 0, "msg": "ok", "data": {"URL": url, "ClientConfig": config}})


# Methods that need no tenant token.
OPEN = {"token", "app_token", "ws.endpoint"}

ROUTES: list[tuple[str, str, str, Any]] = [
    ("POST", r"/open-apis/auth/v3/tenant_access_token/internal", "token", tenant_token),
    ("POST", r"/open-apis/auth/v3/app_access_token/internal", "app_token", app_token),
    ("GET", r"/open-apis/contact/v3/users/(?P<user_id>[^/]+)", "users.get", user),
    (
        "GET",
        r"/open-apis/contact/v3/departments/(?P<department_id>[^/]+)",
        "departments.get",
        department,
    ),
    ("GET", r"/open-apis/im/v1/chats/(?P<chat_id>[^/]+)", "chats.get", chat),
    ("GET", r"/open-apis/bot/v3/info", "bot.info", bot_info),
    ("GET", r"/open-apis/tenant/v2/tenant/query", "tenant.query", tenant),
    ("POST", r"/callback/ws/endpoint", "ws.endpoint", ws_endpoint),
]
