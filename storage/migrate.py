"""Applying Alembic migrations from code (`xdept db upgrade`, serve and demo).

Several replicas may start at once and each upgrade the same database, so an
upgrade runs under a database-wide lock: the next one waits, then finds the
schema current and does nothing. On PostgreSQL that is an advisory lock held
by the upgrade's transaction; SQLite's write lock (the engine opens every
transaction with BEGIN IMMEDIATE) serialises the transactions already.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic (and Mako with it) is imported where a migration runs: a server reads its head
# revision for /readyz without loading them into every process.

MIGRATIONS = Path(__file__).parent / "migrations"
# The advisory lock's first key (31 bits, unlike the tick's); the second is the schema's,
# so two schemas of one server (one per deployment, or per test run) never wait on each other.
MIGRATION_LOCK = int.from_bytes(b"xmig", "big")


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at this package's migrations."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # The ini-style config treats % as interpolation (URLs carry %3D and the like).
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision` (default: the newest)."""
    from alembic import command

    cfg = alembic_config(engine)
    with engine.begin() as connection:
        _lock_for_migration(connection)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def upgrade_url(url: str) -> None:
    """Bring the database at `url` to the newest revision, over an engine of its own."""
    from storage.db import make_engine

    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def _lock_for_migration(connection: Connection) -> None:
    """Wait for any other upgrade of this database to finish; held until this one commits."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"),
            {"key": MIGRATION_LOCK},
        )


def current(engine: Engine) -> str | None:
    """The revision the database is at."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@functools.cache
def head_revision() -> str | None:
    """The newest revision this code knows: the one no migration script revises.

    Read once from the scripts' `revision` and `down_revision` lines, without Alembic
    (tests/storage/test_migrations.py checks it agrees with Alembic's own answer).
    """
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        revision = _assigned(source, "revision")
        if revision is not None:
            revisions.add(revision)
            revised.update(_assigned_all(source, "down_revision"))
    heads = sorted(revisions - revised)
    if len(heads) > 1:
        raise RuntimeError(f"the migrations have several heads ({', '.join(heads)}); merge them")
    return heads[0] if heads else None


def _assigned(source: str, name: str) -> str | None:
    found = _assigned_all(source, name)
    return found[0] if found else None


def _assigned_all(source: str, name: str) -> list[str]:
    """The quoted revision ids assigned to `name` at the top level of a script."""
    match = re.search(rf"^{name}\b[^=\n]*=\s*(.+)$", source, re.MULTILINE)
    return re.findall(r"['\"]([^'\"]+)['\"]", match.group(1)) if match else []


def database_revision(engine: Engine) -> str | None:
    """The revision the database is at, by plain SQL (no migration machinery); None if none."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
