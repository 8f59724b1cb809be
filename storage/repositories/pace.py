"""Per-chat pacing rows: taking a chat for one message, and giving it back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.models import ChatPace
from storage.repositories.base import Repository

Chat = tuple[int, str]  # (workspace id, chat)


class ChatPaceRepository(Repository):
    """When each chat may get its next message (scheduler.pacing decides what it means)."""

    def take(self, chats: Iterable[Chat], *, now: datetime, until: datetime) -> set[Chat]:
        """Take every chat whose next message is allowed at `now`, for a send ending by
        `until`; the chats taken. One statement: a chat another sender holds is left alone."""
        wanted = sorted(set(chats))
        if not wanted:
            return set()
        maker = pg_insert if self._is_postgres else sqlite_insert
        table: Any = ChatPace.__table__
        insert = maker(table).values(
            [{"workspace_id": w, "chat": c, "next_at": until, "sending": True} for w, c in wanted]
        )
        stmt = insert.on_conflict_do_update(
            index_elements=["workspace_id", "chat"],
            set_={"next_at": insert.excluded.next_at, "sending": True},
            where=table.c.next_at <= now,
        ).returning(table.c.workspace_id, table.c.chat)
        return {(int(w), str(c)) for w, c in self.session.execute(stmt)}

    def state(self, chats: Iterable[Chat]) -> dict[Chat, tuple[datetime, bool]]:
        """(next allowed message, taken by a sender now) of each chat that has a row."""
        wanted = sorted(set(chats))
        if not wanted:
            return {}
        rows = self.session.execute(
            select(ChatPace.workspace_id, ChatPace.chat, ChatPace.next_at, ChatPace.sending).where(
                tuple_(ChatPace.workspace_id, ChatPace.chat).in_(wanted)
            )
        )
        return {(w, c): (at, sending) for w, c, at, sending in rows}

    def give_back(self, chats: Mapping[Chat, datetime]) -> None:
        """Release taken chats: each may get its next message at the instant given."""
        if not chats:
            return
        table: Any = ChatPace.__table__
        stmt = (
            update(table)
            .where(table.c.workspace_id == bindparam("w"), table.c.chat == bindparam("c"))
            .values(next_at=bindparam("at", type_=table.c.next_at.type), sending=False)
        )
        # One statement, many parameter sets (executemany): a round may free hundreds.
        self.session.execute(
            stmt, [{"w": w, "c": c, "at": at} for (w, c), at in sorted(chats.items())]
        )
