"""A fake Slack for tests: the Web API over real HTTP, Socket Mode, and requests
shaped like the ones Slack sends to an app, signed as Slack signs them.

`FakeSlack` (`server`) listens on 127.0.0.1 (a free port) and answers the Web
API methods xdept uses the way Slack does: HTTP 200 with ``{"ok": true, ...}``,
errors as HTTP 200 with ``{"ok": false, "error": "..."}``, rate limits as HTTP
429 with ``Retry-After``. It keeps a small workspace (users, channels, user
groups, messages, views, files) seeded by the test, records every request, and
can be told to fail or slow down the next calls of a method.

Usage::

    with FakeSlack() as slack:
        slack.add_user("U1", "alice", tz="Asia/Shanghai")
        slack.add_channel("C1", "logistics", members=["U1"])
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        client.chat_postMessage(channel="C1", text="hi")
        assert slack.messages("C1")[0].text == "hi"

As a pytest fixture::

    @pytest.fixture
    def slack() -> Iterator[FakeSlack]:
        with FakeSlack() as fake:
            yield fake

Besides ``/api/<method>``, the server answers ``POST /response/<name>``
(``response_url(name)``: what a slash command or an action's ``response_url``
receives) and ``POST /upload/<file_id>`` (the ``upload_url`` handed out by
``files.getUploadURLExternal``), so ``WebClient.files_upload_v2`` works end to
end. With a `socket_mode.FakeSocketMode` attached, ``apps.connections.open``
hands out its ``ws://`` URL, for Socket Mode.

The request builders (`payloads`, `payloads_interactive`, `payloads_events`)
and `signing` make what Slack sends to the app; everything public is importable
from this package.
"""

from __future__ import annotations

from tests.fakes.slack.blocks import (
    MAX_BUTTON_TEXT,
    MAX_BUTTON_VALUE,
    MAX_FIELD_TEXT,
    MAX_HEADER_TEXT,
    MAX_ID_LENGTH,
    MAX_MESSAGE_BLOCKS,
    MAX_MESSAGE_TEXT,
    MAX_PRIVATE_METADATA,
    MAX_SECTION_FIELDS,
    MAX_SECTION_TEXT,
    MAX_VIEW_BLOCKS,
    MAX_VIEW_TITLE,
    collect_text,
)
from tests.fakes.slack.params import (
    JSON,
    SlackError,
)
from tests.fakes.slack.payloads import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    VERIFICATION_TOKEN,
    default_response_url,
    new_event_id,
    new_trigger_id,
    new_ts,
    slash_command_body,
)
from tests.fakes.slack.payloads_events import (
    app_home_opened_event,
    app_mention_event,
    event_body,
    event_payload,
    message_changed_event,
    message_deleted_event,
    message_event,
    reaction_added_event,
    reaction_removed_event,
    url_verification_body,
)
from tests.fakes.slack.payloads_interactive import (
    block_actions_body,
    block_actions_payload,
    conversations_select_value,
    datepicker_value,
    global_shortcut_body,
    message_shortcut_body,
    plain_text_value,
    static_select_value,
    timepicker_value,
    users_select_value,
    view_submission_body,
    view_submission_payload,
)
from tests.fakes.slack.records import (
    RESPONSE_URL,
    UPLOAD,
    Call,
    Channel,
    Ephemeral,
    Message,
    ResponsePost,
    Upload,
    User,
    Usergroup,
    ViewCall,
)
from tests.fakes.slack.server import (
    FakeSlack,
)
from tests.fakes.slack.signing import (
    FORM,
    JSON_TYPE,
    SignedResponse,
    sign,
    signed_post,
)
from tests.fakes.slack.socket_mode import (
    OP_BINARY,
    OP_CLOSE,
    OP_CONTINUATION,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    FakeSocketMode,
    ProtocolError,
    accept_key,
    decode_frame,
    encode_frame,
)

__all__ = [
    "JSON",
    "SlackError",
    "MAX_MESSAGE_TEXT",
    "MAX_MESSAGE_BLOCKS",
    "MAX_VIEW_BLOCKS",
    "MAX_SECTION_TEXT",
    "MAX_SECTION_FIELDS",
    "MAX_FIELD_TEXT",
    "MAX_HEADER_TEXT",
    "MAX_BUTTON_TEXT",
    "MAX_BUTTON_VALUE",
    "MAX_ID_LENGTH",
    "MAX_VIEW_TITLE",
    "MAX_PRIVATE_METADATA",
    "collect_text",
    "RESPONSE_URL",
    "UPLOAD",
    "Call",
    "User",
    "Channel",
    "Usergroup",
    "Message",
    "Ephemeral",
    "ResponsePost",
    "ViewCall",
    "Upload",
    "FakeSlack",
    "OP_CONTINUATION",
    "OP_TEXT",
    "OP_BINARY",
    "OP_CLOSE",
    "OP_PING",
    "OP_PONG",
    "accept_key",
    "encode_frame",
    "decode_frame",
    "ProtocolError",
    "FakeSocketMode",
    "FORM",
    "JSON_TYPE",
    "sign",
    "SignedResponse",
    "signed_post",
    "TEAM_ID",
    "TEAM_DOMAIN",
    "APP_ID",
    "BOT_USER_ID",
    "BOT_ID",
    "VERIFICATION_TOKEN",
    "new_ts",
    "new_trigger_id",
    "new_event_id",
    "default_response_url",
    "slash_command_body",
    "block_actions_payload",
    "block_actions_body",
    "message_shortcut_body",
    "global_shortcut_body",
    "plain_text_value",
    "static_select_value",
    "users_select_value",
    "conversations_select_value",
    "datepicker_value",
    "timepicker_value",
    "view_submission_payload",
    "view_submission_body",
    "event_payload",
    "event_body",
    "url_verification_body",
    "message_event",
    "message_changed_event",
    "message_deleted_event",
    "reaction_added_event",
    "reaction_removed_event",
    "app_home_opened_event",
    "app_mention_event",
]
