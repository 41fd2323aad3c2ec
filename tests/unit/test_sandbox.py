"""The worker's sandbox, probed from inside through the real code path, without TensorFlow.

A zygote without the TensorFlow preload forks real sandboxes (:mod:`autograder.worker.zygote`); the
judge's real :class:`Worker` starts, drives and closes them; the probe is submission code run by the
worker's real operations, and reports what it can see and do.
"""
import dataclasses
import errno
import json
import os
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest

from conftest import ROOT
from autograder.judge.client import Worker, WorkerError, default_plan
from autograder.wire import cgroups
from autograder.worker.sandbox import HOMES
from autograder.wire.names import ZYGOTE_ENV
from autograder.wire.plan import LAUNCH_ENV, SANDBOX_HOME, Limits, Plan, launch_env, sandbox_env

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="confinement needs root (namespaces, mounts, uids)")
TMPFS = 4 * 2**20
SCRATCH = ("/tmp", "/var/tmp", "/dev/shm", SANDBOX_HOME)
FORKER_NAME = "nice-probe-fork"
ALL_NAMESPACES = 0x00020000 | 0x04000000 | 0x08000000 | 0x20000000 | 0x40000000
#: Zygotes by the namespaces the kernel refuses them (0: none refused, as on this machine).
REFUSED = {"normal": 0, "no_pid_namespace": 0x20000000, "no_namespaces": ALL_NAMESPACES}


def _refusing(flags):
    """Code that makes the sandbox's unshare() fail for ``flags``, as a restricted container would."""
    return f"""
import errno
from autograder.worker import sandbox
real = sandbox._unshare
def refuse(flags):
    if flags & {flags}:
        raise OSError(errno.EPERM, "refused by the test")
    real(flags)
sandbox._unshare = refuse
"""


# Submission code: ``outlier_score(probe, arg)`` runs one probe and returns its findings as JSON.
PROBE = r'''
import ctypes, errno, json, os, sys, time

def _walk(read_only):
    """Every path outside the read-only roots (not descending into /proc), and the writable folders."""
    entries, writable = [], []
    for top, dirs, files in os.walk("/"):
        dirs[:] = [d for d in dirs if os.path.join(top, d) not in ("/proc",)
                   and os.path.join(top, d) not in read_only]
        for name in dirs + files:
            entries.append(os.path.join(top, name))
        try:
            with open(os.path.join(top, ".probe"), "w"):
                writable.append(top)
        except OSError:
            pass
    for root in read_only:
        try:
            with open(os.path.join(root, ".probe") if os.path.isdir(root) else root, "a"):
                writable.append(root)
        except OSError:
            pass
    return {"entries": entries, "writable": writable,
            "links": {e: os.path.realpath(e) for e in entries if os.path.islink(e)}}

def _read(paths):
    found = {}
    for path in paths:
        try:
            with open(path, "rb") as f:
                found[path] = f.read(64).decode("latin1")
        except OSError as err:
            pass
    try:
        import autograder.judge.graders  # noqa: F401
        found["import autograder.judge.graders"] = "imported"
    except ImportError:
        pass
    return found

def _fill(folders):
    result = {}
    for folder in folders:
        fd, written, code = os.open(os.path.join(folder, "fill"), os.O_WRONLY | os.O_CREAT, 0o600), 0, None
        try:
            while True:
                written += os.write(fd, b"x" * 262144)
        except OSError as err:
            code = err.errno
        os.close(fd)
        os.unlink(os.path.join(folder, "fill"))
        result[folder] = [written, code]
    return result

def _environment(_):
    try:
        proc_environ = open("/proc/self/environ", "rb").read().decode("latin1")
    except OSError as err:
        proc_environ = f"unreadable: {err.strerror}"
    return {"environ": dict(os.environ), "proc_environ": proc_environ, "argv": sys.argv,
            "orig_argv": sys.orig_argv, "cmdline": open("/proc/self/cmdline", "rb").read().decode("latin1"),
            "hostname": os.uname().nodename, "uid": os.getuid(), "pid": os.getpid(), "cwd": os.getcwd(),
            "home": sorted(os.listdir(os.path.expanduser("~")))}

def _processes(_):
    seen = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                status = dict(line.split(":", 1) for line in open(f"/proc/{entry}/status"))
                seen[entry] = [status["Name"].strip(), int(status["Uid"].split()[0])]
            except (OSError, KeyError):
                pass
    return seen

def _drop(folders):
    for folder in folders:
        with open(os.path.join(folder, "left-by-another-sandbox"), "w") as f:
            f.write("secret")
    return "dropped"

def _look(folders):
    return [f for f in folders if os.path.exists(os.path.join(f, "left-by-another-sandbox"))]

def _forker(name):
    """A grandchild that leaves the session and re-forks every 10 ms (its parent exits each time)."""
    if os.fork() == 0:
        os.setsid()
        while True:
            if os.fork():
                os._exit(0)
            os.setsid()
            ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME
            time.sleep(0.01)
    return "started"

def _channels(shared):
    """Try every kernel object two sandboxes could share, on ``shared`` (a file every sandbox binds)."""
    import fcntl, socket, struct, subprocess, threading
    libc = ctypes.CDLL(None, use_errno=True)
    def call(fn):
        try:
            out = fn()
        except OSError as err:
            return err.errno
        if isinstance(out, int) and out < 0:
            return ctypes.get_errno()
        return "allowed"
    fd = os.open(shared, os.O_RDONLY)
    lock = struct.pack("hh4xqqi4x", fcntl.F_RDLCK, 0, 0, 1, 0)
    tried = {
        "flock": lambda: fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB),
        "F_SETLK": lambda: fcntl.fcntl(fd, fcntl.F_SETLK, lock),
        "F_GETLK": lambda: fcntl.fcntl(fd, fcntl.F_GETLK, lock),
        "F_OFD_SETLK": lambda: fcntl.fcntl(fd, 37, lock),
        "F_OFD_GETLK": lambda: fcntl.fcntl(fd, 36, lock),
        "F_SETLEASE": lambda: fcntl.fcntl(fd, 1024, fcntl.F_RDLCK),
        "F_NOTIFY": lambda: fcntl.fcntl(os.open("/tmp", os.O_RDONLY), 1026, 1),
        "inotify_init1": lambda: libc.inotify_init1(0),
        "fanotify_init": lambda: libc.fanotify_init(0, 0),
        "AF_INET": lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM),
        "AF_INET6": lambda: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM),
        "AF_NETLINK": lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW),
        "abstract AF_UNIX bind": lambda: socket.socket(socket.AF_UNIX).bind("\0nice-probe"),
        "AF_UNIX connect": lambda: socket.socket(socket.AF_UNIX).connect("\0nice-probe"),
        "mkfifo": lambda: os.mkfifo(os.path.join(os.getcwd(), "fifo")),
        "msgget": lambda: libc.msgget(0, 0o1666),
        "semget": lambda: libc.semget(0, 1, 0o1666),
        "shmget": lambda: libc.shmget(0, 4096, 0o1666),
        "mq_open": lambda: libc.syscall(240, b"nice-probe", os.O_CREAT | os.O_RDWR, 0o666, None),
        "keyctl": lambda: libc.syscall(250, 0, -3, 0, 0, 0),
        "add_key": lambda: libc.syscall(248, b"user", b"nice-probe", b"memo", 4, -3),
        "ptrace": lambda: libc.ptrace(0, 0, 0, 0),
        "process_vm_readv": lambda: libc.syscall(310, 1, 0, 0, 0, 0, 0),
        "perf_event_open": lambda: libc.syscall(298, 0, 0, -1, -1, 0),
        "bpf": lambda: libc.syscall(321, 0, 0, 0),
        "userfaultfd": lambda: libc.syscall(323, 0),
        "io_uring_setup": lambda: libc.syscall(425, 1, None),
        "unshare": lambda: libc.unshare(0x00020000),
        "unshare user": lambda: libc.unshare(0x10000000),
        "setns": lambda: libc.setns(0, 0),
        "clone with CLONE_NEWUSER": lambda: libc.syscall(56, 0x10000000 | 17, 0, 0, 0, 0),
        "mount": lambda: libc.mount(b"none", b"/tmp", b"tmpfs", 0, None),
        "name_to_handle_at": lambda: libc.syscall(303, -100, b"/", 0, 0, 0),
        "pidfd_getfd": lambda: libc.syscall(438, 0, 0, 0),
        "clone3": lambda: libc.syscall(435, 0, 0),
        "mincore": lambda: libc.mincore(None, 0, None),
        "cachestat": lambda: libc.syscall(451, fd, None, None, 0),
        "preadv2 RWF_NOWAIT": lambda: os.preadv(fd, [bytearray(16)], 0, os.RWF_NOWAIT),
    }
    found = {name: call(fn) for name, fn in tried.items()}
    works = {}
    works["socketpair"] = call(socket.socketpair)
    ran = []
    thread = threading.Thread(target=lambda: ran.append(1))
    thread.start()
    thread.join()
    works["thread"] = "allowed" if ran else "did not run"
    works["subprocess"] = call(lambda: subprocess.run(["true"], check=True))
    works["F_GETFL"] = call(lambda: fcntl.fcntl(fd, fcntl.F_GETFL))
    return {"refused": found, "works": works}

def _hold_memory(spec):
    """``[children, mib]``: that many children each hold ``mib`` MiB (written) and sleep; returns a second after
    all hold it (a sampled budget sees it within that second)."""
    children, mib = spec
    r, w = os.pipe()
    for _ in range(children):
        if os.fork() == 0:
            block = b"x" * (mib * 2**20)
            os.write(w, b"!")
            time.sleep(3600)
            os._exit(0)
    held = 0
    while held < children:
        held += len(os.read(r, children))
    time.sleep(1)
    return "holding"

def _spawn(limit):
    """Fork sleeping children until ``limit`` or a refusal: ``[children started, errno or None]``."""
    started = 0
    try:
        for _ in range(limit):
            if os.fork() == 0:
                time.sleep(3600)
                os._exit(0)
            started += 1
    except OSError as err:
        return [started, err.errno]
    return [started, None]

PROBES = {"walk": _walk, "read": _read, "fill": _fill, "environment": _environment, "processes": _processes,
          "drop": _drop, "look": _look, "forker": _forker, "hold_memory": _hold_memory, "spawn": _spawn,
          "channels": _channels}

def outlier_score(probe, arg):
    return json.dumps(PROBES[probe](arg))
'''


def _start_zygote(path, prelude=""):
    code = (f"{prelude}\nfrom autograder.worker.zygote import listen, serve_forever\n"
            f"serve_forever(listen({str(path)!r}))")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=launch_env(os.environ),
                            stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not os.path.exists(path) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert os.path.exists(path), "the zygote did not start"
    return proc


@pytest.fixture(scope="module")
def zygotes(tmp_path_factory):
    """Zygotes without TensorFlow, by :data:`REFUSED`; ``{kind: socket path}``."""
    folder = tmp_path_factory.mktemp("zygote")
    procs = {kind: _start_zygote(folder / f"{kind}.sock", _refusing(flags) if flags else "")
             for kind, flags in REFUSED.items()}
    yield {kind: str(folder / f"{kind}.sock") for kind in procs}
    for proc in procs.values():
        proc.kill()
        proc.wait()


@pytest.fixture
def sandbox(zygotes, monkeypatch):
    """``sandbox(kind="normal")``: a started worker with the probe loaded; closed at the end."""
    workers = []

    def start(kind="normal", **limits):
        monkeypatch.setenv(ZYGOTE_ENV, zygotes[kind])
        plan = dataclasses.replace(default_plan(), limits=Limits(tmpfs_bytes=TMPFS, **limits))
        worker = Worker(SimpleNamespace(cells=[{"grade_id": "probe", "code": PROBE}], problems={}), plan=plan)
        workers.append(worker)
        worker.start()
        assert worker.load_status == {"probe": "ok"}
        return worker

    yield start
    for worker in workers:
        worker.close()


def probe(worker, name, arg=None):
    return json.loads(worker.request("func", name="outlier_score", args=[name, arg]))


def _host_processes():
    """{pid: (name, real uid)} of every process on the machine."""
    seen = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/status") as f:
                    status = dict(line.split(":", 1) for line in f)
                seen[int(entry)] = (status["Name"].strip(), int(status["Uid"].split()[0]), status["State"].split()[0])
            except (OSError, KeyError):
                pass
    return seen


def _uid(worker):
    return int(worker.isolation["user"].split()[1])


def _inside(path, root):
    return path == root or path.startswith(root.rstrip("/") + "/")


def test_filesystem_is_the_allowlist_only(sandbox):
    worker = sandbox()
    fs = worker.isolation["filesystem"]
    read_only = fs["read_only"]
    assert str(ROOT) not in read_only and "/root" not in read_only and "/work" not in read_only
    assert set(fs["tmpfs"]) == set(SCRATCH)
    found = probe(worker, "walk", read_only)
    allowed = [*read_only, *SCRATCH, *fs["devices"], "/proc"]
    # symlinks on the way to an allowlisted path are recreated (a venv that links elsewhere), with their folders
    links = {link: target for link, target in found["links"].items() if any(_inside(target, r) for r in read_only)}
    for entry in found["entries"]:
        assert (any(_inside(entry, root) or _inside(root, entry) for root in allowed)
                or entry in ("/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr")
                or any(_inside(link, entry) for link in links)), f"{entry} is not allowlisted"
    assert set(found["writable"]) == set(SCRATCH)


def test_nothing_of_the_host_is_readable(sandbox, tmp_path):
    marker = tmp_path / "host-tmp-marker"
    marker.write_text("host")
    host_tmp = os.path.join("/tmp", f"nice-sandbox-test-{os.getpid()}")
    with open(host_tmp, "w") as f:
        f.write("host /tmp")
    try:
        worker = sandbox()
        secrets = [str(ROOT / "assignments/assignment07/graders/test_model.py"), str(ROOT / "assignments/assignment07/calibration.json"),
                   str(ROOT / "source/assignment07/assignment07.ipynb"), str(ROOT / "solutions/assignment07/assignment07.ipynb"),
                   str(ROOT / ".git/HEAD"), str(ROOT / "README.md"), str(ROOT / "tests/fixtures/make_hostile.py"),
                   str(marker), host_tmp, "/root/.bashrc", "/etc/shadow", "/etc/passwd", "/etc/hostname",
                   "/proc/1/environ", "/proc/1/cmdline", "/sys/class/net/lo/address"]
        assert probe(worker, "read", secrets) == {}
    finally:
        os.unlink(host_tmp)


def test_private_tmpfs_mounts_stop_at_their_size(sandbox):
    worker = sandbox()
    for folder, (written, code) in probe(worker, "fill", list(SCRATCH)).items():
        assert code == errno.ENOSPC, folder
        assert TMPFS - 2**18 <= written <= TMPFS, folder


def test_environment_holds_only_the_allowlist(sandbox):
    worker = sandbox()
    seen = probe(worker, "environment")
    allowed = set(LAUNCH_ENV) | set(sandbox_env()) | {default_plan().quick_env}
    assert set(seen["environ"]) == allowed
    assert seen["environ"]["HOME"] == seen["cwd"] == SANDBOX_HOME
    assert seen["home"] == ["nice_helpers.py"]
    environ = seen["proc_environ"]
    assert environ.startswith("unreadable") or not environ.strip("\0"), environ[:200]
    for text in (seen["cmdline"], " ".join(seen["argv"]), " ".join(seen["orig_argv"])):
        assert "autograder" not in text and "--" not in text and str(ROOT) not in text, text[:200]
    assert seen["hostname"] == "sandbox" and seen["uid"] >= 200000
    assert set(worker.isolation["environment"]) == allowed


def test_proc_shows_only_the_sandbox(sandbox):
    worker = sandbox()
    seen = probe(worker, "processes")
    uid = _uid(worker)
    assert seen and all(owner == uid for _, owner in seen.values()), seen
    assert "1" not in seen  # the init (root) is invisible
    assert probe(worker, "environment")["pid"] == 2  # pid 1 is the sandbox's init
    assert worker.isolation["namespaces"] == {"pid": worker.isolation["namespaces"]["pid"], "mount": "own",
                                              "network": "own", "ipc": "own", "uts": "own"}
    assert worker.isolation["network"].startswith("none")


def test_two_sandboxes_share_nothing(sandbox):
    first, second = sandbox(), sandbox()
    assert _uid(first) != _uid(second)
    assert probe(first, "drop", list(SCRATCH)) == "dropped"
    assert probe(second, "look", list(SCRATCH)) == []
    assert probe(first, "look", list(SCRATCH)) == list(SCRATCH)


@pytest.mark.parametrize("kind", list(REFUSED))
def test_no_process_survives_close(sandbox, kind):
    worker = sandbox(kind)
    uid = _uid(worker)
    assert worker.isolation["namespaces"]["pid"].startswith("own" if kind == "normal" else "NOT isolated")
    assert probe(worker, "forker", FORKER_NAME) == "started"
    deadline = time.monotonic() + 5
    while not any(name == FORKER_NAME for name, _, _ in _host_processes().values()):
        assert time.monotonic() < deadline, "the forking grandchild never ran"
        time.sleep(0.02)
    worker.close()
    left = {pid: p for pid, p in _host_processes().items()
            if (p[0] == FORKER_NAME or p[1] == uid) and p[2] != "Z"}
    assert not left, f"processes outlived the sandbox: {left}"


def test_a_dead_judge_ends_its_sandbox(sandbox):
    """The init watches the channel: closing only the judge's socket (as its death does) ends everything."""
    worker = sandbox()
    uid = _uid(worker)
    probe(worker, "forker", FORKER_NAME)
    worker.sock.close()
    worker.sock = None
    deadline = time.monotonic() + 5
    while any(p[1] == uid and p[2] != "Z" for p in _host_processes().values()):
        assert time.monotonic() < deadline, "the sandbox outlived its judge's channel"
        time.sleep(0.02)
    worker.close()
    assert not worker.events, "the init had to be killed"


def test_refused_namespaces_are_reported_and_the_worker_still_serves(sandbox):
    worker = sandbox("no_namespaces")
    iso = worker.isolation
    assert all(note.startswith("NOT isolated") for note in iso["namespaces"].values()), iso["namespaces"]
    assert iso["filesystem"].startswith("NOT confined") and iso["network"].startswith("none (the syscall filter")
    seen = probe(worker, "environment")
    assert seen["cwd"] == seen["environ"]["HOME"] != SANDBOX_HOME and seen["home"] == ["nice_helpers.py"]
    home = os.stat(seen["cwd"])
    assert os.path.dirname(seen["cwd"]) == HOMES and os.stat(HOMES).st_mode & 0o777 == 0o711
    assert (home.st_uid, home.st_mode & 0o777) == (_uid(worker), 0o700)
    assert set(seen["environ"]) == set(LAUNCH_ENV) | set(sandbox_env()) | {default_plan().quick_env} and seen["uid"] == _uid(worker)
    home = seen["cwd"]
    worker.close()
    assert not os.path.exists(home), "the temporary working directory was left behind"


@pytest.mark.parametrize("kind", ["normal", "no_namespaces"])
def test_syscall_filter_refuses_every_shared_kernel_object(sandbox, kind):
    """Locks, leases, notifications, IPC, keyrings, sockets, namespaces: EPERM (clone3: ENOSYS); the rest works."""
    worker = sandbox(kind)
    assert isinstance(worker.isolation["syscalls"], dict), worker.isolation["syscalls"]
    seen = probe(worker, "channels", "/etc/ld.so.cache")  # a host file every sandbox reads
    expected = {name: errno.ENOSYS if name == "clone3" else errno.EPERM for name in seen["refused"]}
    assert seen["refused"] == expected
    assert seen["works"] == {"socketpair": "allowed", "thread": "allowed", "subprocess": "allowed",
                             "F_GETFL": "allowed"}


def _no_cgroup(monkeypatch):
    """The judge cannot make cgroups, as in a container whose cgroup file system is read-only."""
    monkeypatch.setattr(cgroups, "create", lambda limits: (None, "refused by the test"))


@pytest.mark.parametrize("kind", ["normal", "no_namespaces", "no_cgroup"])
def test_memory_budget_holds_for_all_processes_together(sandbox, kind, monkeypatch):
    """Four children holding 64 MiB each, under a budget of 160 MiB: the whole sandbox is ended, and says why."""
    if kind == "no_cgroup":
        _no_cgroup(monkeypatch)
    worker = sandbox("normal" if kind == "no_cgroup" else kind, sandbox_memory_bytes=160 * 2**20)
    uid, group = _uid(worker), worker.group
    budgets = worker.isolation["budgets"]
    if kind == "no_cgroup":
        assert budgets["mechanism"] == "NO cgroup (refused by the test)" and "sampled" in budgets["memory"]
    else:
        assert budgets["mechanism"].startswith("cgroup v") and group is not None
    with pytest.raises(WorkerError) as raised:
        probe(worker, "hold_memory", [4, 64])
    assert raised.value.message.startswith("MemoryError: the sandbox went over its memory budget (160 MiB")
    assert any("was ended during 'func'" in e for e in worker.events), worker.events
    assert worker.sock is None and worker.group is None  # closed: the next request starts a new sandbox
    assert not [p for p in _host_processes().values() if p[1] == uid and p[2] != "Z"]
    assert not group or not any(os.path.exists(folder) for folder in group.folders)
    assert probe(worker, "hold_memory", [1, 16]) == "holding"  # a new sandbox, within the budget


def test_every_process_is_in_the_sandboxs_cgroup_and_it_is_removed_at_close(sandbox):
    worker = sandbox(processes=64)
    uid, folders = _uid(worker), worker.group.folders
    assert worker.isolation["budgets"]["mechanism"].startswith("cgroup v")
    started, code = probe(worker, "spawn", 200)
    assert code == errno.EAGAIN and 32 < started < 64, (started, code)  # the server's threads count too
    members = [pid for pid, p in _host_processes().items() if p[1] == uid]
    assert len(members) > started
    for pid in members:
        with open(f"/proc/{pid}/cgroup") as f:
            assert f.read().count(cgroups.PREFIX) == len(folders), pid  # every hierarchy's group
    worker.close()
    assert not any(os.path.exists(folder) for folder in folders)
    assert not cgroups.sweep()
