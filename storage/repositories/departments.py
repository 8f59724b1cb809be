"""Departments, their aliases and their people."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from storage.models import (
    Department,
    DepartmentAlias,
    DepartmentPerson,
    Item,
)
from storage.repositories.base import Repository


class DepartmentRepository(Repository):
    """Departments, their aliases and people."""

    def all(self, workspace_id: int) -> Sequence[Department]:
        """Every department of the workspace, by key."""
        return self.session.scalars(
            select(Department)
            .where(Department.workspace_id == workspace_id, Department.removed_at.is_(None))
            .order_by(Department.key)
        ).all()

    def by_key(self, workspace_id: int, key: str) -> Department | None:
        """The department with that key."""
        return self.session.scalar(
            select(Department).where(
                Department.workspace_id == workspace_id, Department.key == key.lower()
            )
        )

    def by_alias(self, workspace_id: int, alias: str) -> Department | None:
        """The department that answers to that alias."""
        return self.session.scalar(
            select(Department)
            .join(DepartmentAlias, DepartmentAlias.department_id == Department.id)
            .where(
                DepartmentAlias.workspace_id == workspace_id,
                DepartmentAlias.alias == alias.lower(),
            )
        )

    def by_channel(self, workspace_id: int, channel_id: str) -> Department | None:
        """The department whose channel this is."""
        return self.session.scalar(
            select(Department)
            .where(
                Department.workspace_id == workspace_id,
                Department.channel_id == channel_id,
                Department.removed_at.is_(None),
            )
            .order_by(Department.id)
            .limit(1)
        )

    def by_usergroup(self, workspace_id: int, usergroup_id: str) -> Department | None:
        """The department bound to that user group."""
        return self.session.scalar(
            select(Department).where(
                Department.workspace_id == workspace_id,
                Department.usergroup_id == usergroup_id,
                Department.removed_at.is_(None),
            )
        )

    def of_person(self, workspace_id: int, user_id: str) -> Sequence[Department]:
        """Departments where the person is a lead or member."""
        # A subquery rather than DISTINCT: PostgreSQL can't compare the JSON holidays column.
        ids = select(DepartmentPerson.department_id).where(DepartmentPerson.user_id == user_id)
        return self.session.scalars(
            select(Department)
            .where(
                Department.workspace_id == workspace_id,
                Department.id.in_(ids),
                Department.removed_at.is_(None),
            )
            .order_by(Department.key)
        ).all()

    def alias_owner(self, workspace_id: int, alias: str) -> Department | None:
        """Which department already uses an alias (aliases are unique per workspace)."""
        return self.by_alias(workspace_id, alias)

    def add(self, department: Department) -> Department:
        """Insert a department."""
        self.session.add(department)
        self.session.flush()
        return department

    def remove(self, department: Department, *, now: datetime) -> None:
        """Remove a department (the caller checked it has no open items).

        One with closed items stays as a tombstone under a freed key, so history and
        metrics keep their department; one with no items is deleted outright.
        """
        has_items = self.session.scalar(
            select(func.count()).select_from(Item).where(Item.department_id == department.id)
        )
        if not has_items:
            self.session.delete(department)
        else:
            department.key = f"{department.key[:28]}~{department.id}"
            department.removed_at = now
            department.standup_time = None
            department.usergroup_id = None
            department.aliases.clear()
            department.people.clear()
        self.session.flush()
