"""A file given to an import: its name (as problems name it) and its bytes, read once.

The commands read it from the disk, the admin from the browser's upload; every importer
takes either, so both go through the same reading, checks and messages.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from autoreply.errors import ImportRefused


@dataclass(frozen=True, slots=True)
class Upload:
    name: str
    data: bytes


Source = str | Path | Upload


class UnreadableFile(ImportRefused):
    """The file cannot be read, or is not what its kind of import reads."""

    def __init__(self, message: str) -> None:
        super().__init__([message])


def read(source: Source) -> Upload:
    """The file's name and bytes; a path is read from the disk."""
    if isinstance(source, Upload):
        return source
    try:
        return Upload(str(source), Path(source).read_bytes())
    except OSError as exc:
        message = _("cannot read %(file)s: %(error)s")
        raise UnreadableFile(message % {"file": source, "error": exc.strerror}) from None


def read_json(source: Source) -> Any:
    """The file parsed as JSON (UTF-8, BOM optional), or UnreadableFile saying why not."""
    upload = read(source)
    try:
        text = upload.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(_("%(file)s is not UTF-8 text") % {"file": upload.name}) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = _("%(file)s is not valid JSON: %(error)s")
        raise UnreadableFile(message % {"file": upload.name, "error": exc}) from None
