"""Grade files an LMS imports as they are: ``canvas-grades.csv`` and ``moodle-grades.csv``.

Written into a grading output folder from its ``grades.csv`` (the autograded points), its
``students.csv`` (who each student is: where the notebook came from, the export's ids, and what a
roster added) and, once the written answers are graded in formgrader, nbgrader's ``nbgrader export``
CSV (the manual points).  Each student's grade is the autograded total plus the manual points minus
nbgrader's late penalty; the maximum is the autograded maximum plus the written answers' points.

* ``canvas-grades.csv``: Canvas's gradebook import format (Grades > Import): ``Student``, ``ID``,
  ``SIS User ID``, ``SIS Login ID``, ``Section``, then one column named for the assignment; its
  ``Points Possible`` row gives the maximum.  Canvas finds a student by ``ID`` (or the SIS ids) and
  the assignment by its name (creating it on the first import).
* ``moodle-grades.csv``: Moodle's offline grading worksheet (assignment > Upload grading worksheet):
  ``Identifier`` (``Participant <id>``), ``Full name``, ``Email address``, ``Grade``, ``Maximum Grade``,
  ``Last modified (grade)``; Moodle needs the first, ``Grade`` and ``Last modified (grade)``.

A file is written when at least one student has its ids (from the export, or from ``--roster``);
whoever has none is named in a note.
"""
import csv
import os
import io
from datetime import datetime
from pathlib import Path

from .. import packs
from ..notebook import NotebookError, read_input
from ..notes import visible
from .atomic import write_file
from .merge import merge_rows, read_rows, write_rows
from .exports import LMS_KINDS
from .report import manual_points
from .roster import LMS_FIELDS, RosterError, match, read_gradebook, read_roster

STUDENTS = "students.csv"
CANVAS = "canvas-grades.csv"
MOODLE = "moodle-grades.csv"
STUDENT_COLUMNS = ("student", "kind", "name", "id", "email", "group", "where", *LMS_FIELDS)
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_COLUMNS = ("Identifier", "Full name", "Email address", "Grade", "Maximum Grade", "Last modified (grade)")
MOODLE_PARTICIPANT = "Participant "
#: How Moodle writes "Last modified (grade)" (its worksheet's own format, which its importer reads back).
MOODLE_TIME = "%A, %d %B %Y, %I:%M %p"
TOLERANCE = 1e-6
CANVAS_IDS = ("canvas_id", "sis_user_id", "sis_login_id")  # any one finds the student in Canvas


def student_rows(found):
    """The students.csv rows of a discovery (:class:`~.discover.Found`): who each student is, every text as
    any output shows it (:func:`~autograder.notes.visible`: a folder's name may hold terminal escapes)."""
    rows = []
    for student, _ in found:
        origin = found.origins[student]
        own = {"canvas_id": origin.lms_id} if origin.kind == "canvas" else \
            {"moodle_id": origin.lms_id} if origin.kind == "moodle" else {}
        row = {"student": student, "kind": origin.kind, "name": origin.name, "id": origin.lms_id,
               "email": origin.email, "group": "; ".join(origin.group), "where": origin.where, **own}
        rows.append({key: visible(value) if value else value for key, value in row.items()})  # names as given
    return rows


def merge_students(old, new):
    """students.csv's rows with ``new`` replacing ``old`` per student, keeping what ``new`` does not know.

    A student graded again from nbgrader's copies (``--submitted``) keeps who they are in the export,
    and every student keeps the LMS ids an earlier roster gave.
    """
    before = {row["student"]: row for row in old}
    for row in new:
        prior = before.get(row["student"], {})
        if prior.get("kind") in LMS_KINDS and row["kind"] not in LMS_KINDS:
            row.update({key: prior.get(key, "") for key in ("kind", "name", "id", "email", "group")})
        row.update({key: prior[key] for key in LMS_FIELDS if prior.get(key) and not row.get(key)})
    return merge_rows(old, new)


def read_inputs(roster=None, gradebook=None, pack=None):
    """``(roster rows or None, nbgrader grades of ``pack``'s assignment or None)``, read before any grading so
    that a bad file stops at once (``pack``: default, the course's default assignment).

    Raises:
        RosterError: either file cannot be read as what it should be.
    """
    return (read_roster(roster) if roster else None,
            read_gradebook(gradebook, (pack or packs.load()).id) if gradebook else None)


def _points(x):
    return f"{round(x, 6):g}"


def _lms_grades(grades, students, nbgrader, manual_max):
    """``({student: points}, notes)``: autograded total, plus the manual points where nbgrader has them."""
    points, notes, stale = {}, [], []
    for row in grades:
        total = float(row["total"])
        who = students.get(row["student"], {})
        graded = (nbgrader or {}).get(row["student"]) or \
            ((nbgrader or {}).get(who.get("name")) if who.get("kind") == "nbgrader" else None)
        if graded is None:
            points[row["student"]] = total
            continue
        manual = graded.raw_score - total
        if -TOLERANCE <= manual <= manual_max + TOLERANCE:
            points[row["student"]] = total + manual - graded.penalty
        else:
            points[row["student"]] = total
            stale.append(row["student"])
    if nbgrader is None:
        notes.append(f"no --gradebook: the {_points(manual_max)} points of written answers are not in the LMS files "
                     f"(after formgrader: nbgrader export --to gradebook.csv, then lms-grades --gradebook gradebook.csv)")
    elif stale:
        notes.append(f"nbgrader's autograded points differ from grades.csv (rerun nbgrader autograde with "
                     f"AUTOGRADER_RESULTS): autograded points only for {', '.join(stale)}")
    return points, notes


def _write_csv(path, header, rows):
    """Write ``rows`` (lists) under ``header`` to ``path``, whole or not at all (:func:`.atomic.write_file`)."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    write_file(path, text.getvalue())


def _once_per_id(entries, label, notes):
    """``[(student, id, row)]`` -> the rows, one per id (the first student's); a note names the others."""
    first, rows = {}, []
    for student, key, row in entries:
        if key in first:
            notes.append(f"{label} {key} is {first[key]}'s and {student}'s: only {first[key]}'s grade is in the file")
        else:
            first[key] = student
            rows.append(row)
    return rows


def canvas_rows(students, points, maximum, notes):
    """The rows of canvas-grades.csv (after the header): Points Possible, then a row per student with a Canvas id."""
    entries = []
    for student, value in points.items():
        s = students.get(student, {})
        ids = [s.get(key, "") for key in CANVAS_IDS]
        if any(ids):
            entries.append((student, next(filter(None, ids)),
                            [s.get("lms_name") or s["name"], *ids, s.get("section", ""), _points(value)]))
    return [["    Points Possible", "", "", "", "", _points(maximum)], *_once_per_id(entries, "Canvas id", notes)]


def moodle_rows(students, points, maximum, now, notes):
    """The rows of moodle-grades.csv (after the header): a row per student with a Moodle participant id."""
    stamp = now.strftime(MOODLE_TIME)
    entries = [(student, s["moodle_id"], [MOODLE_PARTICIPANT + s["moodle_id"], s.get("lms_name") or s["name"],
                                          s.get("lms_email") or s["email"], _points(value), _points(maximum), stamp])
               for student, value in points.items() if (s := students.get(student, {})).get("moodle_id")]
    return _once_per_id(entries, "Moodle participant", notes)


def write_lms(out_dir, roster=None, nbgrader=None, new_students=(), now=None, pack=None):
    """Update students.csv (``new_students``, then the roster's ids) and write the LMS files of ``out_dir``.

    Args:
        roster: :class:`~.roster.RosterRow` s, or None.
        nbgrader: ``{nbgrader student id: NbgraderGrade}``, or None (autograded points only).
        new_students: students.csv rows of the students graded now (they replace earlier rows).
        pack: the assignment graded (default: the course's default): its written answers' points, and
            its title names Canvas's column.

    Returns:
        The lines to print: the files written, and who could not be put in them.
    """
    out = Path(out_dir)
    students = merge_students(read_rows(out / STUDENTS), [dict(row) for row in new_students])
    notes = []
    if roster is not None:
        matched, notes = match(students, roster)
        for s in students:
            if s["student"] in matched:
                s.update(matched[s["student"]].lms_fields())
    write_rows(out / STUDENTS, students, list(STUDENT_COLUMNS))
    grades = read_rows(out / "grades.csv")
    if not grades:
        return notes
    by_name = {s["student"]: s for s in students}
    pack = pack or packs.load()
    manual = manual_points(pack.notebook)
    points, point_notes = _lms_grades(grades, by_name, nbgrader, manual)
    maximum = float(grades[0]["max_total"]) + manual
    written = []
    canvas = canvas_rows(by_name, points, maximum, notes)
    if len(canvas) > 1:
        _write_csv(out / CANVAS, [*CANVAS_COLUMNS, pack.title], canvas)
        written.append(f"{CANVAS} ({len(canvas) - 1} students)")
    moodle = moodle_rows(by_name, points, maximum, now or datetime.now(), notes)
    if moodle:
        _write_csv(out / MOODLE, MOODLE_COLUMNS, moodle)
        written.append(f"{MOODLE} ({len(moodle)} students)")
    if not (written or roster is not None or any(s.get("kind") in LMS_KINDS for s in students)):
        return []  # a class without LMS ids, and none asked for: nothing to say
    missing = [g["student"] for g in grades
               if not any(by_name.get(g["student"], {}).get(key) for key in (*CANVAS_IDS, "moodle_id"))]
    if missing:
        notes.append(f"no Canvas or Moodle id (give --roster, the LMS's gradebook export): {', '.join(missing)}")
    return [f"LMS grade files in {out_dir}: " + (", ".join(written) or "none")] + point_notes + notes


def main(out_dir, roster=None, gradebook=None, assignment=None):
    """The ``lms-grades`` verb: (re)write the LMS files of a grading output folder of ``assignment`` (an id;
    default: the course's default), e.g. after formgrader.

    Raises:
        RosterError: the roster or the gradebook cannot be read, or ``out_dir`` holds no grades.csv.
    """
    if not Path(out_dir, "grades.csv").is_file():
        raise RosterError(f"{out_dir}: no grades.csv here (give the folder grade wrote)")
    pack = packs.load(assignment)
    lines = write_lms(out_dir, *read_inputs(roster, gradebook, pack), pack=pack)
    print(*(lines or [f"{out_dir}: no student has a Canvas or Moodle id (give --roster)"]), sep="\n")


def to_nbgrader(found, submitted, pack=None):
    """Copy every graded notebook to ``submitted/<student>/<id>/<id>.ipynb`` (nbgrader's layout; ``<id>``:
    ``pack``'s, default the course's default assignment).

    So that ``nbgrader autograde`` and formgrader grade the written answers under the same names.
    Returns one line per notebook not copied (unreadable, or a symlink) and one for the copies.
    """
    notes, copied, pack = [], 0, pack or packs.load()
    for student, nb in found:
        target = Path(submitted, student, pack.id, pack.notebook.name)
        if target.exists() and os.path.samefile(target, nb):
            continue
        try:
            data = read_input(nb)
        except NotebookError as err:
            notes.append(f"{student}: not copied to {submitted} ({err})")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        write_file(target, data)
        copied += 1
    return [f"{copied} notebooks copied into {submitted} (nbgrader's layout, for formgrader)"] * bool(copied) + notes


def after_grading(found, out_dir, roster=None, nbgrader=None, submitted=None, pack=None):
    """What ``grade`` does after writing its outputs of ``pack``'s assignment: students.csv, the LMS files and
    the nbgrader copies.

    Returns the lines to print; never raises (a failure is a warning line: grading's outputs stand).
    """
    try:
        lines = to_nbgrader(found, submitted, pack) if submitted else []
        return lines + write_lms(out_dir, roster, nbgrader, student_rows(found), pack=pack)
    except Exception as err:  # noqa: BLE001 - the LMS files must never stop the run's summary
        return [f"warning: LMS grade files not written ({type(err).__name__}: {err})"]

