"""The migration history: one head, and data written at an older revision survives upgrades."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import alembic_config, current, upgrade


def test_the_history_has_exactly_one_head(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    heads = ScriptDirectory.from_config(alembic_config(engine)).get_heads()
    engine.dispose()
    assert len(heads) == 1, f"migrations must chain onto one head, found {heads}"


def test_message_references_survive_the_rename(empty_url: str) -> None:
    engine = make_engine(empty_url)
    upgrade(engine, "0002")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO workspaces (id, platform, external_id, timezone, last_item_number,"
                " created_at) VALUES (1, 'slack', 'T1', 'UTC', 1, '2026-11-23 09:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO items (id, workspace_id, number, kind, status, text, requester_id,"
                " created_at, updated_at, channel_id, message_ts, version) VALUES (1, 1, 1,"
                " 'request', 'open', '请停止线下拒单', 'U1', '2026-11-23 09:00:00',"
                " '2026-11-23 09:00:00', 'C1', '1700000000.000100', 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO departments (id, workspace_id, key, name, channel_id, channel_private,"
                " timezone, workdays, day_start, day_end, holidays, first_response_minutes,"
                " escalate_after_minutes, created_at) VALUES (1, 1, 'logistics', '物流部', 'C1',"
                " false, 'UTC', 'mon-fri', '09:00:00', '18:00:00', '[]', 480, 1440,"
                " '2026-11-23 09:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO standups (id, workspace_id, department_id, local_date, posted_at,"
                " channel_id, message_ts) VALUES (1, 1, 1, '2026-11-23', '2026-11-23 09:30:00',"
                " 'C1', '1700000000.000200')"
            )
        )
    upgrade(engine)
    assert current(engine) != "0002"
    with engine.connect() as conn:
        item = conn.execute(text("SELECT channel_id, message_id, text FROM items")).one()
        standup = conn.execute(text("SELECT message_id FROM standups")).one()
    engine.dispose()
    assert tuple(item) == ("C1", "1700000000.000100", "请停止线下拒单")
    assert standup[0] == "1700000000.000200"


def test_the_head_read_without_alembic_is_alembics_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from storage.migrate import MIGRATIONS, head_revision

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert head_revision() == ScriptDirectory.from_config(cfg).get_current_head()
