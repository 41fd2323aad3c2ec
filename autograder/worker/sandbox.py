"""Confine the current (worker) process before it runs submission code.

Called in the child, after TensorFlow is imported and before any student code: new session, resource
limits, a private network namespace (no interfaces up: no network at all), a private mount namespace
in which the graders, other submissions and the output folder are covered by empty tmpfs mounts, a
private working directory, and an unprivileged uid of its own.  Each step that the machine does not
allow is skipped and reported, so a result always says which isolation was in force.
"""
import ctypes
import os
import resource
import shutil
import tempfile

from ..wire.plan import UID_BASE

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _unshare(flags):
    if _libc().unshare(flags) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


def _mount(source, target, fstype, flags, data):
    rc = _libc().mount(source.encode(), target.encode(), fstype.encode() if fstype else None,
                       ctypes.c_ulong(flags), data.encode() if data else None)
    if rc != 0:
        raise OSError(ctypes.get_errno(), f"mount {target}: {os.strerror(ctypes.get_errno())}")


def enter(plan):
    """Confine this process; returns ``(workdir, isolation)`` where isolation describes what holds."""
    iso = {}
    try:
        os.setsid()
    except OSError:
        pass
    lim = plan.limits
    for name, value in (("RLIMIT_AS", lim.memory_bytes), ("RLIMIT_CPU", lim.cpu_seconds),
                        ("RLIMIT_FSIZE", lim.file_bytes), ("RLIMIT_CORE", 0)):
        resource.setrlimit(getattr(resource, name), (value, value))
    iso["memory_limit_mib"] = lim.memory_bytes // 2**20
    iso["cpu_limit_s"] = lim.cpu_seconds

    workdir = tempfile.mkdtemp(prefix="nice-worker-")
    for path in plan.files:
        shutil.copy(path, workdir)

    flags = CLONE_NEWNS | (0 if plan.network else CLONE_NEWNET)
    try:
        _unshare(flags)
        iso["network"] = "allowed" if plan.network else "none (private network namespace)"
        _mount("none", "/", "", MS_REC | MS_PRIVATE, "")
        hidden = []
        for folder in plan.hide:
            if os.path.isdir(folder):
                _mount("tmpfs", folder, "tmpfs", 0, "size=1k,mode=000")
                hidden.append(folder)
        iso["hidden_paths"] = hidden
    except OSError as err:
        iso["network"] = f"NOT isolated ({err})"
        iso["hidden_paths"] = []

    if os.getuid() == 0:
        uid = UID_BASE + os.getpid()
        os.chown(workdir, uid, uid)
        for name in os.listdir(workdir):
            os.chown(os.path.join(workdir, name), uid, uid)
        resource.setrlimit(resource.RLIMIT_NPROC, (lim.processes, lim.processes))
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        iso["user"] = f"uid {uid} (unprivileged, own process limit {lim.processes})"
    else:
        iso["user"] = f"uid {os.getuid()} (not root: could not switch user)"
    os.chdir(workdir)
    os.environ["HOME"] = workdir
    os.environ["TMPDIR"] = workdir
    os.environ["KERAS_HOME"] = os.path.join(workdir, ".keras")
    return workdir, iso
