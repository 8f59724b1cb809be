"""The files.* methods: the two-step external upload `files_upload_v2` makes.

The bytes themselves arrive at ``/upload/<file_id>`` (see `http`); the retired
``files.upload`` answers ``method_deprecated`` as Slack does.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from tests.fakes.slack.lookup import find_channel, postable_channel
from tests.fakes.slack.params import JSON, SlackError, param_json, param_list, param_str
from tests.fakes.slack.records import Upload

if TYPE_CHECKING:
    from tests.fakes.slack.server import FakeSlack, Route


def files_get_upload_url(fake: FakeSlack, params: JSON) -> JSON:
    filename = param_str(params, "filename")
    length = param_str(params, "length")
    if not filename or length is None or not length.isdigit():
        raise SlackError("invalid_arguments", "[ERROR] filename and length are required")
    file_id = fake._next_id("F")
    fake._uploads[file_id] = Upload(
        file_id=file_id,
        filename=filename,
        length=int(length),
        alt_txt=param_str(params, "alt_txt"),
        snippet_type=param_str(params, "snippet_type"),
    )
    return {"upload_url": fake.upload_url(file_id), "file_id": file_id}


def files_complete_upload(fake: FakeSlack, params: JSON) -> JSON:
    files = param_json(params, "files", "invalid_arguments")
    if not isinstance(files, list) or not files:
        raise SlackError("invalid_arguments", "[ERROR] missing required field: files")
    channel_id = param_str(params, "channel_id")
    channels = param_list(params, "channels")
    targets = [channel_id] if channel_id else channels
    for target in targets:
        # Unlike chat.postMessage, a user id is not a destination here.
        postable_channel(fake, find_channel(fake, target).id)
    done: list[JSON] = []
    uploads: list[Upload] = []
    for entry in files:
        upload = fake._uploads.get(str(entry.get("id")) if isinstance(entry, dict) else "")
        if upload is None or upload.content is None:
            raise SlackError("file_not_found")
        uploads.append(upload)
    for entry, upload in zip(files, uploads, strict=True):
        upload.title = entry.get("title") or upload.filename
        upload.completed = True
        upload.channel_id = channel_id
        upload.channels = channels
        upload.initial_comment = param_str(params, "initial_comment")
        upload.thread_ts = param_str(params, "thread_ts")
        done.append(
            {
                "id": upload.file_id,
                "created": int(time.time()),
                "timestamp": int(time.time()),
                "name": upload.filename,
                "title": upload.title,
                "mimetype": "",
                "filetype": upload.filename.rsplit(".", 1)[-1]
                if "." in upload.filename
                else "text",
                "user": fake.bot_user_id,
                "size": len(upload.content or b""),
                "url_private": f"https://files.slack.com/files-pri/{fake.team_id}-"
                f"{upload.file_id}/{upload.filename}",
                "permalink": f"https://{fake.team_domain}.slack.com/files/"
                f"{fake.bot_user_id}/{upload.file_id}/{upload.filename}",
                "shares": {},
            }
        )
    return {"files": done}


def files_upload_retired(fake: FakeSlack, params: JSON) -> JSON:
    # Slack retired files.upload; clients must use files_upload_v2.
    raise SlackError("method_deprecated")


METHODS: dict[str, Route] = {
    "files.getUploadURLExternal": files_get_upload_url,
    "files.completeUploadExternal": files_complete_upload,
    "files.upload": files_upload_retired,
}
