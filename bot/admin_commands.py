"""What `xdept workspace list|purge` and `xdept secret-key rotate` do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy import func, select

from bot.config import ConfigError, Settings
from storage.crypto import SecretBox, generate_key
from storage.db import Store
from storage.migrate import upgrade
from storage.models import Item, Workspace
from storage.purge import platforms_of, purge_workspace, workspace_rows
from storage.repositories.installations import InstallationRepository

__all__ = ["generate_key", "list_workspaces", "purge", "rotate"]

# `purge` without --yes and without a terminal to ask on, or not confirmed.
REFUSED = 2


@contextmanager
def _store(settings: Settings) -> Iterator[Store]:
    store = Store.from_url(settings.sqlalchemy_url)
    try:
        upgrade(store.engine)
        yield store
    finally:
        store.dispose()


def _box(settings: Settings) -> SecretBox | None:
    return SecretBox(settings.secret_keys) if settings.secret_keys else None


def rotate(settings: Settings, stdout: TextIO) -> int:
    """Re-encrypt every stored secret under the first key of XDEPT_SECRET_KEY."""
    if not settings.secret_keys:
        raise ConfigError(
            "XDEPT_SECRET_KEY is not set: put the new key first and the old ones after it, "
            "comma-separated, then run `xdept secret-key rotate`"
        )
    box = SecretBox(settings.secret_keys)
    with _store(settings) as store, store.unit_of_work() as uow:
        report = InstallationRepository(uow.session, box).reseal_all(now=datetime.now(UTC))
    for line in report.lines():
        print(line, file=stdout)
    return 0


def list_workspaces(settings: Settings, stdout: TextIO) -> int:
    """Print every workspace: platform, id, name, state, installer, items."""
    rows: dict[tuple[str, str], list[str]] = {}
    with _store(settings) as store, store.unit_of_work() as uow:
        per_workspace = select(Item.workspace_id, func.count()).group_by(Item.workspace_id)
        counts = {ws_id: n for ws_id, n in uow.session.execute(per_workspace)}
        for ws in uow.session.scalars(select(Workspace)):
            items = str(counts.get(ws.id, 0))
            rows[(ws.platform, ws.external_id)] = [ws.name or "", "no install", "", items]
        for inst in InstallationRepository(uow.session, _box(settings)).all():
            row = rows.setdefault((inst.platform, inst.workspace), ["", "", "", "0"])
            row[0] = row[0] or str(inst.details.get("name") or "")
            row[1] = inst.state.replace("_", " ")
            row[2] = inst.installer or ""
    if not rows:
        print("no workspaces yet", file=stdout)
        return 0
    table = [["PLATFORM", "WORKSPACE", "NAME", "STATE", "INSTALLED BY", "ITEMS"]]
    table += [[p, w, *rest] for (p, w), rest in sorted(rows.items())]
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for r in table:
        print("  ".join(c.ljust(n) for c, n in zip(r, widths, strict=True)).rstrip(), file=stdout)
    return 0


def purge(
    settings: Settings,
    external_id: str,
    *,
    platform: str | None,
    yes: bool,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    """Delete every row of one workspace, once confirmed (a terminal, or `yes`)."""
    with _store(settings) as store:
        with store.unit_of_work() as uow:
            platforms = [platform] if platform else platforms_of(uow.session, external_id)
            if len(platforms) > 1:
                raise ConfigError(
                    f"workspace {external_id} is known on {', '.join(platforms)}: "
                    "say which with --platform"
                )
            platform = platforms[0] if platforms else ""
            rows = workspace_rows(uow.session, platform=platform, external_id=external_id)
        if not rows:
            print(f"xdept: no workspace {external_id} is known here; nothing deleted", file=stderr)
            return 1
        summary = ", ".join(f"{n} {table}" for table, n in sorted(rows.items()))
        if not yes:
            if not stdin.isatty():
                print(
                    f"xdept: refusing to purge {platform} workspace {external_id} ({summary}) "
                    "without confirmation: run it on a terminal, or add --yes",
                    file=stderr,
                )
                return REFUSED
            print(
                f"This deletes every row of {platform} workspace {external_id}: {summary}.",
                file=stdout,
            )
            print(f"Type {external_id} to confirm: ", end="", file=stdout, flush=True)
            if stdin.readline().strip() != external_id:
                print("not confirmed; nothing deleted", file=stderr)
                return REFUSED
        with store.unit_of_work() as uow:
            deleted = purge_workspace(uow.session, platform=platform, external_id=external_id)
    total = sum(deleted.values())
    print(f"purged {platform} workspace {external_id}: {total} rows ({summary})", file=stdout)
    return 0
