"""OAuth states: one use each, until they expire, and never stored as issued."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from storage.db import Store
from storage.repositories.oauth_states import OAuthStateRepository
from storage.tenancy_models import OAuthState

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def issue(store: Store, now: datetime = NOW) -> str:
    with store.unit_of_work() as uow:
        return OAuthStateRepository(uow.session).issue(now=now, ttl=timedelta(minutes=10))


def consume(store: Store, state: str, now: datetime = NOW) -> bool:
    with store.unit_of_work() as uow:
        return OAuthStateRepository(uow.session).consume(state, now=now)


def test_a_state_is_consumed_once(store: Store) -> None:
    state = issue(store)
    assert len(state) >= 40
    assert consume(store, state, NOW + timedelta(minutes=9))
    assert not consume(store, state, NOW + timedelta(minutes=9))


def test_forged_and_expired_states_are_refused(store: Store) -> None:
    assert not consume(store, "made-up-state")
    state = issue(store)
    assert not consume(store, state, NOW + timedelta(minutes=10))


def test_states_are_stored_as_digests_and_expired_ones_are_cleared(store: Store) -> None:
    first = issue(store)
    with store.unit_of_work() as uow:
        stored = list(uow.session.scalars(select(OAuthState.digest)))
    assert first not in stored and len(stored) == 1
    issue(store, NOW + timedelta(hours=1))  # the first has expired by then
    with store.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(OAuthState)) == 1
