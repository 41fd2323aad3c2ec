"""The LMS grade files, checked against the columns Canvas's gradebook import and Moodle's grading worksheet
upload read: the right points per student id, the written answers' points from nbgrader's export, ids
from a roster (matched by id, then by a name only one student has), and the nbgrader copies."""
import csv
import sys
from datetime import datetime

import pytest

from conftest import ROOT
from autograder import cli, packs
from autograder.grade import lms
from autograder.grade.discover import discover
from autograder.grade.report import manual_points
from autograder.grade.roster import RosterError, read_gradebook, read_roster

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
import make_exports as me  # noqa: E402

POINTS = {"reference": 38, "student_model_only": 21, "student_backward_adds_shift": 31, "untouched_release": 0}
MAX = 38
NOW = datetime(2024, 3, 5, 14, 7)


@pytest.fixture
def graded(tmp_path):
    """An output folder as grade leaves it for every fixture export (grades.csv), and the discovery."""
    found = discover([str(folder) for folder in me.build(tmp_path / "exports").values()])
    out = tmp_path / "grades"
    out.mkdir()
    expected = {name: POINTS[example] for kind in me.EXPORTS.values() for name, (example, _) in kind.items()}
    with open(out / "grades.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "test_x", "total", "max_total"])
        writer.writerows([name, 0, expected[name], MAX] for name, _ in found)
    return out, found, expected


def _csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_canvas_file_has_the_import_columns_and_the_points_by_canvas_id(graded):
    out, found, expected = graded
    lines = lms.write_lms(out, new_students=lms.student_rows(found), now=NOW)
    rows = _csv(out / lms.CANVAS)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", packs.load().title]
    assert rows[1] == ["    Points Possible", "", "", "", "", f"{MAX + manual_points():g}"]
    by_id = {r[1]: r for r in rows[2:]}
    assert set(by_id) == {"2001", "2002", "2003"}  # the Canvas export's students: ids from the file names
    for name, (_, canvas_id) in me.EXPORTS["canvas"].items():
        assert float(by_id[canvas_id][5]) == expected[name]
    assert by_id["2003"][0] == "ångströmzoë"
    assert f"LMS grade files in {out}: canvas-grades.csv (3 students), moodle-grades.csv (3 students)" == lines[0]
    assert any(line.startswith("no --gradebook: the 5 points of written answers") for line in lines)
    missing = next(line for line in lines if line.startswith("no Canvas or Moodle id"))
    assert all(name in missing for name in [*me.EXPORTS["gradescope"], *me.EXPORTS["folder"]])


def test_moodle_worksheet_reads_back_the_way_moodles_importer_reads_it(graded):
    """Moodle's assignfeedback_offline importer: finds the columns by their exact names, strips "Participant "
    from the identifier, reads the time with strtotime (a format its own worksheet writes)."""
    out, found, expected = graded
    lms.write_lms(out, new_students=lms.student_rows(found), now=NOW)
    header, *rows = _csv(out / lms.MOODLE)
    assert header == ["Identifier", "Full name", "Email address", "Grade", "Maximum Grade", "Last modified (grade)"]
    ident, grade, modified = (header.index(c) for c in ("Identifier", "Grade", "Last modified (grade)"))
    by_id = {r[ident].removeprefix("Participant "): r for r in rows}
    assert all(r[ident].startswith("Participant ") for r in rows) and set(by_id) == {"3001", "3002", "3003"}
    for name, (_, moodle_id) in me.EXPORTS["moodle"].items():
        assert float(by_id[moodle_id][grade]) == expected[name]
        assert datetime.strptime(by_id[moodle_id][modified], lms.MOODLE_TIME) == NOW
    assert by_id["3003"][1] == "Zoë Ångström" and by_id["3001"][4] == f"{MAX + manual_points():g}"


def _canvas_roster(path, rows):
    """A Canvas gradebook export: its header, the Points Possible row, the Test Student, then ``rows``."""
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Quiz 1 (111)"])
        writer.writerow(["    Points Possible", "", "", "", "", "10"])
        writer.writerow(["Student, Test", "9999", "", "", "NICE 101", ""])
        writer.writerows(rows)
    return path


def test_a_canvas_roster_gives_gradescope_and_nbgrader_students_their_canvas_ids(graded, tmp_path):
    out, found, expected = graded
    roster = _canvas_roster(tmp_path / "roster.csv", [
        ["Silva, Ana", "501", "1001", "asilva", "NICE 101", ""],                      # by SID
        ["Okafor, Ben", "502", "", "bokafor", "NICE 101", ""],                        # by name: the only Ben
        ["Ångström, Zoë", "503", "", "zoe.angstrom@uni.example", "NICE 102", ""],     # by email (three Zoës)
        ["Silva, Ana", "504", "", "asilva2", "NICE 102", ""],                         # a second Ana Silva: no SID
        ["Ana", "505", "", "ana", "NICE 102", ""],                                    # the folder's "ana": by login
    ])
    lines = lms.write_lms(out, read_roster(roster), new_students=lms.student_rows(found), now=NOW)
    by_id = {r[1]: r for r in _csv(out / lms.CANVAS)[2:]}
    assert float(by_id["501"][5]) == expected["Ana_Silva-1001"] and by_id["501"][2:5] == ["1001", "asilva", "NICE 101"]
    assert float(by_id["502"][5]) == expected["Ben_Okafor-1002"]
    assert float(by_id["503"][5]) == expected["Zoe_Angstrom-1003"] and by_id["503"][0] == "Ångström, Zoë"
    assert float(by_id["505"][5]) == expected["ana"]
    assert "504" not in by_id  # Ana_Silva-1004 has a SID the roster lacks, and her name is not unique
    note = next(line for line in lines if line.startswith("not in the roster"))
    assert "Ana_Silva-1004" in note and "Ana_Silva-1001" not in note
    remembered = {r["student"]: r for r in csv.DictReader(open(out / lms.STUDENTS))}
    assert remembered["Ana_Silva-1001"]["canvas_id"] == "501"  # kept for the next lms-grades run
    lms.write_lms(out, now=NOW)
    assert {r[1] for r in _csv(out / lms.CANVAS)[2:]} >= {"501", "502", "503", "505"}


def test_a_moodle_worksheet_as_roster_gives_participant_ids(graded, tmp_path):
    out, found, expected = graded
    roster = tmp_path / "worksheet.csv"
    roster.write_text("Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
                      "Last modified (submission),Last modified (grade),Feedback comments\n"
                      "Participant 7001,Ben Okafor,ben.okafor@uni.example,Submitted,,100,Yes,-,-,\n",
                      encoding="utf-8")
    lms.write_lms(out, read_roster(roster), new_students=lms.student_rows(found), now=NOW)
    by_id = {r[0]: r for r in _csv(out / lms.MOODLE)[1:]}
    assert float(by_id["Participant 7001"][3]) == expected["Ben_Okafor-1002"]


def _nbgrader_export(path, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                         "raw_score", "late_submission_penalty", "score", "max_score"])
        for student, raw, penalty in rows:
            writer.writerow(["assignment07", "None", "None", student, "None", "None", "None", raw, penalty,
                             raw - penalty, MAX + manual_points()])
        writer.writerow(["assignment06", "None", "None", "silvaana-2001", "None", "None", "None", 1, 0, 1, 1])
    return path


def test_the_written_answers_points_come_from_nbgraders_export(graded, tmp_path):
    out, found, expected = graded
    export = _nbgrader_export(tmp_path / "gradebook.csv", [
        ("silvaana-2001", expected["silvaana-2001"] + 4, 0),    # 4 manual points
        ("silvaana-2002", expected["silvaana-2002"] + 5, 1.5),  # 5 manual points, late
        ("angstromzoe-2003", expected["angstromzoe-2003"] + 9, 0),  # more than the written answers are worth
    ])
    lines = lms.write_lms(out, nbgrader=read_gradebook(export, "assignment07"), new_students=lms.student_rows(found))
    by_id = {r[1]: float(r[5]) for r in _csv(out / lms.CANVAS)[2:]}
    assert by_id == {"2001": expected["silvaana-2001"] + 4, "2002": expected["silvaana-2002"] + 5 - 1.5,
                     "2003": expected["angstromzoe-2003"]}
    assert any(line.startswith("nbgrader's autograded points differ from grades.csv") and "angstromzoe-2003" in line
               for line in lines)
    assert not any(line.startswith("no --gradebook") for line in lines)


def test_a_class_without_lms_ids_gets_no_lms_files_and_no_lines(tmp_path):
    out = tmp_path / "grades"
    out.mkdir()
    (out / "grades.csv").write_text("student,total,max_total\nalice,30,38\n")
    found = discover([str(me.per_student(tmp_path))])
    assert lms.write_lms(out, new_students=lms.student_rows(found)) == []
    assert not (out / lms.CANVAS).exists() and not (out / lms.MOODLE).exists() and (out / lms.STUDENTS).exists()


def test_students_csv_shows_every_name_beside_where_it_came_from(graded):
    out, found, _ = graded
    lms.write_lms(out, new_students=lms.student_rows(found))
    rows = {r["student"]: r for r in csv.DictReader(open(out / lms.STUDENTS, encoding="utf-8"))}
    assert set(rows) == {name for name, _ in found}
    zoe = rows["Zoe_Angstrom-1003"]
    assert (zoe["kind"], zoe["name"], zoe["id"], zoe["group"]) == ("gradescope", "Zoë Ångström", "1003", "Ben Okafor")
    assert zoe["where"].endswith("submission_90002/assignment07.ipynb")


def test_copies_in_nbgraders_layout(graded, tmp_path):
    _, found, _ = graded
    lines = lms.to_nbgrader(found, tmp_path / "submitted")
    assert lines == [f"{len(found)} notebooks copied into {tmp_path / 'submitted'} (nbgrader's layout, for formgrader)"]
    for name, nb in found:
        assert (tmp_path / "submitted" / name / "assignment07" / "assignment07.ipynb").read_bytes() == nb.read_bytes()
    assert lms.to_nbgrader(found, tmp_path / "submitted") == [f"{len(found)} notebooks copied into "
                                                             f"{tmp_path / 'submitted'} (nbgrader's layout, for formgrader)"]
    tree = discover([str(tmp_path / "submitted")])
    assert lms.to_nbgrader(tree, tmp_path / "submitted") == []  # the files are already there


def test_another_assignment_names_its_column_points_and_folders(graded, tmp_path):
    """assignment08's files: Canvas's column is its title, its written answers count, copies go to <student>/assignment08/."""
    out, found, _ = graded
    pack = packs.load("assignment08")
    lms.write_lms(out, new_students=lms.student_rows(found), now=NOW, pack=pack)
    rows = _csv(out / lms.CANVAS)
    assert rows[0][-1] == pack.title and rows[1][-1] == f"{MAX + manual_points(pack.notebook):g}"
    lms.to_nbgrader(found, tmp_path / "submitted", pack)
    name, nb = found[0]
    assert (tmp_path / "submitted" / name / pack.id / f"{pack.id}.ipynb").read_bytes() == nb.read_bytes()


@pytest.mark.parametrize("args, words", [
    (["lms-grades", "{tmp}/nothing"], "no grades.csv here"),
    (["lms-grades", "{out}", "--roster", "{out}/grades.csv"], "not a roster"),
    (["lms-grades", "{out}", "--gradebook", "{out}/grades.csv"], "not nbgrader's grade export"),
    (["grade", "{tmp}/exports/canvas", "--out", "{tmp}/g2", "--roster", "{tmp}/missing.csv"], "cannot be read as CSV"),
])
def test_bad_lms_inputs_are_one_line_errors_before_anything_runs(graded, tmp_path, capsys, args, words):
    out, _, _ = graded
    with pytest.raises(SystemExit) as stop:
        cli.main([a.format(tmp=tmp_path, out=out) for a in args])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and words in err and err.count("\n") == 1
    assert not (tmp_path / "g2").exists()


def test_lms_grades_verb(graded, capsys):
    out, found, _ = graded
    lms.write_lms(out, new_students=lms.student_rows(found))
    cli.main(["lms-grades", str(out)])
    assert f"LMS grade files in {out}: canvas-grades.csv (3 students), moodle-grades.csv (3 students)" in \
        capsys.readouterr().out


def test_roster_errors(tmp_path):
    (tmp_path / "r.csv").write_text("foo,bar\n1,2\n")
    with pytest.raises(RosterError, match="not a roster"):
        read_roster(tmp_path / "r.csv")
    (tmp_path / "g.csv").write_text("assignment,student_id,raw_score,late_submission_penalty,max_score\n"
                                    "assignment07,a,x,0,43\n")
    with pytest.raises(RosterError, match="not a number"):
        read_gradebook(tmp_path / "g.csv", "assignment07")


def test_one_row_per_lms_id(tmp_path):
    """Two students with one Canvas id (the same person handed in twice, say): the LMS gets one grade, and a note."""
    (tmp_path / "grades.csv").write_text("student,total,max_total\nx-1,30,38\nx~2,10,38\n")
    students = [{"student": s, "kind": "canvas", "name": "x", "id": "1", "email": "", "group": "", "where": w,
                 "canvas_id": "1"} for s, w in (("x-1", "a.zip"), ("x~2", "b.zip"))]
    lines = lms.write_lms(tmp_path, new_students=students)
    assert [r[5] for r in _csv(tmp_path / lms.CANVAS)[2:]] == ["30"]
    assert "Canvas id 1 is x-1's and x~2's: only x-1's grade is in the file" in lines


def test_a_student_graded_again_from_the_nbgrader_copies_keeps_the_exports_ids(graded, tmp_path):
    out, found, _ = graded
    lms.write_lms(out, new_students=lms.student_rows(found))
    lms.to_nbgrader(found, tmp_path / "submitted")
    again = discover([str(tmp_path / "submitted" / "silvaana-2001")])
    lms.write_lms(out, new_students=lms.student_rows(again))
    rows = {r["student"]: r for r in csv.DictReader(open(out / lms.STUDENTS, encoding="utf-8"))}
    assert (rows["silvaana-2001"]["kind"], rows["silvaana-2001"]["canvas_id"]) == ("canvas", "2001")
    assert rows["silvaana-2001"]["where"].startswith(str(tmp_path / "submitted"))
    assert "2001" in {r[1] for r in _csv(out / lms.CANVAS)[2:]}
