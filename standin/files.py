"""The files of a stand-in workspace, uploaded the two-step external way."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field, replace
from typing import Any

from standin.identity import TS_EPOCH, WorkspaceCore


@dataclass
class UploadedFile:
    """A file going through the two-step external upload.

    Mutable because it fills in over three requests: reserved by
    files.getUploadURLExternal, bytes stored by the upload URL, then
    shared by files.completeUploadExternal.
    """

    id: str
    filename: str
    length: int
    title: str = ""
    content: bytes | None = None
    completed: bool = False
    channels: list[str] = field(default_factory=list)
    alt_txt: str | None = None

    def to_api(self, user: str | None) -> dict[str, Any]:
        size = len(self.content) if self.content is not None else self.length
        return {
            "id": self.id,
            "created": TS_EPOCH,
            "timestamp": TS_EPOCH,
            "name": self.filename,
            "title": self.title or self.filename,
            "mimetype": _guess_mimetype(self.filename),
            "filetype": self.filename.rsplit(".", 1)[-1] if "." in self.filename else "binary",
            "user": user,
            "size": size,
            "mode": "hosted",
            "is_external": False,
            "is_public": True,
            "channels": list(self.channels),
        }


def _guess_mimetype(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


class Files(WorkspaceCore):
    """Files by id, from reservation through upload to sharing in channels."""

    def __init__(self, team_id: str, **identity: str) -> None:
        super().__init__(team_id, **identity)
        self._files: dict[str, UploadedFile] = {}

    def reserve_file(
        self, filename: str, length: int, *, alt_txt: str | None = None
    ) -> UploadedFile:
        with self._lock:
            record = UploadedFile(
                id=self._new_id("F"), filename=filename, length=length, alt_txt=alt_txt
            )
            self._files[record.id] = record
            return record

    def store_file_content(self, file_id: str, content: bytes) -> bool:
        with self._lock:
            record = self._files.get(file_id)
            if record is None:
                return False
            record.content = content
            return True

    def get_file(self, file_id: str) -> UploadedFile | None:
        with self._lock:
            return self._files.get(file_id)

    def complete_file(self, file_id: str, *, title: str | None, channels: list[str]) -> bool:
        with self._lock:
            record = self._files.get(file_id)
            if record is None or record.content is None:
                return False
            record.title = title or record.filename
            record.completed = True
            record.channels.extend(c for c in channels if c not in record.channels)
            return True

    def files(self) -> list[UploadedFile]:
        with self._lock:
            return [replace(f, channels=list(f.channels)) for f in self._files.values()]
