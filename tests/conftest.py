"""Shared fixtures: real SQLite and PostgreSQL databases, a recording messenger, the app."""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.bootstrap import App, bootstrap
from bot.config import Settings
from bot.context import Actor, Context
from handlers.console.messenger import RecordingMessenger
from storage.db import Store, make_engine
from storage.migrate import upgrade
from storage.models import Base

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _pg_base_url() -> str:
    url = os.environ.get("XDEPT_TEST_DATABASE_URL", DEFAULT_PG)
    from bot.config import normalize_database_url

    return normalize_database_url(url)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


_pg_ready: dict[str, str] = {}


def _postgres_url() -> str:
    """A PostgreSQL URL with a schema of this test worker's own, migrated once per session."""
    if "url" in _pg_ready:
        return _pg_ready["url"]
    base = _pg_base_url()
    # Unique per run as well as per worker, so two test runs on one server can't collide.
    schema = f"xdept_test_{_worker()}_{os.getpid()}"
    try:
        admin = make_engine(base, pool_size=1, max_overflow=0)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 - decide below whether a missing database fails
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required in CI and is not reachable at {base}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {base}: {exc}")
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    _pg_ready["url"] = url
    atexit.register(_drop_schema, base, schema)
    return url


def _drop_schema(base: str, schema: str) -> None:
    """Leave the shared database as it was found."""
    engine = make_engine(base, pool_size=1, max_overflow=0)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'xdept.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every storage and scheduler test runs on both databases."""
    if request.param == "sqlite":
        url = _sqlite_url(tmp_path)
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    return _postgres_url()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite database, for tests that need only one."""
    url = _sqlite_url(tmp_path)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def _truncate(store: Store) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with store.engine.begin() as conn:
        if store.engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """An empty store on each database."""
    s = Store.from_url(database_url)
    _truncate(s)
    yield s
    s.dispose()


@pytest.fixture
def messenger() -> RecordingMessenger:
    """Records everything the bot says."""
    return RecordingMessenger()


def make_settings(**overrides: object) -> Settings:
    """Settings for tests, independent of the environment."""
    values: dict[str, object] = {
        "database_url": "sqlite://",
        "xdept_timezone": "Asia/Shanghai",
        "xdept_locale": "en",
        "xdept_admins": "",
        "xdept_summary_channel": None,
        "slack_bot_token": None,
        "slack_signing_secret": None,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings() -> Settings:
    """Default test settings (Asia/Shanghai, English)."""
    return make_settings()


@pytest.fixture
def app(store: Store, messenger: RecordingMessenger, settings: Settings) -> App:
    """The whole core over a real database and a recording messenger; sleeping is a no-op."""
    return bootstrap(
        settings, messenger=messenger, store=store, migrate=False, sleep=lambda _seconds: None
    )


def at(*args: int, tz: ZoneInfo = SHANGHAI) -> datetime:
    """A wall time in a zone (Shanghai by default)."""
    return datetime(*args, tzinfo=tz)


CtxFactory = Callable[..., Context]


@pytest.fixture
def ctx() -> CtxFactory:
    """Build a Context: ctx('alice', now, channel='C1', tz='Asia/Shanghai', locale='en')."""

    def factory(
        user: str,
        now: datetime,
        *,
        channel: str | None = "C-general",
        tz: str | None = "Asia/Shanghai",
        locale: str | None = "en",
        is_admin: bool = False,
        is_bot: bool = False,
        usergroups: frozenset[str] = frozenset(),
        workspace: str = "T1",
    ) -> Context:
        actor = Actor(
            user_id=user,
            name=user,
            timezone=tz,
            locale=locale,
            is_admin=is_admin,
            is_bot=is_bot,
            usergroups=usergroups,
        )
        return Context(
            platform="slack", workspace=workspace, actor=actor, now=now, channel_id=channel
        )

    return factory
