"""Repositories: queries and inserts, never commits (the unit of work commits).

One module per kind of row; this package exports them all.
"""

from __future__ import annotations

from storage.repositories.base import Repository, and_all, insert_ignoring_duplicates
from storage.repositories.departments import DepartmentRepository
from storage.repositories.files import FileRepository
from storage.repositories.installations import InstallationRepository
from storage.repositories.items import ItemRepository, item_keys, visible_keys, visible_to
from storage.repositories.oauth_states import OAuthStateRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.pace import ChatPaceRepository
from storage.repositories.people import PersonRepository, WorkspaceRepository
from storage.repositories.standups import StandupRepository
from storage.repositories.workspace_settings import WorkspaceSettingsRepository

__all__ = [
    "ChatPaceRepository",
    "DepartmentRepository",
    "FileRepository",
    "InstallationRepository",
    "ItemRepository",
    "OAuthStateRepository",
    "OutboxRepository",
    "PersonRepository",
    "Repository",
    "StandupRepository",
    "WorkspaceRepository",
    "WorkspaceSettingsRepository",
    "and_all",
    "insert_ignoring_duplicates",
    "item_keys",
    "visible_keys",
    "visible_to",
]
