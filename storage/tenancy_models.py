"""Tables for serving many workspaces: installations, OAuth states, each workspace's settings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class InstallationState(StrEnum):
    """Whether the bot may act in a workspace with its stored credentials."""

    ACTIVE = "active"
    UNINSTALLED = "uninstalled"  # the app was removed or its token revoked
    NEEDS_REINSTALL = "needs_reinstall"  # no configured key opens the stored token


class Installation(Base):
    """The app's current installation in one workspace; its secrets sealed in one column.

    Keyed by the platform's own id for the workspace, not by `workspaces.id`: an
    install comes before the workspace's first request, and survives its purge
    only if purged explicitly (storage.purge deletes it with the rest).
    """

    __tablename__ = "installations"
    __table_args__ = (UniqueConstraint("platform", "workspace"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64))
    enterprise: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(24), default=InstallationState.ACTIVE.value)
    # The person who installed the app: an admin of that workspace by right.
    installer: Mapped[str | None] = mapped_column(String(64))
    # What the platform said about the install that is not secret (names, ids, scopes).
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # A JSON object of every token, refresh token and webhook URL, encrypted as one;
    # NULL once the install is gone.
    secrets: Mapped[str | None] = mapped_column(Text)
    installed_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class OAuthState(Base):
    """An OAuth state handed to a browser: usable once, until it expires."""

    __tablename__ = "oauth_states"
    __table_args__ = (Index("ix_oauth_states_expires_at", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the state: the table alone cannot complete anyone's install.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class WorkspaceSettings(Base):
    """A workspace's own admins, summary channel, zone and language (NULL: the default)."""

    __tablename__ = "workspace_settings"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    admins: Mapped[list[str]] = mapped_column(default=list)
    summary_channel: Mapped[str | None] = mapped_column(String(64))
    timezone: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(64))
