"""Confine a worker: its own namespaces, an allowlisted read-only filesystem, a fresh uid, limits.

:func:`fork_init` is called after TensorFlow is imported, by the zygote (once per connection) or
a fresh worker, and the forked child calls :func:`run_init`.  The process structure::

    zygote or fresh worker (host)  reaps the init when it ends
    └── init (pid 1)   sends the judge a pidfd of itself, draws a uid, unshares mount, network, IPC
        │              and UTS namespaces, pivots into the allowlisted root, forks the server, then
        │              only waits: when the server ends or the judge's end of the channel closes it
        │              exits, and the kernel kills every process of the pid namespace with it
        └── server     drops to the sandbox uid with limits and a clean environment, loads the
                       syscall filter (:mod:`.syscalls`), then serves

Budgets hold for the whole sandbox, all its processes together: the init first joins the cgroup the
judge made for it (:mod:`autograder.wire.cgroups`: memory, process count, an equal CPU share) and ends the whole
sandbox at its first OOM kill.  Without a cgroup the init samples the memory of the sandbox uid's
processes every :data:`SAMPLE_S` seconds and ends the sandbox over the budget, ``RLIMIT_NPROC`` caps
the uid's processes, and the kernel's autogroup (each sandbox is a session) shares the CPU.  Either
way the judge's pending request is answered "MemoryError" by the init, marked as the sandbox's end.

The new root is an empty read-only tmpfs holding only: read-only binds of the system folders, the
Python installation and the virtual environment (at their host paths), the /etc and /sys files that
Python and TensorFlow read after confinement; private size-limited tmpfs mounts for /tmp, /var/tmp,
/dev/shm and the working directory; /dev/{null,zero,full,random,urandom}; a fresh /proc that shows
the sandbox's own processes only.  A step the machine does not allow is skipped and reported: the
isolation dict in the hello says exactly what is in force.

Where the kernel refuses namespaces but the process is root (Gradescope's containers: root without
CAP_SYS_ADMIN), the server still runs as a sandbox uid of its own, in a fresh 0700 working directory
under :data:`HOMES`, with the limits and the syscall filter; the runner makes the course's private
paths root-only first (:mod:`.confinement`), and every process of the uid is killed at close.
"""
import ctypes
import fcntl
import os
import resource
import select
import shutil
import signal
import socket
import sys
import tempfile

from ..wire import cgroups, protocol
from ..wire.plan import SANDBOX_HOME, launch_env, sandbox_env
from . import syscalls

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 0x20, 0x1000, 0x4000, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38

UID_FIRST, UID_COUNT = 200000, 65536         # sandbox uids, drawn in turn (no passwd entries)
UID_COUNTER = "/run/nice-autograder/next-uid"  # root-only, outside every sandbox, flock-protected
HOMES = "/run/nice-sandboxes"  # without a private filesystem: root's, 0711; a 0700 working directory per sandbox

SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: What Python and TensorFlow open after confinement (strace of a grading run): the dynamic linker's
#: cache (TensorFlow dlopens libraries by name at its first op) and the online CPU list (thread pools).
HOST_FILES = ("/etc/ld.so.cache", "/sys/devices/system/cpu/online")
DEVICES = ("null", "zero", "full", "random", "urandom")
SCRATCH = ("/tmp", "/var/tmp", "/dev/shm", SANDBOX_HOME)
OLD, NEW = "/oldroot", "/newroot"  # where the host's root and the sandbox's root sit while building
WATCH_S, SAMPLE_S = 0.1, 0.2  # how often the init reads the cgroup's OOM count / samples the memory without one

_libc = ctypes.CDLL(None, use_errno=True)


def _check(rc, what):
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _c(text):
    return text.encode() if text else None


def _unshare(flags):
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def _mount(source, target, fstype=None, flags=0, data=None):
    _check(_libc.mount(_c(source), _c(target), _c(fstype), ctypes.c_ulong(flags), _c(data)), f"mount {target}")


def _umount(target):
    _check(_libc.umount2(_c(target), MNT_DETACH), f"umount {target}")


def _pivot_root(new, put_old):
    _check(_libc.pivot_root(_c(new), _c(put_old)), f"pivot_root {new}")


def _prctl(option, value):
    _check(_libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0), "prctl")


def die_with_parent():
    """SIGKILL this process when its parent dies (``setuid`` clears this: call it afterwards)."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


# -- uid ------------------------------------------------------------------------------------------
def _draw_uid():
    """The next uid of the range, from a counter shared by every sandbox on the machine."""
    os.makedirs(os.path.dirname(UID_COUNTER), mode=0o700, exist_ok=True)
    fd = os.open(UID_COUNTER, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            n = int(os.pread(fd, 32, 0) or b"0") % UID_COUNT
        except ValueError:
            n = 0
        os.pwrite(fd, b"%010d\n" % ((n + 1) % UID_COUNT), 0)
        return UID_FIRST + n
    finally:
        os.close(fd)


def _choose_uid():
    if os.getuid() != 0:
        return None, f"uid {os.getuid()} (not root: could not switch user)"
    try:
        return _draw_uid(), "from the uid counter"
    except OSError as err:
        return UID_FIRST + int.from_bytes(os.urandom(4), "little") % UID_COUNT, f"random (uid counter: {err})"


# -- filesystem -----------------------------------------------------------------------------------
def _bind(source, target, flags=MS_NOSUID | MS_NODEV):
    """Bind ``source`` (not its submounts) at ``target``, read-only."""
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    elif not os.path.exists(target):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "w").close()
    _mount(source, target, flags=MS_BIND)
    _mount(None, target, flags=MS_BIND | MS_REMOUNT | MS_RDONLY | flags)


def _expose(path, bound, depth=0):
    """Bind host ``path`` read-only at the same path in the new root, recreating symlinks on the way.

    Appends what it binds to ``bound``; a path inside an earlier bind of the same filesystem is there already.
    """
    parts = [p for p in path.split("/") if p]
    for i in range(1, len(parts) + 1):
        here = "/" + "/".join(parts[:i])
        if os.path.islink(OLD + here) and depth < 40:
            link = os.readlink(OLD + here)
            if not os.path.lexists(NEW + here):
                os.makedirs(os.path.dirname(NEW + here), exist_ok=True)
                os.symlink(link, NEW + here)
            target = os.path.normpath(os.path.join(os.path.dirname(here), link, *parts[i:]))
            return _expose(target, bound, depth + 1)
    if not os.path.exists(OLD + path) or any(
            (path + "/").startswith(b + "/") and os.stat(OLD + path).st_dev == os.stat(OLD + b).st_dev
            for b in bound):
        return
    _bind(OLD + path, NEW + path)
    bound.append(path)


def _read_only_paths():
    python = {sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix}
    return [*SYSTEM, *sorted(python), *HOST_FILES]


def _build_root(plan, uid, files):
    """Make the allowlisted root and pivot into it; returns the filesystem part of the isolation dict."""
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0700")  # scaffolding
    os.chdir("/tmp")
    os.mkdir("oldroot")
    os.mkdir("newroot")
    _pivot_root(".", "oldroot")  # from here on the host's root is at OLD; no way back
    _mount("tmpfs", NEW, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    size = plan.limits.tmpfs_bytes
    for path in SCRATCH:  # first: a read-only root may lie below one of them (a venv in /tmp)
        owner = f"mode=0700,uid={uid},gid={uid}" if path == SANDBOX_HOME and uid is not None else "mode=1777"
        os.makedirs(NEW + path, exist_ok=True)
        _mount("tmpfs", NEW + path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},{owner}")
    for name, data in files.items():
        with open(f"{NEW}{SANDBOX_HOME}/{name}", "wb") as f:
            f.write(data)
        if uid is not None:
            os.chown(f"{NEW}{SANDBOX_HOME}/{name}", uid, uid)
    read_only = []
    for path in _read_only_paths():
        _expose(path, read_only)
    for name in DEVICES:
        _bind(f"{OLD}/dev/{name}", f"{NEW}/dev/{name}", MS_NOSUID | MS_NOEXEC)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{NEW}/dev/{name}")
    os.makedirs(NEW + "/proc")
    _mount("proc", NEW + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2")

    _umount(OLD)
    _mount(None, NEW, flags=MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    scaffolding = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    os.chdir(NEW)
    _pivot_root(".", ".")  # the sandbox root on top, the scaffolding stacked over it ...
    os.fchdir(scaffolding)
    _umount(".")           # ... and detached
    os.close(scaffolding)
    os.chdir("/")
    mib = f"{size / 2**20:g} MiB"
    return {"root": "allowlist: an empty read-only tmpfs (pivot_root), nothing else of the host",
            "read_only": read_only, "tmpfs": {path: mib for path in SCRATCH},
            "devices": [f"/dev/{name}" for name in DEVICES],
            "proc": "own instance, hidepid=2 (the sandbox uid's processes only)"}


# -- the processes --------------------------------------------------------------------------------
def fork_init():
    """``fork()`` the sandbox's init: pid 1 of a new pid namespace where the kernel allows it.

    Returns ``(pid, pid_namespace_note)``; pid is 0 in the child.  The caller's later children are
    born in its own namespace again (so a zygote can call this once per sandbox).
    """
    own = os.open("/proc/self/ns/pid", os.O_RDONLY)
    try:
        _unshare(CLONE_NEWPID)
        note = "own: every process of the sandbox is killed with its init at close"
    except OSError as err:
        note = f"NOT isolated ({err}): the sandbox uid's processes are killed at close"
    pid = os.fork()
    if pid and note.startswith("own"):
        _check(_libc.setns(own, CLONE_NEWPID), "setns")
    os.close(own)
    return pid, note


def run_init(sock, plan, pid_note, serve):
    """In the forked init: confine, fork the server that calls ``serve(sock, hello)``, wait; never returns."""
    try:
        _init(sock, plan, pid_note, serve)
    finally:
        os._exit(0)


def _send_pidfd(sock):
    """Give the judge a pidfd of this process: a handle that kills exactly it, whatever its pid."""
    try:
        fd = os.pidfd_open(os.getpid())
    except OSError:
        sock.sendall(b"N")
        return
    try:
        socket.send_fds(sock, [b"P"], [fd])
    finally:
        os.close(fd)


def _init(sock, plan, pid_note, serve):
    _close_all_but(sock)  # e.g. a zygote's listening socket
    _send_pidfd(sock)
    os.setsid()  # a session of its own: the kernel's autogroup shares the CPU between sessions
    group, budgets = _join_group(plan)  # first: the host's cgroup file system is still there
    uid, how = _choose_uid()
    iso = {"user": f"uid {uid} (unprivileged, {how}; at most {plan.limits.processes} processes)"
           if uid is not None else how}
    over_budget = _memory_watch(plan.limits, group, uid, budgets)
    iso["budgets"] = budgets
    namespaces = _unshare_namespaces(plan, pid_note)
    iso["network"] = ("none (private network namespace)" if namespaces["network"] == "own"
                      else f"allowed: {namespaces['network']}")
    iso["namespaces"] = namespaces
    files = {}
    for path in plan.files:
        with open(path, "rb") as f:
            files[os.path.basename(path)] = f.read()
    host_home = None
    if namespaces["mount"] == "own":
        _mount(None, "/", flags=MS_REC | MS_PRIVATE)
        iso["filesystem"] = _build_root(plan, uid, files)
    else:
        host_home = _host_home(files, uid)
        iso["filesystem"] = f"NOT confined ({namespaces['mount']}): the host's, working directory {host_home}"

    _oom_score(-1000)  # over the budget the kernel kills a process of the sandbox, never the one that ends it
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # orphans re-parented to this init are reaped
    server = os.fork()
    if server == 0:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        _oom_score(0)
        _serve_confined(sock, plan, uid, host_home or SANDBOX_HOME, iso, serve)
        os._exit(0)
    ended = _wait_for_end(sock, server, over_budget)
    own_pids = namespaces["pid"].startswith("own")
    if ended:
        _end_sandbox(own_pids, uid)
        _say_ended(sock, ended)
    elif not own_pids and uid is not None:
        _kill_uid(uid)
    if host_home:
        shutil.rmtree(host_home, ignore_errors=True)


# -- budgets of the whole sandbox -----------------------------------------------------------------
def _join_group(plan):
    """Join the plan's cgroup; ``(group or None, the budgets part of the isolation dict)``."""
    group = cgroups.Group.from_plan(plan.cgroup)
    if group is not None:
        try:
            cgroups.join(group)
            note = cgroups.describe(group.version, plan.limits)
            return group, {"mechanism": note, "memory": "the cgroup's limit (at its first OOM kill the whole "
                           "sandbox is ended)", "processes": "the cgroup's pids.max", "cpu": "the cgroup's CPU share"}
        except OSError as err:
            why = f"joining it failed: {err.strerror or err}"
    else:
        why = plan.cgroup.get("note", "the judge made none")
    mib = plan.limits.sandbox_memory_bytes // 2**20
    return None, {"mechanism": f"NO cgroup ({why})",
                  "memory": f"{mib} MiB for all its processes together, sampled every {SAMPLE_S:g} s "
                            "(over it the whole sandbox is ended)",
                  "processes": f"{plan.limits.processes} per sandbox uid (RLIMIT_NPROC)", "cpu": _autogroup()}


def _autogroup():
    return ("the kernel's autogroup: the sandbox is a session of its own" if cgroups.autogroup() else
            "NOT separated (no cgroup, no autogroup): its processes compete with every other process")


def _memory_watch(limits, group, uid, budgets):
    """``(seconds, check)`` for :func:`_wait_for_end`: ``check()`` says why the sandbox must end (it went over
    its memory budget) or None; None where nothing can be watched."""
    mib = limits.sandbox_memory_bytes // 2**20
    reason = (f"the sandbox went over its memory budget ({mib} MiB for all its processes together) and "
              "was ended")
    if group is not None:
        fd = os.open(cgroups.oom_file(group), os.O_RDONLY)  # kept: the cgroup file system is gone after pivot
        return WATCH_S, lambda: reason if cgroups.oom_kills(fd) else None
    if uid is None:
        budgets["memory"] = "NOT bounded (no cgroup and no sandbox uid to sample)"
        return None
    return SAMPLE_S, lambda: reason if _resident(uid) > limits.sandbox_memory_bytes else None


def _resident(uid):
    """Bytes of memory the processes of ``uid`` use: their proportional share (Pss) where it can be read,
    else their own resident anonymous and shared memory (which counts pages shared after a fork in each)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                status = dict(line.split(":", 1) for line in f)
            if int(status["Uid"].split()[0]) != uid:
                continue
            try:
                with open(f"/proc/{entry}/smaps_rollup") as f:
                    fields = dict(line.split(":", 1) for line in f if ":" in line and not line[0].isdigit())
                total += int(fields["Pss"].split()[0]) * 1024
            except (OSError, KeyError, ValueError):  # no CAP_SYS_PTRACE (a container): the status file
                total += sum(int(status.get(k, "0 kB").split()[0]) * 1024 for k in ("RssAnon", "RssShmem"))
        except (OSError, KeyError, ValueError):  # it exited meanwhile
            continue
    return total


def _oom_score(value):
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write(str(value))
    except OSError:
        pass


def _end_sandbox(own_pids, uid):
    """Kill every process of the sandbox but this init, and wait until they are gone."""
    if own_pids:
        os.kill(-1, signal.SIGKILL)  # pid 1 of the namespace: every other process in it
    elif uid is not None:
        _kill_uid(uid)
    try:
        while True:
            os.waitpid(-1, 0)  # SIGCHLD ignored: returns (ECHILD) once every child has exited
    except ChildProcessError:
        pass


def _say_ended(sock, reason):
    """Answer the judge's pending (or next) request: the sandbox has ended, and why."""
    try:
        sock.settimeout(2.0)
        protocol.send(sock, protocol.ended_reply("MemoryError", reason))
    except OSError:
        pass


def _unshare_namespaces(plan, pid_note):
    """Enter new mount, network (unless the plan allows it), IPC and UTS namespaces; say which."""
    namespaces = {"pid": pid_note}
    for name, flag in (("mount", CLONE_NEWNS), ("network", CLONE_NEWNET), ("ipc", CLONE_NEWIPC),
                       ("uts", CLONE_NEWUTS)):
        if name == "network" and plan.network:
            namespaces[name] = "host (the plan allows the network)"
            continue
        try:
            _unshare(flag)
            namespaces[name] = "own"
        except OSError as err:
            namespaces[name] = f"NOT isolated ({err})"
    if namespaces["uts"] == "own":
        socket.sethostname("sandbox")
    return namespaces


def _host_home(files, uid):
    """Without a private filesystem: a fresh 0700 host folder as working directory (removed at the end).

    As root it lies in :data:`HOMES` (traversable, not listable, by the sandbox uids), so that it does
    not depend on a shared world-writable folder such as /tmp, which the runner may close.
    """
    parent = None
    if uid is not None:
        try:
            os.makedirs(HOMES, mode=0o711, exist_ok=True)
            os.chmod(HOMES, 0o711)
            parent = HOMES
        except OSError:
            pass
    home = tempfile.mkdtemp(prefix="nice-worker-", dir=parent)
    for name, data in files.items():
        with open(os.path.join(home, name), "wb") as f:
            f.write(data)
    if uid is not None:
        for name in [".", *files]:
            os.chown(os.path.join(home, name), uid, uid)
    return home


def _wait_for_end(sock, server, watch=None):
    """Block until the server exits or the judge's end of the channel is closed; with ``watch``
    (``(seconds, check)``), call ``check()`` that often and return what it says first (a reason to end)."""
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLRDHUP)
    every, check = watch or (None, lambda: None)
    try:
        poller.register(os.pidfd_open(server), select.POLLIN)
    except ProcessLookupError:  # it has ended already
        return None
    except OSError:  # no pidfds here: look at the server between polls of the channel
        while not poller.poll(200):
            try:
                os.kill(server, 0)
            except ProcessLookupError:
                return None
            if ended := check():
                return ended
        return None
    while not poller.poll(None if every is None else every * 1000):
        if ended := check():
            return ended
    return check()


def _kill_uid(uid):
    """Without a pid namespace: SIGKILL every process of ``uid``, from a child running as ``uid``."""
    if os.fork() == 0:
        try:
            os.setuid(uid)
            for _ in range(1000):
                try:
                    os.kill(-1, signal.SIGKILL)  # every process this one may signal, but itself
                except OSError:  # ESRCH when one was exiting meanwhile
                    pass
                if not _alive(uid):
                    break
        finally:
            os._exit(0)
    try:
        os.wait()
    except ChildProcessError:  # SIGCHLD is ignored here: the child was reaped already
        pass


def _alive(uid):
    """Whether a process of ``uid`` other than this one is alive (not a zombie)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/status") as f:
                    status = dict(line.split(":", 1) for line in f)
            except OSError:
                continue
            if int(status["Uid"].split()[0]) == uid and status["State"].split()[0] not in ("Z", "X"):
                return True
    return False


def _wipe_process_strings():
    """Zero the original argv and environment strings (what ``/proc/self/cmdline`` and ``environ`` show).

    Safe once ``os.environ`` was rewritten: the C environment then points at fresh copies.
    """
    fields = open("/proc/self/stat").read().rsplit(")", 1)[1].split()
    arg_start, arg_end, env_start, env_end = map(int, fields[45:49])
    ctypes.memset(arg_start, 0, arg_end - arg_start)
    ctypes.memset(env_start, 0, env_end - env_start)
    title = b"nice-sandbox"
    ctypes.memmove(arg_start, title, min(len(title), arg_end - arg_start - 1))


def _close_all_but(sock):
    keep = sock.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))


def _serve_confined(sock, plan, uid, home, iso, serve):
    """In the server: nothing open but the channel, a clean environment, limits, the sandbox uid; serve."""
    _close_all_but(sock)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)

    env = {**launch_env(os.environ, plan.quick_env), **sandbox_env(home, "/tmp" if home == SANDBOX_HOME else home)}
    _libc.clearenv()  # the C environment no longer points into the strings wiped below
    os.environ.clear()
    os.environ.update(env)
    _wipe_process_strings()
    sys.argv, sys.orig_argv = [""], [""]
    sys.path[:] = [home] + [p for p in sys.path if p.startswith((sys.prefix, sys.base_prefix))]
    sys.path_importer_cache.clear()

    lim = plan.limits
    for name, value in (("RLIMIT_AS", lim.memory_bytes), ("RLIMIT_CPU", lim.cpu_seconds),
                        ("RLIMIT_FSIZE", lim.file_bytes), ("RLIMIT_CORE", 0)):
        resource.setrlimit(getattr(resource, name), (value, value))
    if uid is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (lim.processes, lim.processes))
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    die_with_parent()
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    os.chdir(home)
    iso["syscalls"] = syscalls.install(network=plan.network)
    if isinstance(iso["syscalls"], dict) and not plan.network and not iso["network"].startswith("none"):
        iso["network"] = f"none (the syscall filter refuses sockets other than AF_UNIX; namespace {iso['network']})"
    iso["limits"] = {"memory_mib": lim.memory_bytes // 2**20, "sandbox_memory_mib": lim.sandbox_memory_bytes // 2**20,
                     "cpu_s": lim.cpu_seconds,
                     "file_mib": lim.file_bytes // 2**20, "processes": lim.processes}
    iso["environment"] = sorted(env)
    serve(sock, {"pid": os.getpid(), "workdir": home, "isolation": iso}, plan)
