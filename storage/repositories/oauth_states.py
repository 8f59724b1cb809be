"""OAuth states: issued to a browser, consumed once by whichever replica gets the redirect."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete

from storage.repositories.base import Repository
from storage.tenancy_models import OAuthState

DEFAULT_TTL = timedelta(minutes=10)


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


class OAuthStateRepository(Repository):
    """Issue and consume states in one transaction (the unit of work commits)."""

    def issue(self, *, now: datetime, ttl: timedelta = DEFAULT_TTL) -> str:
        """A new unguessable state, valid for `ttl`; expired ones are cleared on the way."""
        self.session.execute(delete(OAuthState).where(OAuthState.expires_at <= now))
        state = secrets.token_urlsafe(32)
        self.session.add(OAuthState(digest=_digest(state), created_at=now, expires_at=now + ttl))
        return state

    def consume(self, state: str, *, now: datetime) -> bool:
        """True once for a state this app issued and that has not expired; False otherwise."""
        # DELETE ... RETURNING: of two redirects carrying one state, only one gets the row.
        expires_at = self.session.execute(
            delete(OAuthState)
            .where(OAuthState.digest == _digest(state))
            .returning(OAuthState.expires_at)
        ).scalar()
        return expires_at is not None and expires_at > now
