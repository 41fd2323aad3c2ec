"""Output files written whole or not at all, so that a run killed at any moment leaves none half written.

A file is written under a hidden name beside it (:data:`PARTIAL` and the writer's pid in it), flushed
to disk and renamed over the old one: a reader sees the old file or the whole new one.  A student's
folder is filled the same way beside the old one and swapped in by two renames: killed between them,
the folder is absent (its student is graded again) and the two hidden folders are what is left.
:func:`sweep` removes what a dead writer left.
"""
import os
import re
import shutil
from pathlib import Path

PARTIAL = ".partial-"
_LEFTOVER = re.compile(r"\..+" + re.escape(PARTIAL) + r"(?P<pid>\d+)(\.new|\.old)?")


def _partial(path, suffix=""):
    return path.with_name(f".{path.name}{PARTIAL}{os.getpid()}{suffix}")


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
        f.flush()
        os.fsync(f.fileno())


def write_file(path, data):
    """Replace ``path`` by ``data`` (text, written as UTF-8, or bytes) in one rename."""
    path = Path(path)
    tmp = _partial(path)
    try:
        _write(tmp, data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def replace_folder(folder, files):
    """Make ``folder`` hold exactly ``files`` (name -> text or bytes): filled beside it, then swapped in.

    Raises:
        FileExistsError: ``folder`` is a symlink or a file (nothing is written).
    """
    folder = Path(folder)
    if folder.is_symlink() or folder.exists() and not folder.is_dir():
        raise FileExistsError(f"{folder} exists and is not a folder")
    new, old = _partial(folder, ".new"), _partial(folder, ".old")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir()
    try:
        for name, data in files.items():
            _write(new / name, data)
        if folder.exists():
            os.rename(folder, old)
        os.rename(new, folder)
    finally:
        shutil.rmtree(new, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def sweep(out_dir):
    """Remove what writers that are no longer running left in ``out_dir`` (hidden partial files and folders)."""
    for entry in Path(out_dir).iterdir():
        match = _LEFTOVER.fullmatch(entry.name)
        if match and not _alive(int(match["pid"])):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
