"""Reading where students hand in: each export kind (folder, zip, wrapped or not), its names, what it leaves
out and why; zips read safely (nothing outside the target, no symlinks, count and size caps)."""
import stat
import sys
import zipfile

import pytest

from conftest import ROOT
from autograder.grade import unzip
from autograder.grade.discover import DiscoveryError, discover
from autograder.grade.exports import Origin, distinct_files

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
import make_exports as me  # noqa: E402

EXAMPLES = ROOT / "assignments" / "assignment07" / "examples"


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return me.build(tmp_path_factory.mktemp("exports"))


def _graded(found):
    """{name: the example the graded notebook is a copy of}"""
    examples = {p.read_bytes(): p.stem for p in EXAMPLES.glob("*.ipynb")}
    return {name: examples[nb.read_bytes()] for name, nb in found}


def _as_zip(folder, tmp_path, **how):
    return str(me.zipped(folder, tmp_path / f"{folder.name}.zip", **how))


@pytest.mark.parametrize("kind", sorted(me.BUILDERS))
@pytest.mark.parametrize("form", ["folder", "zip", "zip, no wrapping folder", "zip, legacy names", "parent folder"])
def test_each_kind_grades_the_right_notebook_under_a_stable_name(exports, kind, form, tmp_path):
    given = {"folder": lambda f: str(f), "parent folder": lambda f: str(f.parent),
             "zip": lambda f: _as_zip(f, tmp_path), "zip, no wrapping folder": lambda f: _as_zip(f, tmp_path, wrap=False),
             "zip, legacy names": lambda f: _as_zip(f, tmp_path, legacy_names=True)}[form](exports[kind])
    found = discover([given])
    expected = {name: example for name, (example, _) in me.EXPORTS[kind].items()}
    assert _graded(found) == expected
    for name, (_, lms_id) in me.EXPORTS[kind].items():
        origin = found.origins[name]
        assert origin.lms_id == lms_id and origin.kind == ("folder" if kind == "folder" else kind)
        assert origin.where.startswith(given) and origin.where.endswith(".ipynb")


def test_gradescope_names_every_member_of_a_group_and_the_latest_submission(exports):
    found = discover([str(exports["gradescope"])])
    assert dict(found)["Ben_Okafor-1002"] == dict(found)["Zoe_Angstrom-1003"]  # one notebook, two students
    ben, zoe = found.origins["Ben_Okafor-1002"], found.origins["Zoe_Angstrom-1003"]
    assert (ben.name, ben.email, ben.group) == ("Ben Okafor", "ben.okafor@uni.example", ("Zoë Ångström",))
    assert zoe.name == "Zoë Ångström" and zoe.group == ("Ben Okafor",)
    assert "Ana Silva (SID 1001): graded submission_90004/assignment07.ipynb (the latest); not graded: " \
           "submission_90001/assignment07.ipynb" in found.notes
    lines = [n for n in found.notes if n.startswith("Zoe_Angstrom-1003 is ")]
    assert lines == [f"Zoe_Angstrom-1003 is Zoë Ångström (Gradescope: SID 1003, zoe.angstrom@uni.example, group with "
                     f"Ben Okafor) from {exports['gradescope']}/submission_90002/assignment07.ipynb"]


def test_canvas_takes_the_latest_attachment_and_lists_the_rest(exports):
    found = discover([str(exports["canvas"])])
    assert dict(found)["silvaana-2001"].name == "silvaana_late_2001_7005_assignment07-1.ipynb"
    assert "silvaana (user 2001): graded silvaana_late_2001_7005_assignment07-1.ipynb (the latest); not graded: " \
           "silvaana_2001_7001_assignment07.ipynb" in found.notes
    assert "okaforben (user 2004): no notebook (okaforben_2004_7004_report.pdf), not graded" in found.notes
    assert found.origins["angstromzoe-2003"].name == "ångströmzoë"


def test_moodle_takes_the_latest_copy_and_lists_the_rest(exports):
    found = discover([str(exports["moodle"])])
    assert dict(found)["Ana_Silva-3002"].name == "assignment07 (1).ipynb"
    assert any(n.startswith("Ana Silva (participant 3002): graded Ana Silva_3002_assignsubmission_file/assignment07 (1)"
                            ".ipynb (the latest); not graded: ") for n in found.notes)
    assert "Ben Okafor (participant 3004): no notebook, not graded" in found.notes
    assert found.origins["Zoe_Angstrom-3003"].name == "Zoë Ångström"


def test_canvas_under_anonymous_grading_has_ids_only(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    for name in ("2001_7001_assignment07.ipynb", "LATE_2002_7002_assignment07.ipynb"):
        (folder / name).write_text("{}")
    found = discover([str(folder)])
    assert [n for n, _ in found] == ["anonymous-2001", "anonymous-2002"]


def test_moodle_flat_files_and_the_older_folder_name(tmp_path):
    folder = tmp_path / "download"
    folder.mkdir()
    (folder / "Ana Silva_3001_assignsubmission_file_assignment07.ipynb").write_bytes((EXAMPLES / "reference.ipynb").read_bytes())
    (folder / "Bo Li_3002_assignsubmission_file_").mkdir()
    (folder / "Bo Li_3002_assignsubmission_file_" / "assignment07.ipynb").write_text("{}")
    assert [name for name, _ in discover([str(folder)])] == ["Ana_Silva-3001", "Bo_Li-3002"]


def test_a_students_folder_or_notebook_given_alone_keeps_its_name(exports):
    assert [n for n, _ in discover([str(exports["folder"] / "ana")])] == ["ana"]
    assert [n for n, _ in discover([str(exports["folder"] / "ana" / "assignment07.ipynb")])] == ["ana"]


def test_names_are_stable_and_distinct_across_kinds_and_forms(exports, tmp_path):
    together = discover([str(exports[k]) for k in sorted(exports)])
    names = [name for name, _ in together]
    assert len(names) == len(set(names)) == sum(len(v) for v in me.EXPORTS.values())
    again = discover([_as_zip(exports[k], tmp_path) for k in sorted(exports)])
    assert [name for name, _ in again] == names


def test_a_group_is_compared_once():
    pairs = [("a", "x.ipynb"), ("b", "x.ipynb"), ("c", "y.ipynb")]
    assert distinct_files(pairs) == [("a", "x.ipynb"), ("c", "y.ipynb")]


def test_origin_names():
    assert Origin("canvas", "ångströmzoë", "2003").wanted == "angstromzoe-2003"
    assert Origin("gradescope", "王伟", "", "wang@uni.example").wanted == "student-wang_uni.example"
    assert Origin("gradescope", "Ana Silva").wanted == "Ana Silva"  # no id: named (and made safe) as before
    assert Origin("folder", "zoë").wanted == "zoë"


@pytest.mark.parametrize("metadata, words", [
    ("- just\n- a list\n", "not a map of submission folders"),
    ("submission_1:\n  :score: 3\n", "has no list of :submitters:"),
    ("a: [unclosed\n", "not readable YAML"),
])
def test_a_broken_gradescope_metadata_file_is_a_one_line_error(tmp_path, metadata, words):
    (tmp_path / "submission_metadata.yml").write_text(metadata)
    with pytest.raises(DiscoveryError) as err:
        discover([str(tmp_path)])
    assert words in str(err.value) and "\n" not in str(err.value)


def test_gradescope_metadata_cannot_point_outside_its_folder(tmp_path):
    export = tmp_path / "export"
    (export / "submission_1").mkdir(parents=True)
    (export / "submission_1" / "assignment07.ipynb").write_text("{}")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "assignment07.ipynb").write_text("{}")
    (export / "submission_metadata.yml").write_text(
        "submission_1:\n  :submitters:\n  - :name: A\n    :sid: '1'\n"
        "../elsewhere:\n  :submitters:\n  - :name: B\n    :sid: '2'\n")
    found = discover([str(export)])
    assert [n for n, _ in found] == ["A-1"] and any("../elsewhere (B): no notebook, not graded" in n for n in found.notes)


def _zip(path, entries):
    """A zip of ``[(ZipInfo or name, bytes)]``."""
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return path


def _symlink(name, target):
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_zip_entries_that_could_leave_the_target_are_not_extracted(tmp_path):
    nb = (EXAMPLES / "reference.ipynb").read_bytes()
    path = _zip(tmp_path / "export.zip", [
        ("alice/assignment07.ipynb", nb), ("../escaped.ipynb", b"x"), ("/abs.ipynb", b"x"),
        ("C:\\win.ipynb", b"x"), ("a/../../up.ipynb", b"x"), _symlink("bob/assignment07.ipynb", "/etc/passwd"),
        ("alice/assignment07.ipynb", b"second entry, same name"), ("__MACOSX/alice/._assignment07.ipynb", b"x"),
    ])
    extracted = unzip.extract(path)
    files = sorted(str(p.relative_to(extracted.folder.parent)) for p in extracted.folder.parent.rglob("*") if p.is_file())
    assert files == ["export/alice/assignment07.ipynb"]
    assert (extracted.folder / "alice" / "assignment07.ipynb").read_bytes() == nb
    assert not any(p.is_symlink() for p in extracted.folder.rglob("*"))
    assert not (tmp_path / "escaped.ipynb").exists() and not (tmp_path.parent / "up.ipynb").exists()
    reasons = "\n".join(extracted.notes)
    for name in ("../escaped.ipynb", "/abs.ipynb", "C:\\\\win.ipynb", "a/../../up.ipynb"):
        assert f"{name}' not extracted (a path outside the export)" in reasons
    assert "'bob/assignment07.ipynb' not extracted (a symlink)" in reasons
    assert "(a second entry of the same name)" in reasons
    assert stat.S_IMODE(extracted.folder.parent.stat().st_mode) == 0o700
    found = discover([str(path)])
    assert [n for n, _ in found] == ["alice"] and any("a symlink" in n for n in found.notes)


def test_zip_caps(tmp_path, monkeypatch):
    many = _zip(tmp_path / "many.zip", [(f"s{i}/assignment07.ipynb", b"{}") for i in range(5)])
    monkeypatch.setattr(unzip, "MAX_ENTRIES", 4)
    with pytest.raises(DiscoveryError, match=r"many.zip: 5 entries \(at most 4\)"):
        discover([str(many)])
    monkeypatch.setattr(unzip, "MAX_ENTRIES", 100)
    bomb = _zip(tmp_path / "bomb.zip", [(f"s{i}/assignment07.ipynb", b"0" * 1000) for i in range(3)])
    monkeypatch.setattr(unzip, "MAX_TOTAL", 2500)
    with pytest.raises(DiscoveryError, match="bomb.zip: more than"):
        discover([str(bomb)])


def test_a_notebook_over_the_cap_is_cut_just_above_it_so_grading_refuses_it(tmp_path, monkeypatch):
    monkeypatch.setattr(unzip, "MAX_NOTEBOOK_BYTES", 100)
    extracted = unzip.extract(_zip(tmp_path / "big.zip", [("bob/assignment07.ipynb", b"1" * 10_000)]))
    assert (extracted.folder / "bob" / "assignment07.ipynb").stat().st_size == 101


def _mark_encrypted(path, name):
    """Set the "encrypted" flag of entry ``name`` in its local and central headers (zipfile cannot write one)."""
    data = bytearray(path.read_bytes())
    for signature, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        at = data.find(signature)
        while at >= 0:
            if data[at + name_at:at + name_at + len(name)] == name.encode():
                data[at + flag_at] |= 0x1
            at = data.find(signature, at + 1)
    path.write_bytes(bytes(data))
    return path


def test_encrypted_entries_are_left_out(tmp_path):
    path = _zip(tmp_path / "locked.zip", [("carol/assignment07.ipynb", b"{}"), ("dan/assignment07.ipynb", b"{}")])
    extracted = unzip.extract(_mark_encrypted(path, "carol/assignment07.ipynb"))
    assert [p.parent.name for p in extracted.folder.rglob("*.ipynb")] == ["dan"]
    assert any("'carol/assignment07.ipynb' not extracted (encrypted)" in n for n in extracted.notes)


@pytest.mark.parametrize("content, words", [(b"not a zip at all", "not a readable zip"), (None, "no notebook here")])
def test_unreadable_or_empty_zips_are_one_line_errors(tmp_path, content, words):
    path = tmp_path / "download.zip"
    if content is None:
        _zip(path, [("readme.txt", b"x")])
    else:
        path.write_bytes(content)
    with pytest.raises(DiscoveryError) as err:
        discover([str(path)])
    assert str(err.value).startswith(f"{path}: ") and words in str(err.value) and "\n" not in str(err.value)


def test_a_zipped_download_lists_students_without_a_notebook_as_the_folder_does(exports, tmp_path):
    for kind in ("canvas", "moodle"):
        from_folder, from_zip = discover([str(exports[kind])]), discover([_as_zip(exports[kind], tmp_path)])
        assert [n for n in from_zip.notes if "no notebook" in n] == [n for n in from_folder.notes if "no notebook" in n]
        assert any("no notebook" in n for n in from_zip.notes)
