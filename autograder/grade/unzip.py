"""Open a downloaded ``.zip`` (an LMS or Gradescope export) safely, for :mod:`.exports` to read.

Only what grading reads is extracted (notebooks and Gradescope's ``submission_metadata.yml``), into a
fresh private folder (mode 0700) that is removed when the process exits; any other file is created
empty, so that a student who handed in only a PDF is still listed as one without a notebook.  Every entry is checked
first: no absolute path, no ``..``, no symlink, no encrypted entry, at most :data:`MAX_ENTRIES`
entries and :data:`MAX_TOTAL` bytes extracted, counted while decompressing (a zip's stated sizes are
not trusted).  A notebook over the grader's size cap is cut just above it, so that grading refuses it
with its own "larger than" result instead of losing the student.  Names a zip stores in its legacy
code page (no UTF-8 flag, as some LMSs write them) are read as UTF-8 where they decode as such.
"""
import atexit
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..notebook import MAX_NOTEBOOK_BYTES

MAX_ENTRIES = 50_000
MAX_TOTAL = 2 * 2**30                 # bytes extracted from one zip
MAX_METADATA = 64 * 2**20             # submission_metadata.yml carries every submission's results
MAX_DEPTH = 16                        # folders in one entry's path
WANTED = (".ipynb", ".yml", ".yaml")  # what any export reader looks at
CHUNK = 2**20


class ZipRefused(ValueError):
    """A zip that cannot be read safely as a whole (not a zip, too many entries, too large); one line."""


@dataclass
class Extracted:
    """Where a zip was extracted, and one line per entry left out (and why)."""
    folder: Path
    notes: list = field(default_factory=list)


def _entry_name(info):
    """The entry's name as text: UTF-8 where the zip says so or where its legacy bytes decode as UTF-8."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def safe_parts(name):
    """The path components of an entry ``name``, or None if it could leave the target folder."""
    name = name.replace("\\", "/")
    if not name or "\0" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or ".." in parts or len(parts) > MAX_DEPTH:
        return None
    return parts


def _skip_reason(info, parts):
    """Why an entry is not extracted (a line for the notes), "" to skip it silently, or None to extract it."""
    if parts is None:
        return "a path outside the export"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symlink"
    if info.is_dir() or parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts):
        return ""
    if info.flag_bits & 0x1 and parts[-1].lower().endswith(WANTED):
        return "encrypted"
    return None


def _copy(source, target, limit, budget):
    """Copy at most ``limit`` + 1 bytes (a notebook over the cap stays over it); returns the bytes written."""
    written = 0
    with open(target, "xb") as out:
        while written <= limit:
            chunk = source.read(min(CHUNK, limit + 1 - written))
            if not chunk:
                break
            written += len(chunk)
            if written > budget:
                raise ZipRefused(f"more than {MAX_TOTAL // 2**30} GiB to extract")
            out.write(chunk)
    return written


def extract(path):
    """:class:`Extracted`: the notebooks and metadata of the zip ``path``, in a private folder removed at exit.

    The folder is named like the zip (``alice.zip`` -> ``.../alice/``), inside a fresh 0700 folder.

    Raises:
        ZipRefused: not a zip, more than :data:`MAX_ENTRIES` entries, or more than :data:`MAX_TOTAL` bytes.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise ZipRefused(f"not a readable zip ({err})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise ZipRefused(f"{len(infos)} entries (at most {MAX_ENTRIES})")
        top = tempfile.mkdtemp(prefix="nice-export-")
        atexit.register(shutil.rmtree, top, ignore_errors=True)
        stem = Path(path).stem.strip(".") or "export"
        folder = Path(top, stem)  # named like the zip: a student's own zip names the student
        folder.mkdir()
        done, notes, total = set(), [], 0
        for info in infos:
            name = _entry_name(info)
            parts = safe_parts(name)
            why = _skip_reason(info, parts)
            if why is None and "/".join(parts) in done:
                why = "a second entry of the same name"
            if why:
                notes.append(f"{Path(path).name}: {name!r} not extracted ({why})")
            if why is not None:
                continue
            target = folder.joinpath(*parts)
            wanted = parts[-1].lower().endswith(WANTED)
            limit = MAX_NOTEBOOK_BYTES if parts[-1].endswith(".ipynb") else MAX_METADATA
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                if wanted:
                    with archive.open(info) as source:
                        total += _copy(source, target, limit, MAX_TOTAL - total)
                else:
                    target.touch(exist_ok=False)
            except (zipfile.BadZipFile, NotImplementedError, OSError, RuntimeError) as err:
                if target.is_file():
                    target.unlink()
                notes.append(f"{Path(path).name}: {name!r} not extracted ({type(err).__name__}: {err})")
                continue
            done.add("/".join(parts))
    return Extracted(folder, notes)
