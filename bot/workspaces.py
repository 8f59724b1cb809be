"""`/xdept workspace` and `workspace set`: one workspace's own settings, in one transaction."""

from __future__ import annotations

from bot.commands import WorkspaceField, WorkspaceOp
from bot.config import Settings
from bot.context import Context
from bot.domain import InvalidInput
from bot.i18n import register, t
from bot.limits import clean
from bot.lookup import Lookup
from bot.messages import ChannelSpan, Message, MessageField, MessageKind, Rich, mention, text
from bot.workspace_config import config_of, defaults, require_admin
from storage.db import Store
from storage.repositories.workspace_settings import (
    KEEP,
    Keep,
    WorkspaceConfig,
    WorkspaceSettingsRepository,
)

register(
    {
        "ws.title": ("This workspace's settings:", "本工作区设置："),
        "ws.admins": ("Admins", "管理员"),
        "ws.summary": ("Summary channel", "周报频道"),
        "ws.tz": ("Time zone", "时区"),
        "ws.locale": ("Language", "语言"),
        "ws.default": ("(the server's default)", "（服务默认值）"),
        "ws.none_admins": (
            "anyone (no admin set: `{cmd} workspace set admin:@you`)",
            "任何人（尚未设置管理员：`{cmd} workspace set admin:@你`）",
        ),
        "ws.per_department": ("each department's own channel", "各部门自己的频道"),
        "ws.saved": ("Saved.", "已保存。"),
        "err.ws_admin_needs_mention": (
            "Mention the admin so I know who it is, e.g. admin:@alice (pick the person from "
            "the list shown while you type).",
            "请用 @ 选中具体的人，例如 admin:@张三（输入时从弹出的列表中选择）。",
        ),
        "err.ws_no_admin_left": (
            "That would leave this workspace without any admin: add another one first.",
            "这样本工作区将没有任何管理员，请先添加另一位管理员。",
        ),
    }
)


class WorkspaceService:
    """Showing and changing a workspace's own settings (admins change them)."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.lookup = Lookup(settings)

    def show(self, *, ctx: Context, locale: str) -> Message:
        """The workspace's settings as lines of text, defaults marked."""
        with self.store.unit_of_work() as uow:
            ws = self.lookup.workspace(uow, ctx)
            own = WorkspaceSettingsRepository(uow.session).get(ws.id)
            config = config_of(uow, self.settings, ws)
        return self._describe(config, own_fields=_own_fields(own), locale=locale)

    def set(self, *, ctx: Context, ops: list[WorkspaceOp], locale: str) -> Message:
        """Apply the settings; the reply shows them all. Admins only."""
        with self.store.unit_of_work() as uow:
            require_admin(uow, self.settings, ctx)
            ws = self.lookup.workspace(uow, ctx)
            add, remove = _admins(ops)
            values: dict[WorkspaceField, str | None | Keep] = {
                f: KEEP for f in (WorkspaceField.SUMMARY, WorkspaceField.TZ, WorkspaceField.LOCALE)
            }
            for op in ops:
                if op.field is WorkspaceField.SUMMARY:
                    target = op.target
                    values[op.field] = (
                        clean(target.id or target.name or "") if target is not None else None
                    ) or None
                elif op.field is not WorkspaceField.ADMIN:
                    values[op.field] = op.value
            repo = WorkspaceSettingsRepository(uow.session)
            row = repo.set(
                ws.id,
                now=ctx.now,
                by=ctx.actor.user_id,
                add_admins=add,
                remove_admins=remove,
                summary_channel=values[WorkspaceField.SUMMARY],
                timezone=values[WorkspaceField.TZ],
                locale=values[WorkspaceField.LOCALE],
            )
            if remove and not row.admins and not defaults(self.settings).admins:
                raise InvalidInput("err.ws_no_admin_left")
            # The workspace's own zone is where its scheduling and dates start from.
            ws.timezone = row.timezone or self.settings.xdept_timezone
            config = config_of(uow, self.settings, ws)
            own = _own_fields(row)
        return self._describe(config, own_fields=own, locale=locale, saved=True)

    def _describe(
        self,
        config: WorkspaceConfig,
        *,
        own_fields: frozenset[str],
        locale: str,
        saved: bool = False,
    ) -> Message:
        def marked(field: str, value: Rich) -> Rich:
            if field in own_fields:
                return value
            return [*value, text(" " + t(locale, "ws.default"))]

        admins: Rich = []
        for n, admin in enumerate(sorted(config.admins)):
            admins += [text(", ")] if n else []
            admins.append(mention(admin))
        summary: Rich = (
            [ChannelSpan(channel_id=config.summary_channel)]
            if config.summary_channel
            else [text(t(locale, "ws.per_department"))]
        )
        title = t(locale, "ws.saved") + " " if saved else ""
        return Message(
            kind=MessageKind.REPLY,
            title=[text(title + t(locale, "ws.title"), bold=True)],
            fields=[
                MessageField(
                    label=t(locale, "ws.admins"),
                    value=admins or [text(t(locale, "ws.none_admins"))],
                ),
                MessageField(label=t(locale, "ws.summary"), value=marked("summary", summary)),
                MessageField(label=t(locale, "ws.tz"), value=marked("tz", [text(config.timezone)])),
                MessageField(
                    label=t(locale, "ws.locale"), value=marked("locale", [text(config.locale)])
                ),
            ],
        )


def _admins(ops: list[WorkspaceOp]) -> tuple[list[str], list[str]]:
    add: list[str] = []
    remove: list[str] = []
    for op in ops:
        if op.field is not WorkspaceField.ADMIN:
            continue
        target = op.target
        if target is None or not target.id:
            # A bare name cannot be told apart from another person's: the platform's id it is.
            raise InvalidInput("err.ws_admin_needs_mention")
        (remove if op.remove else add).append(target.id)
    return add, remove


def _own_fields(row: object) -> frozenset[str]:
    if row is None:
        return frozenset()
    names = {"summary": "summary_channel", "tz": "timezone", "locale": "locale"}
    return frozenset(f for f, column in names.items() if getattr(row, column, None))
