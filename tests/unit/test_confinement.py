"""What a grading run says about its isolation, and how it closes the course without namespaces."""
import os
import stat

import pytest

from autograder import cli
from autograder.worker import confinement

FULL = {"user": "uid 200123 (unprivileged, from the uid counter; at most 512 processes)",
        "namespaces": {"pid": "own: every process ...", "mount": "own", "network": "own", "ipc": "own", "uts": "own"},
        "filesystem": {"root": "allowlist: ..."}, "syscalls": {"filter": "seccomp ..."},
        "limits": {"memory_mib": 6144},
        "budgets": {"mechanism": "cgroup v1 per sandbox: ...", "memory": "the cgroup's limit ...", "cpu": "..."}}
NO_NAMESPACES = {**FULL, "namespaces": {name: "NOT isolated ([Errno 1] Operation not permitted)"
                                        for name in FULL["namespaces"]},
                 "filesystem": "NOT confined (...): the host's, working directory /run/nice-sandboxes/x",
                 "budgets": {"mechanism": "NO cgroup (cgroup v1 refused (Read-only file system))",
                             "memory": "2048 MiB for all its processes together, sampled every 0.2 s (...)",
                             "cpu": "the kernel's autogroup: the sandbox is a session of its own"}}
NOTHING = {**NO_NAMESPACES, "user": "uid 1000 (not root: could not switch user)", "syscalls": "NOT filtered (...)"}


CGROUP = "cgroup per sandbox (memory, processes, CPU share)"
SAMPLED = "no cgroup: memory sampled and processes capped per sandbox uid, CPU by autogroup"


def test_full_isolation_is_one_plain_line(monkeypatch):
    monkeypatch.setattr(confinement.cgroups, "probe", lambda: True)
    assert confinement.line(FULL) == f"isolation: namespaces+allowlist root, uid 200123, seccomp, rlimits, {CGROUP}"
    assert confinement.line(FULL, per_sandbox=True) == confinement.expected_line("namespaces") == \
        f"isolation: namespaces+allowlist root, uid per sandbox, seccomp, rlimits, {CGROUP}"
    assert not confinement.is_degraded(confinement.line(FULL))


def test_degraded_isolation_says_so_first(monkeypatch):
    monkeypatch.setattr(confinement.cgroups, "probe", lambda: False)
    monkeypatch.setattr(confinement.cgroups, "autogroup", lambda: True)
    line = confinement.line(NO_NAMESPACES)
    assert line == (f"isolation: DEGRADED — uid 200123, seccomp, rlimits, {SAMPLED}; "
                    "no pid/mount/network/ipc/uts namespaces, the host's filesystem")
    assert confinement.line(NO_NAMESPACES, per_sandbox=True) == confinement.expected_line("uid")
    assert confinement.line(NOTHING).startswith("isolation: NONE — NO uid switch (runs as the instructor), "
                                                "NO syscall filter, rlimits")
    assert confinement.expected_line("none").startswith("isolation: NONE")
    assert all(confinement.is_degraded(confinement.line(iso)) for iso in (NO_NAMESPACES, NOTHING))
    assert confinement.line({}) == "isolation: none reported (no worker ran this submission's code)"


def test_probe_matches_what_the_kernel_allows():
    mode = confinement.probe()
    assert mode in ("namespaces", "uid", "none")
    assert (mode == "none") == (mode != "namespaces" and os.geteuid() != 0)


def _mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_guard_closes_all_but_the_way_to_python_and_restores(tmp_path, monkeypatch):
    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    (course / "env" / "venv" / "lib").mkdir(parents=True)
    (course / "env" / "other").mkdir()
    (course / "README.md").write_text("x")
    secret = tmp_path / "secret"
    secret.write_text("s")
    results = tmp_path / "results"
    results.mkdir()
    for path in (course, course / "source", course / "env", course / "env" / "venv", course / "env" / "other",
                 results):
        path.chmod(0o755)
    (course / "README.md").chmod(0o644)
    secret.chmod(0o644)
    before = {p: _mode(p) for p in tmp_path.rglob("*")}
    monkeypatch.setattr(confinement, "_python_prefixes", lambda: [str(course / "env" / "venv")])
    monkeypatch.setattr(confinement, "unreadable", lambda prefixes: [])  # pytest's 0700 folder above tmp_path
    with confinement.guard("uid", [secret, results], top=str(course)) as notes:
        assert {p: _mode(p) for p in (course, course / "env")} == {course: 0o711, course / "env": 0o711}
        assert _mode(course / "env" / "venv") == 0o755  # the Python installation stays readable
        assert {_mode(p) for p in (course / "source", course / "env" / "other", results)} == {0o700}
        assert {_mode(p) for p in (course / "README.md", secret)} == {0o600}
        assert notes[0].startswith("WARNING: no namespaces: 7 paths closed to the sandbox uids") and len(notes) == 1
        assert "world-writable host folders" in notes[0]  # a channel left open outside a container
    assert {p: _mode(p) for p in tmp_path.rglob("*")} == before
    with confinement.guard("namespaces", [secret], top=str(course)) as notes:
        assert notes == [] and _mode(secret) == 0o644


def test_grade_refuses_to_run_unconfined_unless_allowed(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(confinement, "probe", lambda: "none")
    notebook = tmp_path / "student.ipynb"
    notebook.write_text("{}")
    with pytest.raises(SystemExit) as exit_:
        cli.main(["grade", str(notebook), "--out", str(tmp_path / "out")])
    assert exit_.value.code == 2
    assert "no confinement is possible here" in capsys.readouterr().err and "--allow-unconfined" in confinement.REFUSAL
    assert not (tmp_path / "out").exists()

