"""Workspaces (and their item counters) and the people in them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select, update

from storage.models import (
    Person,
    Workspace,
)
from storage.repositories.base import Repository, insert_ignoring_duplicates


class WorkspaceRepository(Repository):
    """Workspaces and their item counters."""

    def get(self, platform: str, external_id: str) -> Workspace | None:
        """The workspace, if known."""
        return self.session.scalar(
            select(Workspace).where(
                Workspace.platform == platform, Workspace.external_id == external_id
            )
        )

    def get_or_create(
        self, platform: str, external_id: str, *, now: datetime, timezone: str
    ) -> Workspace:
        """The workspace, created on first sight (safe when two requests race)."""
        found = self.get(platform, external_id)
        if found is not None:
            return found
        insert_ignoring_duplicates(
            self.session,
            Workspace.__table__,
            {
                "platform": platform,
                "external_id": external_id,
                "timezone": timezone,
                "last_item_number": 0,
                "created_at": now,
            },
        )
        created = self.get(platform, external_id)
        assert created is not None
        return created

    def next_item_number(self, workspace_id: int) -> int:
        """The next XD number; the UPDATE's row lock serialises concurrent filers."""
        number = self.session.execute(
            update(Workspace)
            .where(Workspace.id == workspace_id)
            .values(last_item_number=Workspace.last_item_number + 1)
            .returning(Workspace.last_item_number)
        ).scalar_one()
        return int(number)


class PersonRepository(Repository):
    """People: time zone, language, absence, admin flag."""

    def get(self, workspace_id: int, user_id: str) -> Person | None:
        """The person, if known."""
        return self.session.scalar(
            select(Person).where(Person.workspace_id == workspace_id, Person.user_id == user_id)
        )

    def get_or_create(self, workspace_id: int, user_id: str, *, now: datetime) -> Person:
        """The person, created on first sight."""
        person = self.get(workspace_id, user_id)
        if person is None:
            insert_ignoring_duplicates(
                self.session,
                Person.__table__,
                {
                    "workspace_id": workspace_id,
                    "user_id": user_id,
                    "is_admin": False,
                    "is_bot": False,
                    "updated_at": now,
                },
            )
            person = self.get(workspace_id, user_id)
            assert person is not None
        return person

    def away_among(self, workspace_id: int, user_ids: Iterable[str], now: datetime) -> set[str]:
        """Which of these people are away at `now` (or have left the workspace)."""
        ids = list(set(user_ids))
        if not ids:
            return set()
        rows = self.session.scalars(
            select(Person.user_id).where(
                Person.workspace_id == workspace_id,
                Person.user_id.in_(ids),
                or_(Person.away_until > now, Person.deactivated_at.is_not(None)),
            )
        )
        return set(rows)

    def many(self, workspace_id: int, user_ids: Iterable[str]) -> dict[str, Person]:
        """The known people among these ids."""
        ids = list(set(user_ids))
        if not ids:
            return {}
        rows = self.session.scalars(
            select(Person).where(Person.workspace_id == workspace_id, Person.user_id.in_(ids))
        )
        return {p.user_id: p for p in rows}
