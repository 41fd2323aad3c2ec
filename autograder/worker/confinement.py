"""What confinement a grading run gets, said in one line; without namespaces, the course closed to the sandboxes.

:func:`probe` tells before grading what this machine allows: ``"namespaces"`` (the allowlisted root
of :mod:`.sandbox`), ``"uid"`` (root but no namespaces, as in Gradescope's containers: a sandbox uid,
the limits and the syscall filter only) or ``"none"`` (neither: student code would run as the
instructor).  :func:`line` says what a worker reported, in one line.  In the ``"uid"`` case
:func:`guard` makes the course's private paths (graders, reference, course secret, results,
submissions) unreadable and unwritable to every uid but their owner's while the workers run, and
leaves the Python installations readable.
"""
import ctypes
import os
import stat
import sys
from contextlib import contextmanager

from ..wire import cgroups
from . import syscalls

#: What the sandbox unshares (mount, UTS, IPC, pid, network).
NAMESPACES = 0x00020000 | 0x04000000 | 0x08000000 | 0x20000000 | 0x40000000
#: World-writable host folders: without a mount namespace, a channel between two sandboxes' uids.
SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
OPEN_CHANNELS = ("the host's /proc (other processes' names and command lines)",
                 "timing and load (CPU, memory)")
REFUSAL = ("no confinement is possible here (the kernel refuses namespaces and this is not root): the "
           "submissions' code would run as you, with your files and network; run as root (or where "
           "namespaces are allowed), or pass --allow-unconfined to grade anyway")


class Unconfined(Exception):
    """Grading was refused: nothing can confine student code here and the instructor did not allow it."""


def probe():
    """``"namespaces"``, ``"uid"`` or ``"none"``: the confinement a sandbox started now would get."""
    pid = os.fork()
    if pid == 0:
        os._exit(0 if ctypes.CDLL(None, use_errno=True).unshare(NAMESPACES) == 0 else 1)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == 0:
        return "namespaces"
    return "uid" if os.geteuid() == 0 else "none"


def _budgets(kind, autogroup):
    """How the sandbox's budgets hold for all its processes: ``kind`` "cgroup", "sampled" or None."""
    if kind == "cgroup":
        return "cgroup per sandbox (memory, processes, CPU share)"
    cpu = "CPU by autogroup" if autogroup else "NO CPU share per sandbox"
    if kind == "sampled":
        return f"no cgroup: memory sampled and processes capped per sandbox uid, {cpu}"
    return f"NO memory or process budget per sandbox, {cpu}"


def _describe(missing, allowlist_root, uid, filtered, limits, budgets):
    parts = [uid and f"uid {uid}" or "NO uid switch (runs as the instructor)",
             "seccomp" if filtered else "NO syscall filter", "rlimits" if limits else "NO rlimits", budgets]
    if not missing and allowlist_root and uid and filtered and limits:
        return "isolation: " + ", ".join(["namespaces+allowlist root", *parts])
    grade = "DEGRADED" if uid else "NONE"
    where = [f"no {'/'.join(missing)} namespace{'s' if len(missing) > 1 else ''}"] if missing else []
    if not allowlist_root:
        where.append("the host's filesystem")
    return f"isolation: {grade} — " + ", ".join(parts) + (f"; {', '.join(where)}" if where else "")


def line(iso, per_sandbox=False):
    """One line saying the isolation a worker reported (its hello's dict), "DEGRADED" or "NONE" first when
    it is less than full; ``per_sandbox``: "uid per sandbox" instead of the uid (for a whole run)."""
    if not iso:
        return "isolation: none reported (no worker ran this submission's code)"
    user = str(iso.get("user", ""))
    uid = user.split()[1] if user.startswith("uid ") and "unprivileged" in user else None
    missing = [name for name, note in iso.get("namespaces", {}).items()
               if not str(note).startswith(("own", "host (the plan"))]
    budgets = iso.get("budgets", {})
    kind = ("cgroup" if str(budgets.get("mechanism", "")).startswith("cgroup") else
            "sampled" if "sampled" in str(budgets.get("memory", "")) else None)
    return _describe(missing, isinstance(iso.get("filesystem"), dict), uid and ("per sandbox" if per_sandbox else uid),
                     isinstance(iso.get("syscalls"), dict), bool(iso.get("limits")),
                     _budgets(kind, str(budgets.get("cpu", "")).startswith("the kernel's autogroup")))


def expected_line(mode):
    """The line a run in ``mode`` (of :func:`probe`) will report, said before any worker starts."""
    missing = [] if mode == "namespaces" else ["pid", "mount", "network", "ipc", "uts"]  # the sandbox's order
    kind = "cgroup" if cgroups.probe() else "sampled" if mode != "none" else None
    return _describe(missing, mode == "namespaces", mode != "none" and "per sandbox",
                     syscalls.seccomp is not None, True, _budgets(kind, cgroups.autogroup()))


def is_degraded(text):
    return text.startswith(("isolation: DEGRADED", "isolation: NONE"))


def _python_prefixes():
    """The Python installations, as the interpreter names them and as they really are (symlinks resolved)."""
    named = {os.path.abspath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    return sorted(named | {os.path.realpath(p) for p in named})


def _split(top, keep):
    """``(closed, traversable)``: ``top`` closed whole, or, when a ``keep`` path lies below it, ``top``
    traversable and each entry not on the way to a ``keep`` path closed."""
    inside = [k for k in keep if k.startswith(top.rstrip("/") + "/")]
    if top in keep:
        return [], []
    if not inside:
        return [top], []
    closed, traversable = [], [top]
    for entry in sorted(os.listdir(top)):
        path = os.path.join(top, entry)
        if os.path.isdir(path) and not os.path.islink(path):
            c, t = _split(path, inside)
        else:
            c, t = [path], []
        closed += c
        traversable += t
    return closed, traversable


def unreadable(prefixes):
    """Folders on the way to ``prefixes`` (or in them) that other uids cannot enter."""
    blocked = []
    for prefix in prefixes:
        parts = prefix.strip("/").split("/")
        for i in range(len(parts) + 1):
            here = "/" + "/".join(parts[:i])
            try:
                if not os.stat(here).st_mode & stat.S_IXOTH:
                    blocked.append(here)
                    break
            except OSError:
                break
    return sorted(set(blocked))


@contextmanager
def _modes(closed, traversable):
    saved = []
    try:
        for path, keep_bits, add in [*((p, 0o700, 0) for p in closed), *((p, 0o700, 0o011) for p in traversable)]:
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                continue
            mode = stat.S_IMODE(st.st_mode)
            os.chmod(path, (mode & keep_bits) | (add if stat.S_ISDIR(st.st_mode) else 0))
            saved.append((path, mode))
        yield [p for p, _ in saved]
    finally:
        for path, mode in reversed(saved):
            try:
                os.chmod(path, mode)
            except OSError:
                pass


@contextmanager
def guard(mode, private, top=None, shared=False):
    """While grading in ``mode``: without namespaces, ``private`` paths and ``top`` (all of it but the way to
    the Python installations) closed to other uids, restored afterwards; a folder that other uids cannot
    enter on the way to a Python installation (root's home) becomes enterable, its other entries
    closed; ``shared``: close :data:`SHARED_FOLDERS` too (a disposable container).  Yields the lines to
    tell the instructor."""
    if mode != "uid":
        yield []
        return
    prefixes = _python_prefixes()
    closed, traversable = _split(os.path.realpath(top), prefixes) if top else ([], [])
    for folder in unreadable(prefixes):  # e.g. root's 0700 home holding the Python installation
        c, t = _split(folder, prefixes)
        closed += c
        traversable += t
    closed += [os.path.realpath(p) for p in private]
    open_channels = list(OPEN_CHANNELS)
    if shared:
        closed += SHARED_FOLDERS
    else:
        open_channels.insert(0, f"world-writable host folders ({', '.join(SHARED_FOLDERS)})")
    with _modes(closed, traversable) as changed:
        notes = [f"WARNING: no namespaces: {len(changed)} paths closed to the sandbox uids for this run "
                 f"({', '.join(changed[:4])}{', ...' if len(changed) > 4 else ''}); channels left between "
                 f"concurrent sandboxes: {'; '.join(open_channels)}"]
        blocked = unreadable(prefixes)
        if blocked:  # the closing failed
            notes.append(f"WARNING: the sandbox uids cannot enter {', '.join(blocked)} on the way to the Python "
                         f"installation ({', '.join(prefixes)}): modules a submission imports late fail")
        yield notes
