"""What the LMS knows about the students: a roster CSV, matched to the graded students; nbgrader's grades.

A roster is the LMS's own download, given to ``grade --roster`` or ``lms-grades --roster``:

* Canvas's gradebook export (Grades > Export): ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``,
  ``Section``, ... (its ``Points Possible`` row is skipped);
* Moodle's grading worksheet (assignment > Download grading worksheet): ``Identifier``
  (``Participant <id>``), ``Full name``, ``Email address``, ...;
* any CSV with a name column (``name``/``full name``/``student name``) and ids (``email``, ``sis user id``/
  ``student id``/``sid``, ``sis login id``/``login``/``username``).

A student is matched by an id first (the export's own Canvas or Moodle id; a Gradescope SID or email;
an nbgrader student id as login, SIS id or email), by name only where exactly one student and one
roster row have it (in either order: ``Silva, Ana``, ``Ana Silva`` and Canvas's ``silvaana`` agree).
"""
import csv
import re
import unicodedata
from dataclasses import dataclass, fields

#: The LMS fields of a student (columns of students.csv, filled from the export's ids and the roster).
LMS_FIELDS = ("canvas_id", "sis_user_id", "sis_login_id", "section", "moodle_id", "lms_name", "lms_email")
GENERIC = {"name": ("name", "full name", "student name"), "email": ("email", "email address"),
           "sis_user_id": ("sis user id", "student id", "sid", "id number"),
           "sis_login_id": ("sis login id", "login", "login id", "username")}


class RosterError(ValueError):
    """A roster or gradebook file that cannot be read as one (a one-line message)."""


@dataclass
class RosterRow:
    """One student of the roster, with the fields the LMS files need."""
    lms_name: str = ""
    canvas_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    moodle_id: str = ""
    lms_email: str = ""

    def lms_fields(self):
        """The row's non-empty :data:`LMS_FIELDS`."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


def _rows(path):
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            return list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise RosterError(f"{path}: cannot be read as CSV ({type(err).__name__}: {err})") from None


def read_roster(path):
    """The :class:`RosterRow` s of a Canvas gradebook export, a Moodle grading worksheet or a plain roster CSV.

    Raises:
        RosterError: the file cannot be read, or has none of the columns above.
    """
    rows = _rows(path)
    header = set(rows[0]) if rows else set()
    if {"Student", "ID"} <= header:  # Canvas
        return [RosterRow(lms_name=r["Student"].strip(), canvas_id=r["ID"].strip(),
                          sis_user_id=(r.get("SIS User ID") or "").strip(),
                          sis_login_id=(r.get("SIS Login ID") or "").strip(), section=(r.get("Section") or "").strip())
                for r in rows if r["Student"].strip() and r["Student"].strip() != "Points Possible"]
    if "Identifier" in header:  # Moodle
        return [RosterRow(lms_name=(r.get("Full name") or "").strip(), lms_email=(r.get("Email address") or "").strip(),
                          moodle_id=re.search(r"(\d+)\s*$", r["Identifier"] or "")[1])
                for r in rows if re.search(r"\d+\s*$", r["Identifier"] or "")]
    columns = {key: next((h for h in header if h.strip().lower() in names), None) for key, names in GENERIC.items()}
    if not columns["name"] and not columns["email"]:
        raise RosterError(f"{path}: not a roster (expected Canvas's gradebook export, Moodle's grading worksheet, "
                          f"or a CSV with a name or email column)")
    return [RosterRow(lms_name=(r.get(columns["name"]) or "").strip() if columns["name"] else "",
                      lms_email=(r.get(columns["email"]) or "").strip() if columns["email"] else "",
                      sis_user_id=(r.get(columns["sis_user_id"]) or "").strip() if columns["sis_user_id"] else "",
                      sis_login_id=(r.get(columns["sis_login_id"]) or "").strip() if columns["sis_login_id"] else "")
            for r in rows]


def name_forms(name):
    """A name's comparable forms: letters only, lowercase, accents dropped, in both orders of its parts."""
    def plain(text):
        return re.sub(r"[\W_\d]+", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()).lower()
    if "," in name:
        last, first = name.split(",", 1)
    else:
        first, _, last = name.strip().rpartition(" ")
    forms = {plain(name), plain(first + last), plain(last + first)}
    return {f for f in forms if f}


def _student_keys(student):
    """``[(roster field, value)]`` by which a students.csv row may be found in a roster, strongest first."""
    kind, sid, email, name = student["kind"], student["id"], student["email"], student["name"]
    if kind == "canvas":
        return [("canvas_id", sid)]
    if kind == "moodle":
        return [("moodle_id", sid)]
    if kind == "gradescope":
        return [("sis_user_id", sid), ("lms_email", email), ("sis_login_id", email), ("sis_login_id", sid)]
    return [(key, name) for key in ("sis_login_id", "sis_user_id", "lms_email", "canvas_id")]


def match(students, roster):
    """``({student: RosterRow}, notes)`` for students.csv rows ``students`` and a roster.

    Ids are compared exactly (emails and logins without case); a name only where it is unique on both sides.
    """
    index = {}
    for row in roster:
        for key in ("canvas_id", "moodle_id", "sis_user_id", "sis_login_id", "lms_email"):
            value = getattr(row, key).casefold()
            if value:
                index.setdefault((key, value), []).append(row)
    by_name = {}
    for row in roster:
        for form in name_forms(row.lms_name):
            by_name.setdefault(form, []).append(row)
    student_forms = {}
    for s in students:
        for form in name_forms(s["name"]):
            student_forms.setdefault(form, []).append(s["student"])
    matched, unmatched = {}, []
    for s in students:
        hits = [index[(k, v.casefold())] for k, v in _student_keys(s) if v and len(index.get((k, v.casefold()), [])) == 1]
        if not hits:
            hits = [by_name[f] for f in name_forms(s["name"])
                    if len(by_name.get(f, [])) == 1 and len(student_forms[f]) == 1]
        if hits:
            matched[s["student"]] = hits[0][0]
        else:
            unmatched.append(s["student"])
    notes = []
    if unmatched:
        notes.append(f"not in the roster (no id or unique name matches): {', '.join(unmatched)}")
    return matched, notes


@dataclass
class NbgraderGrade:
    """A student's row of nbgrader's ``nbgrader export`` CSV."""
    raw_score: float
    penalty: float
    max_score: float


def read_gradebook(path, assignment):
    """``{nbgrader student id: NbgraderGrade}`` of ``assignment`` in the CSV ``nbgrader export`` writes.

    Raises:
        RosterError: the file cannot be read or lacks nbgrader's columns.
    """
    rows = _rows(path)
    needed = {"assignment", "student_id", "raw_score", "late_submission_penalty", "max_score"}
    if not rows or not needed <= set(rows[0]):
        raise RosterError(f"{path}: not nbgrader's grade export (columns {', '.join(sorted(needed))})")
    try:
        return {r["student_id"]: NbgraderGrade(float(r["raw_score"]), float(r["late_submission_penalty"] or 0),
                                               float(r["max_score"]))
                for r in rows if r["assignment"] == assignment}
    except ValueError as err:
        raise RosterError(f"{path}: a score is not a number ({err})") from None
