"""Applying Alembic migrations from code (`xdept db upgrade`, serve and demo).

Several replicas may start at once and each upgrade the same database, so an
upgrade runs under a database-wide lock: the next one waits, then finds the
schema current and does nothing. On PostgreSQL that is an advisory lock held
by the upgrade's transaction; SQLite's write lock (the engine opens every
transaction with BEGIN IMMEDIATE) serialises the transactions already.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, inspect, text

MIGRATIONS = Path(__file__).parent / "migrations"
# The advisory lock's first key (31 bits, unlike the tick's); the second is the schema's,
# so two schemas of one server (one per deployment, or per test run) never wait on each other.
MIGRATION_LOCK = int.from_bytes(b"xmig", "big")


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at this package's migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # The ini-style config treats % as interpolation (URLs carry %3D and the like).
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision` (default: the newest)."""
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
    """The newest revision this code knows (read once from the migration scripts)."""
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def database_revision(engine: Engine) -> str | None:
    """The revision the database is at, by plain SQL (no migration machinery); None if none."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
