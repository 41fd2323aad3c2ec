"""What a generated file was made from: the hashes of its inputs, recorded by the command that writes it.

A committed file that the tests cannot rebuild in seconds (the calibration, the published solution)
carries a record written by its command: the command, the inputs it read (files, folders, globs) and
a hash of each.  The tests compute the same record from the files as they are now (:func:`stale`); a
file whose inputs changed fails with the command that regenerates it.
"""
import hashlib
from pathlib import Path

from . import paths

#: Never an input: caches and editors' copies.
SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints"}


def input_files(inputs, root=paths.ROOT, skip_dirs=SKIP_DIRS):
    """The files that ``inputs`` name under ``root`` (each a file, a folder: every file in it, or a glob), sorted."""
    root = Path(root)
    found = set()
    for item in inputs:
        for path in ([root / item] if (root / item).exists() else sorted(root.glob(item))):
            files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
            found.update(f for f in files if not skip_dirs & set(f.relative_to(root).parts))
    return sorted(found)


def _entry(rel, data):
    return b"%d:%s%d:" % (len(rel), rel, len(data)) + data


def digest(files, root=paths.ROOT):
    """``sha256:`` and 16 hex digits of the SHA-256 over every file's path (relative to ``root``) and bytes."""
    total = hashlib.sha256()
    for f in files:
        total.update(_entry(Path(f).relative_to(root).as_posix().encode(), Path(f).read_bytes()))
    return "sha256:" + total.hexdigest()[:16]


def record(inputs, command, root=paths.ROOT):
    """The record a command writes: ``{"command", "inputs", "sha256", "files": {path: 16 hex digits}}``."""
    files = input_files(inputs, root)
    return {"command": command, "inputs": list(inputs), "sha256": digest(files, root),
            "files": {f.relative_to(root).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()[:16]
                      for f in files}}


def stale(what, recorded, inputs, command, root=paths.ROOT):
    """Why ``what`` (a committed file, its record ``recorded``) is stale, ending with the command to run; None
    when it was made by ``command`` from exactly the ``inputs`` as they are now."""
    now = record(inputs, command, root)
    if recorded and {k: recorded.get(k) for k in now} == now:
        return None
    if not recorded:
        why = "it has no record of its inputs"
    elif recorded.get("command") != command or recorded.get("inputs") != now["inputs"]:
        why = f"it was made by `{recorded.get('command')}` from {recorded.get('inputs')}"
    else:
        before, after = recorded.get("files", {}), now["files"]
        changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
        shown = ", ".join(changed[:8]) + (f" and {len(changed) - 8} more" if len(changed) > 8 else "")
        why = f"its inputs changed since it was made ({shown})"
    return f"{what} is stale: {why}; regenerate it with `{command}` (README: Maintenance)"
