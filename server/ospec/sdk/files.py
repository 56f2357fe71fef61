"""Saving downloads safely: a sanitised name from Content-Disposition, a temp file, no clobbering.

The server chooses the file name, so it is untrusted: only its last path component survives,
control and reserved characters are replaced, and the result must land in the chosen folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from email.message import Message
from pathlib import Path
from typing import IO

from .errors import ArtifactExistsError, OspecError

_RESERVED_CHARS = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
# Device names Windows opens instead of a file, whatever the extension.
_WINDOWS_DEVICES = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{n}" for n in range(1, 10)),
    *(f"LPT{n}" for n in range(1, 10)),
}
_MAX_NAME_BYTES = 200
_EXTENSIONS = {
    "application/zip": ".zip",
    "application/json": ".json",
    "application/xml": ".xml",
    "text/xml": ".xml",
    "application/yaml": ".yaml",
    "application/x-yaml": ".yaml",
    "text/yaml": ".yaml",
    "text/plain": ".txt",
}


def disposition_filename(header: str | None) -> str | None:
    """The raw filename of a Content-Disposition header (RFC 6266, `filename*` preferred)."""
    if not header:
        return None
    msg = Message()
    msg["content-disposition"] = header
    try:
        name = msg.get_filename()
    except (ValueError, LookupError):  # a bad charset in filename*=
        return None
    return name if isinstance(name, str) else None


def sanitize_filename(name: str) -> str:
    """A plain file name safe to create in a folder, or '' if nothing usable is left."""
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]  # drops ../ and absolute prefixes
    name = _RESERVED_CHARS.sub("_", name)
    name = "".join(c if c.isprintable() else "_" for c in name)
    name = name.strip().lstrip(".").rstrip(". ")  # no hidden files, '.', '..' or trailing dots
    if not name:
        return ""
    stem = name.partition(".")[0]
    if stem.upper() in _WINDOWS_DEVICES:
        name = f"_{name}"
    encoded = name.encode()
    if len(encoded) > _MAX_NAME_BYTES:
        suffix = Path(name).suffix[:16]
        keep = _MAX_NAME_BYTES - len(suffix.encode())
        name = encoded[:keep].decode(errors="ignore") + suffix
    return name


def fallback_name(artifact_type: str, content_type: str | None) -> str:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return sanitize_filename(artifact_type) + _EXTENSIONS.get(media, "") or "artifact"


def resolve_target(
    dest: str | os.PathLike[str],
    *,
    artifact_type: str,
    content_disposition: str | None,
    content_type: str | None,
    overwrite: bool,
) -> Path:
    """Where to save: inside `dest` if it is a folder (or ends with a separator), else `dest`."""
    raw = os.fspath(dest)
    path = Path(raw)
    if path.is_dir() or raw.endswith(("/", os.sep)):
        path.mkdir(parents=True, exist_ok=True)
        name = sanitize_filename(disposition_filename(content_disposition) or "")
        target = path / (name or fallback_name(artifact_type, content_type))
        if target.parent.resolve() != path.resolve():
            raise OspecError(f"refusing to save outside {path}: {target.name!r}")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        target = path
    if not overwrite and (target.exists() or target.is_symlink()):
        raise ArtifactExistsError(
            f"{target} already exists; pass overwrite=True (--overwrite) to replace it",
            path=str(target),
        )
    return target


def open_temp(target: Path) -> tuple[IO[bytes], Path]:
    """A temp file beside the target, so the final rename stays on one file system."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:50]}.", suffix=".part")
    return os.fdopen(fd, "wb"), Path(name)


def commit(temp: Path, target: Path, *, overwrite: bool) -> Path:
    """Move the finished temp file into place; without overwrite, never replace a file."""
    os.chmod(temp, 0o644)  # mkstemp makes 0600; a download is an ordinary file
    try:
        if overwrite:
            os.replace(temp, target)
            return target
        try:
            os.link(temp, target)  # atomic and fails if the target appeared meanwhile
        except FileExistsError:
            raise ArtifactExistsError(
                f"{target} already exists; pass overwrite=True (--overwrite) to replace it",
                path=str(target),
            ) from None
        except OSError:  # no hard links here (e.g. FAT, some network shares)
            if target.exists() or target.is_symlink():
                raise ArtifactExistsError(f"{target} already exists", path=str(target)) from None
            os.replace(temp, target)
        return target
    finally:
        discard(temp)


def discard(temp: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()
