"""Files the outbox sends, stored once and named by id from each row that sends them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from storage.models import OutboxFile
from storage.repositories.base import Repository, insert_ignoring_duplicates


class FileRepository(Repository):
    """Stored outbox files."""

    def store(self, *, workspace_id: int, key: str, content: bytes, now: datetime) -> int:
        """The id of the file under `key`, stored now unless it was before (then kept as is)."""
        insert_ignoring_duplicates(
            self.session,
            OutboxFile.__table__,
            {"workspace_id": workspace_id, "key": key, "content": content, "created_at": now},
        )
        found = self.session.scalar(select(OutboxFile.id).where(OutboxFile.key == key))
        assert found is not None
        return int(found)

    def content(self, file_id: int) -> bytes | None:
        """A stored file's bytes, or None once it was forgotten."""
        return self.session.scalar(select(OutboxFile.content).where(OutboxFile.id == file_id))

    def forget_before(self, cutoff: datetime) -> int:
        """Delete files stored before `cutoff`; how many went."""
        result = self.session.execute(
            delete(OutboxFile)
            .where(OutboxFile.created_at < cutoff)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)
