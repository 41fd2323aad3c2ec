"""Find the submissions in a folder, whatever its layout, and say whose each one is (:class:`Origin`).

Layouts, in the order they are looked for (the LMS exports first, whose own files say what they are,
in the folder or the folders it wraps alone, so that an export unzipped into its own folder reads the
same; then nbgrader's and the plain layouts, likewise):

* **Gradescope** "Export Submissions": ``submission_metadata.yml`` beside one folder per submission
  (``submission_<id>/``).  The metadata maps each folder to its ``:submitters:`` (``:name:``,
  ``:sid:``, ``:email:``) and ``:created_at:``; every member of a group gets the group's notebook.
* **Moodle** "Download all submissions": a folder ``<Full name>_<participant id>_assignsubmission_file``
  per student (Moodle 3.1 and later; older ones end with ``_``), or flat files
  ``<Full name>_<participant id>_assignsubmission_file_<file>``.
* **Canvas** "Download Submissions": flat files ``<name>[_late]_<user id>_<attachment id>_<file>``
  (Canvas's ``ContentZipper``: ``<name>`` is the sortable name without anything but letters, digits
  and ``_``, lowercased; none under anonymous grading), the latest attempt's files only; a file
  uploaded again under the same name comes back as ``<file>-1``, ``-2``, ...  A group's file is named
  for one member, the only one the download names.
* nbgrader's ``submitted/`` tree, one student's folder of it, a folder of notebooks (one student per
  file), and a **folder per student** holding the notebook directly (``<dir>/<student>/*.ipynb``).

A student found more than once (a resubmission) is graded on the latest notebook (Canvas: the highest
attachment id, then copy number; Gradescope: the latest ``:created_at:``; Moodle: the highest copy
number, ``x (1).ipynb``); in a submission the notebook named for the assignment comes first.  Every
notebook left out is named in :attr:`Listing.notes`.  A student of an LMS export asks for the name
``<name>-<id>`` (:attr:`Origin.wanted`: ``Ana Silva`` with SID 1001 -> ``Ana_Silva-1001``), so that
two students of the same name stay apart and a student keeps the name on every export.
"""
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .unzip import MAX_METADATA

GRADESCOPE_METADATA = "submission_metadata.yml"
LMS_KINDS = ("gradescope", "canvas", "moodle")
CANVAS_FILE = re.compile(r"^(?:(?P<name>.+?)_)??(?P<late>(?i:late)_)?(?P<user>\d+)_(?P<attachment>\d+)_(?P<file>.+)$")
MOODLE_ENTRY = re.compile(r"^(?P<name>.*)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)(?:_(?P<file>.*))?$")
COPY = re.compile(r"^(?P<base>.*?)(?:-(?P<dash>\d+)| \((?P<paren>\d+)\))$")  # x-1 (Canvas), x (1) (Moodle)
MAX_NAME_PART = 40


class ExportError(ValueError):
    """An export whose own files say it is one format and are not (a one-line message)."""


@dataclass(frozen=True)
class Origin:
    """Whose a notebook is, as the input says it."""
    kind: str            # "gradescope", "canvas", "moodle", "nbgrader", "folder" or "notebook"
    name: str            # the student's name as the input gives it
    lms_id: str = ""     # the input's id of the student: Gradescope SID, Canvas user id, Moodle participant id
    email: str = ""      # Gradescope's
    where: str = ""      # the notebook, as the input names it
    group: tuple = ()    # the other members of a group submission

    @property
    def wanted(self):
        """The name this student asks for: ``<name>-<id>`` for an LMS export, else the name itself."""
        key = self.lms_id or self.email
        if self.kind not in LMS_KINDS or not key:
            return self.name
        return f"{_slug(self.name)[:MAX_NAME_PART] or 'student'}-{_slug(key)}"

    def describe(self):
        """One line: the name, the kind and ids, the group, the file."""
        ids = ", ".join(filter(None, [ID_LABEL.get(self.kind, "id") + " " + self.lms_id if self.lms_id else "",
                                      self.email]))
        group = f", group with {', '.join(self.group)}" if self.group else ""
        return f"{self.name} ({KIND_LABEL[self.kind]}{': ' + ids if ids else ''}{group}) from {self.where}"


KIND_LABEL = {"gradescope": "Gradescope", "canvas": "Canvas", "moodle": "Moodle", "nbgrader": "nbgrader",
              "folder": "a folder per student", "notebook": "a notebook"}
ID_LABEL = {"gradescope": "SID", "canvas": "user", "moodle": "participant"}


@dataclass
class Listing:
    """What a folder holds: ``[(Origin, notebook)]`` in a stable order, and what was left out."""
    entries: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def _slug(text):
    """``text`` in the letters a name keeps: accents dropped (ë -> e), any other run of characters -> ``_``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", plain).strip("._-")


def _nfc(text):
    return unicodedata.normalize("NFC", text)


def _visible(path):
    return not path.name.startswith(".") and path.name != "__MACOSX"


def _copy_number(stem):
    """``("x", 2)`` for ``x-2`` or ``x (2)``, ``(stem, 0)`` for any other stem."""
    match = COPY.fullmatch(stem)
    if not match:
        return stem, 0
    return match["base"], int(match["dash"] or match["paren"])


def _named_for(notebook, assignment):
    return notebook.stem == assignment or _copy_number(notebook.stem)[0] == assignment


def _latest(candidates, assignment, order):
    """``(chosen, others)`` among ``[(notebook, info)]``: named for the assignment first, then the greatest ``order(info)``."""
    ranked = sorted(candidates, key=lambda c: (_named_for(c[0], assignment), order(c[1]), str(c[0])), reverse=True)
    return ranked[0], ranked[1:]


def _left_out(who, chosen, others, base, why="the latest"):
    """The note for a student with more than one notebook."""
    rest = ", ".join(str(nb.relative_to(base)) for nb, _ in others)
    return f"{who}: graded {chosen[0].relative_to(base)} ({why}); not graded: {rest}"


def _notebooks_in(folder):
    """Every visible notebook under ``folder`` (not in hidden folders such as .ipynb_checkpoints), sorted."""
    return sorted(nb for nb in folder.rglob("*.ipynb")
                  if nb.is_file() and all(_visible(p) for p in nb.relative_to(folder).parents if p.name)
                  and _visible(nb))


def _when(value):
    """A ``:created_at:`` as seconds (0 where it is not a time), for ordering."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    return 0.0


def gradescope(folder, assignment, label):
    """The Gradescope export in ``folder`` (a :class:`Listing`), or None if it has no metadata file."""
    meta = folder / GRADESCOPE_METADATA
    if not meta.is_file():
        return None
    import yaml
    if meta.stat().st_size > MAX_METADATA:
        raise ExportError(f"{GRADESCOPE_METADATA} is larger than {MAX_METADATA // 2**20} MiB")
    try:
        data = yaml.safe_load(meta.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise ExportError(f"{GRADESCOPE_METADATA} is not readable YAML ({type(err).__name__})") from None
    if not isinstance(data, dict):
        raise ExportError(f"{GRADESCOPE_METADATA} is not a map of submission folders")
    listing, by_student = Listing(), {}
    for sub, info in data.items():
        submitters = info.get(":submitters") if isinstance(info, dict) else None
        if not isinstance(submitters, list) or not all(isinstance(s, dict) for s in submitters):
            raise ExportError(f"{GRADESCOPE_METADATA}: {sub!r} has no list of :submitters:")
        people = [Origin("gradescope", _nfc(str(s.get(":name") or "")), str(s.get(":sid") or ""),
                         str(s.get(":email") or "")) for s in submitters]
        names = ", ".join(p.name for p in people)
        sub_dir = folder / str(sub)
        plain = str(sub) == Path(str(sub)).name and str(sub) not in (".", "..")  # a folder of the export, no path
        notebooks = _notebooks_in(sub_dir) if plain and sub_dir.is_dir() else []
        if not notebooks:
            listing.notes.append(f"{label}/{sub} ({names}): no notebook, not graded")
            continue
        chosen, others = _latest([(nb, None) for nb in notebooks], assignment, lambda _: 0)
        if others:
            listing.notes.append(_left_out(f"{sub} ({names})", chosen, others, folder, "named for the assignment"))
        for person in people:
            group = tuple(p.name for p in people if p is not person)
            origin = Origin("gradescope", person.name, person.lms_id, person.email,
                            f"{label}/{chosen[0].relative_to(folder)}", group)
            key = person.lms_id or person.email or person.name
            by_student.setdefault(key, []).append((chosen[0], (_when(info.get(":created_at")), origin)))
    listed = {str(sub) for sub in data}
    for extra in sorted(p.name for p in folder.iterdir() if p.is_dir() and _visible(p) and p.name not in listed):
        listing.notes.append(f"{label}/{extra}: not in {GRADESCOPE_METADATA}, not graded")
    for key, candidates in by_student.items():
        chosen, others = _latest(candidates, assignment, lambda info: info[0])
        if others:
            listing.notes.append(_left_out(f"{chosen[1][1].name} (SID {key})", chosen, others, folder))
        listing.entries.append((chosen[1][1], chosen[0]))
    return listing


def _lms_listing(folder, assignment, label, kind, parsed, order):
    """A :class:`Listing` of ``parsed``: ``[(student id, name, notebook, info)]``, the latest notebook per id."""
    by_id = {}
    for sid, name, nb, info in parsed:
        by_id.setdefault(sid, []).append((nb, (info, name)))
    listing = Listing()
    for sid in sorted(by_id, key=lambda s: (int(s), s)):
        chosen, others = _latest(by_id[sid], assignment, lambda info: order(info[0]))
        name = chosen[1][1]
        if others:
            listing.notes.append(_left_out(f"{name} ({ID_LABEL[kind]} {sid})", chosen, others, folder))
        listing.entries.append((Origin(kind, name, sid, where=f"{label}/{chosen[0].relative_to(folder)}"), chosen[0]))
    return listing


def moodle(folder, assignment, label):
    """The Moodle download in ``folder`` (folders or flat files per student), or None if it is not one."""
    parsed, others = [], []
    for entry in sorted(p for p in folder.iterdir() if _visible(p)):
        match = MOODLE_ENTRY.fullmatch(entry.name)
        if not match:
            continue
        if entry.is_dir() and match["plugin"] == "file" and not match["file"]:
            notebooks = _notebooks_in(entry)
        elif entry.is_file() and match["plugin"] == "file" and entry.suffix == ".ipynb":
            notebooks = [entry]
        else:
            others.append(match)
            continue
        parsed += [(match["id"], _nfc(match["name"]), nb, _copy_number(nb.stem)[1]) for nb in notebooks]
    if not parsed and not others:
        return None
    listing = _lms_listing(folder, assignment, label, "moodle", parsed, lambda copy: copy)
    graded = {o.lms_id for o, _ in listing.entries}
    for match in others:
        if match["id"] not in graded:
            graded.add(match["id"])
            listing.notes.append(f"{_nfc(match['name'])} (participant {match['id']}): no notebook, not graded")
    return listing


def canvas(folder, assignment, label):
    """The Canvas download in ``folder`` (flat files named by Canvas), or None if its notebooks are not so named."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and _visible(p))
    notebooks = [p for p in files if p.suffix == ".ipynb"]
    matches = {p: CANVAS_FILE.fullmatch(p.name) for p in files}
    if not notebooks or not all(matches[p] for p in notebooks):
        return None
    parsed = [(m["user"], _nfc(m["name"] or "anonymous"), p,
               (int(m["attachment"]), _copy_number(Path(m["file"]).stem)[1]))
              for p, m in matches.items() if m and p.suffix == ".ipynb"]
    listing = _lms_listing(folder, assignment, label, "canvas", parsed, lambda order: order)
    graded = {o.lms_id for o, _ in listing.entries}
    for p, m in matches.items():
        if m and m["user"] not in graded:
            graded.add(m["user"])
            listing.notes.append(f"{_nfc(m['name'] or 'anonymous')} (user {m['user']}): no notebook ({p.name}), not graded")
    return listing


def _pick(notebooks, assignment):
    """The assignment's notebook among one student's notebooks if there is one, else all of them."""
    return [nb for nb in notebooks if nb.stem == assignment] or notebooks


def nbgrader_or_folders(folder, assignment, label):
    """nbgrader's layouts, a folder of notebooks or a folder per student in ``folder``; None if none fits."""
    def entry(kind, student, nb):
        return Origin(kind, student, where=f"{label}/{nb.relative_to(folder)}"), nb

    tree = sorted(folder.glob(f"*/{assignment}/*.ipynb"))
    if tree:
        students = sorted({nb.parent.parent for nb in tree})
        return Listing([entry("nbgrader", s.name, nb) for s in students
                        for nb in _pick([n for n in tree if n.parent.parent == s], assignment)])
    own = sorted(folder.glob(f"{assignment}/*.ipynb"))
    if own:
        return Listing([entry("nbgrader", folder.name, nb) for nb in _pick(own, assignment)])
    loose = sorted(folder.glob("*.ipynb"))
    if loose and (folder.name == assignment or any(nb.stem == assignment for nb in loose)):
        own = folder.name == assignment  # nbgrader's submitted/<student>/<assignment>/, else <dir>/<student>/
        return Listing([entry("nbgrader" if own else "folder", folder.parent.name if own else folder.name, nb)
                        for nb in _pick(loose, assignment)])
    if loose:
        return Listing([entry("notebook", nb.stem, nb) for nb in loose])
    per_student = sorted(nb for nb in folder.glob("*/*.ipynb") if _visible(nb.parent) and _visible(nb))
    if per_student:
        students = sorted({nb.parent for nb in per_student})
        return Listing([entry("folder", s.name, nb) for s in students
                        for nb in _pick([n for n in per_student if n.parent == s], assignment)])
    return None


LMS_READERS = (gradescope, moodle, canvas)
MAX_UNWRAP = 3  # wrapping folders looked through (an export unzipped into its own folder, and so on)


def _wrappers(folder, label):
    """``[(folder, label)]``: ``folder``, then its only subfolder while it has nothing else, and so on."""
    chain = [(folder, label)]
    while len(chain) <= MAX_UNWRAP:
        inside = [p for p in chain[-1][0].iterdir() if _visible(p)]
        if len(inside) != 1 or not inside[0].is_dir():
            break
        chain.append((inside[0], f"{chain[-1][1]}/{inside[0].name}"))
    return chain


def read_folder(folder, assignment, label):
    """The :class:`Listing` of ``folder`` (``label``: how to show its paths), or None if it holds no notebook.

    An LMS export is looked for first, in ``folder`` and the folders wrapping it alone (its own files say
    what it is: the metadata file, Moodle's or Canvas's names), then nbgrader's and the plain layouts.

    Raises:
        ExportError: a Gradescope metadata file that is not Gradescope's format.
    """
    chain = _wrappers(folder, label)
    for reader in LMS_READERS:
        for here, shown in chain:
            listing = reader(here, assignment, shown)
            if listing is not None:
                return listing
    for here, shown in chain:
        listing = nbgrader_or_folders(here, assignment, shown)
        if listing is not None:
            return listing
    return None


def distinct_files(submissions):
    """``[(student, notebook)]`` with each notebook once (a group's, under its first member): what to compare."""
    seen, kept = set(), []
    for student, nb in submissions:
        if str(nb) not in seen:
            seen.add(str(nb))
            kept.append((student, nb))
    return kept
