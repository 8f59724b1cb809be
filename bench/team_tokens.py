"""What looking up a team's token costs on every Slack call (prints JSON).

Many workspaces: each request, inbox row and outbox row reads its team's
installation and opens its sealed token (handlers.slack.team_tokens). The
reference is an empty unit of work with `SELECT 1` on the same database, in
the same run. Usage: python -m bench.team_tokens [DATABASE_URL]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import UTC, datetime

from sqlalchemy import text

from handlers.slack.team_tokens import InstalledTokens
from storage.crypto import SecretBox, generate_key
from storage.db import Store
from storage.migrate import upgrade
from storage.repositories.installations import InstallationRepository

ROUNDS = 2000


def _per_call(work: object, rounds: int = ROUNDS) -> float:
    assert callable(work)
    for _ in range(50):
        work()
    started = time.perf_counter()
    for _ in range(rounds):
        work()
    return (time.perf_counter() - started) / rounds * 1e6


def main(url: str) -> dict[str, object]:
    """Microseconds per token lookup and per empty transaction on `url`."""
    store = Store.from_url(url)
    upgrade(store.engine)
    box = SecretBox([generate_key()])
    with store.unit_of_work() as uow:
        InstallationRepository(uow.session, box).save(
            platform="slack",
            workspace="TBENCH",
            enterprise=None,
            installer="UBENCH",
            details={"bot_user_id": "UBOT", "bot_id": "BBOT"},
            secrets={"bot_token": "xoxb-bench-token"},
            now=datetime.now(UTC),
        )
    tokens = InstalledTokens(store, box)

    def empty() -> None:
        with store.unit_of_work() as uow:
            uow.session.execute(text("SELECT 1"))

    try:
        lookup = _per_call(lambda: tokens.auth("TBENCH"))
        reference = _per_call(empty)
    finally:
        store.dispose()
    return {
        "database": url.split(":", 1)[0],
        "token_lookup_us": round(lookup),
        "reference_empty_transaction_us": round(reference),
        "ratio": round(lookup / reference, 2),
    }


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    print(json.dumps(main(target)))
