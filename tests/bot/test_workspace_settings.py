"""`/xdept workspace` and `workspace set`: each workspace's own admins, summary channel,
zone and language; the defaults stay for the others; refusals change nothing."""

from __future__ import annotations

from datetime import datetime

from bot.bootstrap import App
from bot.messages import Message
from handlers.slack.escapes import neutral_text
from storage.repositories.workspace_settings import WorkspaceSettingsRepository
from storage.tenancy_models import WorkspaceSettings
from tests.conftest import CtxFactory, at

NOW = at(2026, 11, 23, 10, 0)
LATER = at(2026, 11, 23, 15, 0)


def run(
    app: App, ctx: CtxFactory, user: str, line: str, *, now: datetime = NOW, **kw: object
) -> Message:
    command = neutral_text(line)
    context = ctx(user, now, **kw)
    return app.core.run_command(context, command.text, mentions=command.mentions)


def one_request(app: App, ctx: CtxFactory, team: str) -> None:
    """A department `ops` in `team`, and one request filed to it."""
    run(app, ctx, "UADMIN", "dept add ops <#COPS|ops> lead:<@UL|l> escalate:<@UZ|z>",
        is_admin=True, workspace=team)  # fmt: skip
    assert "XD-1" in run(app, ctx, "UALICE", "ask @ops pallets", workspace=team).plain()


def own_settings(app: App, team: str) -> WorkspaceSettings | None:
    with app.store.unit_of_work() as uow:
        ws = uow.workspaces.get("slack", team)
        return WorkspaceSettingsRepository(uow.session).get(ws.id) if ws else None


def test_an_admin_sets_the_workspace_and_only_that_workspace(app: App, ctx: CtxFactory) -> None:
    reply = run(
        app,
        ctx,
        "UBOSS",
        "workspace set summary:<#CWEEK|weekly> tz:Europe/Berlin locale:zh admin:<@UANN|ann>",
        is_admin=True,
        workspace="TA",
    ).plain()
    assert "Saved" in reply and "#CWEEK" in reply and "Europe/Berlin" in reply, reply
    own = own_settings(app, "TA")
    assert own is not None
    assert (own.summary_channel, own.timezone, own.locale, own.admins) == (
        "CWEEK",
        "Europe/Berlin",
        "zh",
        ["UANN"],
    )
    # Another workspace keeps the server's defaults.
    other = run(app, ctx, "UX", "workspace", workspace="TB").plain()
    assert "Asia/Shanghai (the server's default)" in other, other
    assert own_settings(app, "TB") is None
    # The workspace's zone is its default zone from now on; its language too.
    with app.store.unit_of_work() as uow:
        ws = uow.workspaces.get("slack", "TA")
        assert ws is not None and ws.timezone == "Europe/Berlin"
    shown = run(app, ctx, "UANN", "workspace", workspace="TA", locale=None).plain()
    assert "管理员" in shown and "Europe/Berlin" in shown, shown


def test_workspace_admins_replace_anyone_may(app: App, ctx: CtxFactory) -> None:
    # No admin configured anywhere: anyone may set the first one.
    run(app, ctx, "UANN", "workspace set admin:<@UANN|ann>", workspace="TA")
    refused = run(app, ctx, "UBOB", "workspace set tz:UTC", workspace="TA").plain()
    assert "Only workspace admins" in refused and "UANN" in refused, refused
    refused_dept = run(
        app,
        ctx,
        "UBOB",
        "dept add ops <#COPS|ops> lead:<@UBOB|bob> escalate:<@UZ|z>",
        workspace="TA",
    ).plain()
    assert "Only workspace admins" in refused_dept
    own = own_settings(app, "TA")
    assert own is not None and own.timezone is None  # nothing changed
    # The platform's own admins always may; so may a listed admin.
    assert (
        "Saved"
        in run(app, ctx, "UOWNER", "workspace set tz:UTC", is_admin=True, workspace="TA").plain()
    )
    assert "Saved" in run(app, ctx, "UANN", "workspace set locale:default", workspace="TA").plain()


def test_the_installer_is_an_admin(app: App, ctx: CtxFactory) -> None:
    with app.store.unit_of_work() as uow:
        uow.session.execute(_install_row("TA", "UINST"))
    refused = run(app, ctx, "UBOB", "workspace set tz:UTC", workspace="TA").plain()
    assert "Only workspace admins" in refused and "UINST" in refused
    assert "Saved" in run(app, ctx, "UINST", "workspace set tz:UTC", workspace="TA").plain()


def _install_row(team: str, installer: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import insert

    from storage.tenancy_models import Installation

    now = datetime(2026, 11, 1, tzinfo=NOW.tzinfo)
    return insert(Installation).values(
        platform="slack",
        workspace=team,
        state="active",
        installer=installer,
        details={},
        secrets=None,
        installed_at=now,
        updated_at=now,
    )


def test_errors_are_clear_and_change_nothing(app: App, ctx: CtxFactory) -> None:
    for line, expected in (
        ("workspace set tz:Mars/Base", "IANA time zone"),
        ("workspace set colour:red", 'Unknown workspace setting "colour"'),
        ("workspace set admin:bob", 'Could not read "bob" as admin'),
        ("workspace set admin:@bob", "Mention the admin"),
        ("workspace set -tz:UTC", "only admins can be removed"),
        ("workspace set", "missing <setting>:<value>"),
    ):
        reply = run(app, ctx, "UANN", line, workspace="TA").plain()
        assert expected in reply, (line, reply)
    assert own_settings(app, "TA") is None
    zh = run(app, ctx, "UANN", "工作区 设置 时区:火星", workspace="TA", locale="zh").plain()
    assert "时区" in zh or "tz" in zh, zh
    assert "IANA 时区" in zh, zh


def test_the_summary_goes_to_the_workspace_channel(app: App, ctx: CtxFactory) -> None:
    one_request(app, ctx, "TA")
    run(app, ctx, "UADMIN", "workspace set summary:<#CWEEK|weekly>", is_admin=True, workspace="TA")
    reply = run(app, ctx, "UADMIN", "summary", is_admin=True, workspace="TA", now=LATER).plain()
    assert "#CWEEK" in reply, reply
    # In another workspace, the server's default (each department's channel) still holds.
    run(
        app,
        ctx,
        "UADMIN",
        "dept add ops <#COPSB|ops> lead:<@UL|l> escalate:<@UZ|z>",
        is_admin=True,
        workspace="TB",
    )
    assert "XD-1" in run(app, ctx, "UALICE", "ask @ops boxes", workspace="TB").plain()
    other = run(app, ctx, "UADMIN", "summary", is_admin=True, workspace="TB", now=LATER).plain()
    assert "#CWEEK" not in other and "1" in other, other


def test_the_weekly_summary_comes_on_monday_morning_in_the_workspaces_zone(
    app: App, ctx: CtxFactory
) -> None:
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from scheduler.tick import tick
    from storage.models import OutboxMessage

    berlin = ZoneInfo("Europe/Berlin")
    for team in ("TA", "TB"):
        one_request(app, ctx, team)
    run(app, ctx, "UADMIN", "workspace set tz:Europe/Berlin", is_admin=True, workspace="TA")

    def summaries(team: str) -> int:
        with app.store.unit_of_work() as uow:
            ws = uow.workspaces.get("slack", team)
            assert ws is not None
            found = uow.session.scalars(
                select(OutboxMessage.id).filter_by(workspace_id=ws.id, kind="summary")
            )
            return len(found.all())

    # Monday 09:00 in Shanghai (XDEPT_TIMEZONE): team B's summary, not team A's.
    tick(app.store, app.settings, now=at(2026, 11, 30, 9, 5), use_lease=False)
    assert (summaries("TA"), summaries("TB")) == (0, 1)
    # Monday 09:00 in Berlin: team A's.
    tick(app.store, app.settings, now=datetime(2026, 11, 30, 9, 5, tzinfo=berlin), use_lease=False)
    assert (summaries("TA"), summaries("TB")) == (1, 1)
