"""Uploaded files waiting between the admin import's preview and its confirmation.

They are kept on disk (shared by every gunicorn worker) under a random token, and
deleted once imported or after a day.
"""

import json
import re
import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings

MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def stage(files: list[tuple[str, bytes]]) -> str:
    _forget_old()
    token = secrets.token_urlsafe(24)
    folder = _folder(token)
    folder.mkdir(parents=True)
    for number, (_, data) in enumerate(files):
        (folder / f"{number}.bin").write_bytes(data)
    (folder / "names.json").write_text(json.dumps([name for name, _ in files]))
    return token


def staged(token: str) -> list[tuple[str, bytes]] | None:
    """The staged (name, bytes) pairs, or None when the token is unknown or expired."""
    if not _TOKEN.match(token or "") or not _folder(token).is_dir():
        return None
    folder = _folder(token)
    names = json.loads((folder / "names.json").read_text())
    return [(name, (folder / f"{number}.bin").read_bytes()) for number, name in enumerate(names)]


def discard(token: str) -> None:
    if _TOKEN.match(token or ""):
        shutil.rmtree(_folder(token), ignore_errors=True)


def _folder(token: str) -> Path:
    return Path(settings.ARCHIVE_IMPORT_STAGING_DIR) / token


def _forget_old() -> None:
    root = Path(settings.ARCHIVE_IMPORT_STAGING_DIR)
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if folder.is_dir() and time.time() - folder.stat().st_mtime > MAX_AGE_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)
