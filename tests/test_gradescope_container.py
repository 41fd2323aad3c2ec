"""A Gradescope container on this machine: the bundle's own run_autograder, root without CAP_SYS_ADMIN, no namespaces.

Each run gets a private mount namespace (``unshare -m``, as root) where a temporary folder is bound over
``/autograder`` with the unpacked bundle in ``source/``, the virtual environment bound at
``/autograder/venv``, and every top-level folder but the operating system's (``/usr``, ``/etc``, ``/var``,
...) hidden under an empty tmpfs mount (``/tmp``, ``/var/tmp`` and ``/dev/shm`` too), the Python
installation bound back where it was: only what a Gradescope image holds is there, whatever else this
machine holds (another checkout of the course, say).  The cgroup file system is read-only, as Docker
mounts it.  Then, as Docker's defaults do, ``capsh`` drops CAP_SYS_ADMIN and CAP_SYS_PTRACE and a
seccomp filter refuses namespaces (unshare, setns, clone with namespace flags; clone3 fails with
ENOSYS) before ``run_autograder`` is executed.  The sandbox falls back to a uid of its own, its limits,
its syscall filter and its memory sampled by its init; the runner closes the course to it.  Graded there: the
reference (full marks) and hostile submissions, each at most its honest score.
"""
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from unittest import mock

import pytest

from conftest import ROOT
from autograder.gradescope import bundle
from autograder.worker import confinement

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import make_hostile  # noqa: E402
from hostile_channels import SECRET  # noqa: E402
from hostile_judge import BACKWARD_ADDS_FAILS  # noqa: E402
from hostile_kit import Hostile, _append, _both  # noqa: E402

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.geteuid() != 0 or not (shutil.which("capsh") and shutil.which("unshare")),
                                 reason="needs root, capsh and unshare (util-linux)")]
MOUNTPOINT = Path("/autograder")
RUN_TIMEOUT_S = 150
GRADED = {"hostile_blank_steals_reference", "hostile_twin_lock_channel", "hostile_fork_memory"}
#: One container run for three attacks of the bank at once (each run costs about 50 s): it writes a fake
#: /autograder/results/results.json, and would sabotage itself if it could read the course secret or
#: reach the network.  Honestly it earns full marks.
ESCAPES = Hostile("hostile_container_escapes", _both(
    _append("outlier_score", make_hostile.FAKE_RESULTS),
    _append("outlier_score", make_hostile.COURSE_ROOTS + SECRET + make_hostile.SABOTAGE_IF_LEAKED),
    _append("coupling_layer", make_hostile.NETWORK)))

#: Docker's default seccomp profile, for what matters here: no namespaces for anybody in the container.
DOCKER_SECCOMP = """
import errno, os, sys
import pyseccomp as s
f = s.SyscallFilter(s.ALLOW)
for name in ("unshare", "setns", "mount", "umount2", "pivot_root"):
    f.add_rule(s.ERRNO(errno.EPERM), name)
for flag in (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000):
    f.add_rule(s.ERRNO(errno.EPERM), "clone", s.Arg(0, s.MASKED_EQ, flag, flag))
f.add_rule(s.ERRNO(errno.ENOSYS), "clone3")
f.load()
os.execvp(sys.argv[1], sys.argv[1:])
"""

#: Top-level folders a Gradescope image shares with this machine: the operating system's.  Every other one
#: (the course checkouts, /home, /opt, /root, /srv, /mnt, ...) is hidden: an allowlist, whatever this
#: machine holds.
SYSTEM_FOLDERS = {"bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "run", "sbin", "sys", "usr", "var"}

#: Runs as root in a new mount namespace: $1 stage, $2 venv, $3 Python installation, then folders to hide.
CONTAINER = r"""
set -euo pipefail
stage=$1 venv=$2 python=$3
shift 3
mount --make-rprivate /
mount --bind "$stage/autograder" /autograder
mount --bind "$venv" /autograder/venv
mount -o remount,bind,ro /autograder/venv
mkdir -p "$stage/python"
mount --bind "$python" "$stage/python"
for d in "$@"; do if [ -d "$d" ]; then mount -t tmpfs -o mode=0711 tmpfs "$d"; fi; done
if [ ! -d "$python/lib" ]; then mkdir -p "$python" && mount --bind "$stage/python" "$python"; fi
for d in /tmp /var/tmp /dev/shm; do mount -t tmpfs -o mode=1777 tmpfs "$d"; done
for m in $(findmnt -rn -o TARGET -R /sys/fs/cgroup); do mount -o remount,bind,ro "$m"; done
exec capsh --drop=cap_sys_admin,cap_sys_ptrace -- -c \
  'exec /autograder/venv/bin/python -c "$DOCKER_SECCOMP" bash /autograder/source/run_autograder'
"""


@pytest.fixture(scope="module")
def container(tmp_path_factory):
    """``run(notebook) -> (results.json data, stdout)`` through a fresh container each time."""
    if MOUNTPOINT.exists():
        pytest.skip("/autograder exists on this machine")
    stage = tmp_path_factory.mktemp("gradescope")
    root = stage / "autograder"
    for sub in ("source", "submission", "results", "venv"):
        (root / sub).mkdir(parents=True)
    with zipfile.ZipFile(bundle(stage / "bundle.zip")) as zf:
        zf.extractall(root / "source")
    (root / "source" / "run_autograder").chmod(0o755)
    hostile = make_hostile.build(stage / "hostile", [h for h in make_hostile.BANK if h.name in GRADED] + [ESCAPES])
    env = dict(os.environ, DOCKER_SECCOMP=DOCKER_SECCOMP)
    env.pop("AUTOGRADER_COURSE_SECRET", None)
    venv, python = os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)
    hidden = sorted(str(p) for p in Path("/").iterdir()
                    if p.is_dir() and not p.is_symlink() and p.name not in SYSTEM_FOLDERS | {"autograder", "tmp"})
    hidden += [str(ROOT), os.path.dirname(venv)]  # the course checkouts, should they lie in a system folder

    def run(notebook):
        for sub in ("submission", "results"):
            shutil.rmtree(root / sub)
            (root / sub).mkdir()
        shutil.copy(notebook, root / "submission" / "assignment07.ipynb")
        proc = subprocess.run(["unshare", "-m", "bash", "-c", CONTAINER, "container", str(stage), venv, python,
                               *hidden], env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return json.loads((root / "results" / "results.json").read_text()), proc.stdout

    MOUNTPOINT.mkdir()
    try:
        yield run, hostile
    finally:
        MOUNTPOINT.rmdir()


def _failed(data):
    return {t["id"] for t in data["tests"] if t["score"] < t["max_score"]}


def test_container_grades_confined_without_namespaces(container):
    run, hostile = container
    data, stdout = run(ROOT / "source/assignment07/assignment07.ipynb")
    assert data["score"] == sum(t["max_score"] for t in data["tests"]) > 0, _failed(data)
    # a uid of its own, the syscall filter and the limits, said first on stdout and in results.json
    with mock.patch.object(confinement.cgroups, "probe", lambda: False):  # its cgroup file system is read-only
        expected = confinement.expected_line("uid")
    assert data["isolation"] == expected and "seccomp, rlimits, no cgroup: memory sampled" in data["isolation"]
    assert stdout.splitlines()[0] == "WARNING: " + expected, stdout[:500]
    assert "cannot enter" not in stdout, stdout  # the Python installation is readable to the sandbox uids

    # reads the reference's solution cells from the bundle's copy of the source notebook and runs them
    data, _ = run(hostile["hostile_blank_steals_reference"])
    assert data["score"] == 0, [t["output"][:200] for t in data["tests"] if t["score"]]
    # writes a fake results.json; would sabotage itself if it could read the course secret or reach the network
    data, _ = run(hostile["hostile_container_escapes"])
    hashes = (data["submission_sha256"], data["grader_version"])  # hex digits, which may hold a "999" of their own
    assert not _failed(data) and "999" not in json.dumps(data).replace(hashes[0], "").replace(hashes[1], ""), \
        _failed(data)
    # the main worker and its twin pass a memo through OFD locks on a venv file, to hide a bug
    data, _ = run(hostile["hostile_twin_lock_channel"])
    assert _failed(data) == BACKWARD_ADDS_FAILS
    # children holding 3.2 GB in all: without a cgroup the init samples the sandbox's memory and ends it
    data, _ = run(hostile["hostile_fork_memory"])
    assert _failed(data) == make_hostile.ALL_TESTS and "memory budget" in json.dumps(data), _failed(data)
