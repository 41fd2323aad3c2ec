"""A cgroup per sandbox: its memory, process count and CPU share hold for all its processes together.

The judge (host side, root) calls :func:`create` before it starts a sandbox: one new group per
controller hierarchy, below the judge's own group (cgroup v1: ``memory``, ``pids`` and ``cpu``, each
its own hierarchy; cgroup v2: one group with the three controllers), with the plan's limits written
into it.  The sandbox's init joins it (:func:`join`) before it confines itself, so every process of
the sandbox is born inside; the init watches the group's OOM kills (:func:`oom_kills`) and ends the
whole sandbox at the first.  After the init has exited the judge removes the group
(:meth:`Group.remove`); :func:`sweep` removes what a killed judge left.

Where no group can be made (no write access to the cgroup file system: a Docker container such as
Gradescope's, a user without root, a cgroup v2 group that holds processes and so cannot delegate
controllers), :func:`create` says why and the sandbox uses its fallback
(:mod:`autograder.worker.sandbox`): its memory sampled by the init, its processes capped per sandbox
uid (``RLIMIT_NPROC``), its CPU share from the kernel's autogroup (each sandbox is a session of its own).
"""
import itertools
import os
import signal
import time
from dataclasses import dataclass, field

from .plan import Limits

PREFIX = "nice-sandbox-"   # + the creating process's pid + "-" + a counter
CONTROLLERS = ("memory", "pids", "cpu")
CPU_SHARES, CPU_WEIGHT = 1024, 100  # every sandbox the same share (v1 cpu.shares, v2 cpu.weight): the defaults
REMOVE_TIMEOUT_S = 5.0
AUTOGROUP = "/proc/sys/kernel/sched_autogroup_enabled"
_counter = itertools.count(1)


@dataclass
class Group:
    """One sandbox's cgroup: a folder per hierarchy (v1) or one folder (v2)."""
    version: int
    paths: dict = field(default_factory=dict)   # controller -> folder (v2: the same folder for all)

    @property
    def folders(self):
        return sorted(set(self.paths.values()))

    def to_plan(self):
        return {"version": self.version, "paths": dict(self.paths)}

    @classmethod
    def from_plan(cls, data):
        return cls(int(data.get("version", 1)), dict(data.get("paths", {}))) if data.get("paths") else None

    def remove(self, timeout=REMOVE_TIMEOUT_S):
        """Kill whatever is left in the group, then remove its folders; returns the folders left (normally [])."""
        deadline = time.monotonic() + timeout
        left = []
        for folder in self.folders:
            while os.path.isdir(folder):
                _kill_members(folder)
                try:
                    os.rmdir(folder)
                except FileNotFoundError:
                    break
                except OSError:  # EBUSY: members still exiting
                    if time.monotonic() > deadline:
                        left.append(folder)
                        break
                    time.sleep(0.01)
        return left


def _kill_members(folder):
    try:
        with open(os.path.join(folder, "cgroup.kill"), "w") as f:  # v2 (Linux 5.14): the kernel kills them all
            f.write("1")
        return
    except OSError:
        pass
    try:
        with open(os.path.join(folder, "cgroup.procs")) as f:
            pids = [int(line) for line in f if line.strip()]
    except (OSError, ValueError):
        return
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


# -- where the hierarchies are --------------------------------------------------------------------
def _mounts(mountinfo="/proc/self/mountinfo"):
    """``[(fstype, mount point, root inside the hierarchy, super options)]`` of the cgroup file systems."""
    found = []
    with open(mountinfo) as f:
        for line in f:
            head, _, tail = line.partition(" - ")
            fields, rest = head.split(), tail.split()
            if len(fields) >= 5 and len(rest) >= 3 and rest[0] in ("cgroup", "cgroup2"):
                found.append((rest[0], fields[4], fields[3], set(rest[2].split(","))))
    return found


def _own(procfile="/proc/self/cgroup"):
    """``{controller or "": path}`` of this process's groups ("" is the cgroup v2 group)."""
    own = {}
    with open(procfile) as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                own[name] = path
    return own


def _inside(mount_point, mount_root, path):
    """The folder of group ``path`` in a hierarchy mounted at ``mount_point`` (showing ``mount_root``)."""
    if mount_root != "/" and (path + "/").startswith(mount_root.rstrip("/") + "/"):
        path = path[len(mount_root.rstrip("/")):] or "/"
    return os.path.normpath(os.path.join(mount_point, path.lstrip("/")))


def hierarchies():
    """``(version, {controller: parent folder})``: where new groups for :data:`CONTROLLERS` go.

    cgroup v1 where it has every controller's hierarchy, else cgroup v2 (this process's own group).
    """
    mounts, own = _mounts(), _own()
    v1 = {}
    for fstype, point, root, options in mounts:
        for name in CONTROLLERS:
            if fstype == "cgroup" and name in options and name in own and name not in v1:
                v1[name] = _inside(point, root, own[name])
    if len(v1) == len(CONTROLLERS):
        return 1, v1
    for fstype, point, root, _ in mounts:
        if fstype == "cgroup2" and "" in own:
            parent = _inside(point, root, own[""])
            return 2, {name: parent for name in CONTROLLERS}
    return 0, v1


# -- creating one ---------------------------------------------------------------------------------
def _write(folder, name, value):
    with open(os.path.join(folder, name), "w") as f:
        f.write(str(value))


def _settings(version, limits):
    """``[(controller, file, value, required)]`` for a sandbox with ``limits`` (:class:`..wire.plan.Limits`)."""
    memory = limits.sandbox_memory_bytes
    if version == 1:
        return [("memory", "memory.limit_in_bytes", memory, True),
                ("memory", "memory.memsw.limit_in_bytes", memory, False),  # no swapping past it (if accounted)
                ("pids", "pids.max", limits.processes, True),
                ("cpu", "cpu.shares", CPU_SHARES, True)]
    return [("memory", "memory.max", memory, True), ("memory", "memory.swap.max", 0, False),
            ("memory", "memory.oom.group", 1, False),  # the kernel kills the whole group at once
            ("pids", "pids.max", limits.processes, True), ("cpu", "cpu.weight", CPU_WEIGHT, True)]


def _delegate(parent):
    """cgroup v2: let ``parent``'s children have the controllers (refused while ``parent`` holds processes)."""
    with open(os.path.join(parent, "cgroup.subtree_control")) as f:
        enabled = set(f.read().split())
    missing = [name for name in CONTROLLERS if name not in enabled]
    if missing:
        _write(parent, "cgroup.subtree_control", " ".join(f"+{name}" for name in missing))


def create(limits, name=None):
    """A new :class:`Group` for one sandbox with ``limits``, or ``(None, why not)``.

    Returns:
        ``(group, note)``: the note says what the group enforces, or why there is none.
    """
    try:
        version, parents = hierarchies()
    except (OSError, ValueError) as err:
        return None, f"the cgroup hierarchies could not be read ({err})"
    if not version:
        return None, "no cgroup hierarchy with the memory, pids and cpu controllers is mounted"
    name = name or f"{PREFIX}{os.getpid()}-{next(_counter)}"
    group = Group(version, {c: os.path.join(parent, name) for c, parent in parents.items()})
    try:
        if version == 2:
            _delegate(os.path.dirname(group.paths["memory"]))
        for folder in group.folders:
            if os.path.isdir(folder):  # a leftover of a process that had this pid before
                Group(version, {"": folder}).remove()
            os.mkdir(folder, 0o700)
        for controller, filename, value, required in _settings(version, limits):
            try:
                _write(group.paths[controller], filename, value)
            except OSError:
                if required:
                    raise
    except OSError as err:
        group.remove()
        return None, f"cgroup v{version} refused ({err.strerror or err})"
    return group, describe(version, limits)


def describe(version, limits):
    """What a group of ``version`` enforces for ``limits``, in a few words."""
    return (f"cgroup v{version} per sandbox: {limits.sandbox_memory_bytes // 2**20} MiB of memory and "
            f"{limits.processes} processes for all its processes together, an equal CPU share")


def probe():
    """Whether a sandbox started now gets a cgroup (one is made and removed again)."""
    group, _ = create(Limits())
    if group is not None:
        group.remove()
    return group is not None


def autogroup():
    """Whether the kernel shares the CPU between sessions (each sandbox is one) where no cgroup does."""
    try:
        with open(AUTOGROUP) as f:
            return f.read().strip() == "1"
    except OSError:
        return False


def join(group):
    """Move the calling process (and so everything it will start) into ``group``."""
    for folder in group.folders:
        _write(folder, "cgroup.procs", 0)


def oom_file(group):
    """The file whose ``oom_kill`` count says the group ran out of memory (open it before confinement)."""
    return os.path.join(group.paths["memory"], "memory.oom_control" if group.version == 1 else "memory.events")


def oom_kills(fd):
    """The ``oom_kill`` count of an open :func:`oom_file` (0 if it has none)."""
    for line in os.pread(fd, 4096, 0).decode().splitlines():
        key, _, value = line.partition(" ")
        if key == "oom_kill":
            return int(value)
    return 0


def sweep():
    """Remove the groups of processes that are gone (a judge killed before it removed its sandbox's group).

    Returns:
        The folders removed.
    """
    removed = []
    version, parents = hierarchies()
    for parent in set(parents.values()):
        try:
            entries = os.listdir(parent)
        except OSError:
            continue
        for entry in entries:
            creator = entry[len(PREFIX):].split("-")[0]
            if entry.startswith(PREFIX) and creator.isdigit() and not os.path.exists(f"/proc/{creator}"):
                folder = os.path.join(parent, entry)
                if not Group(version, {"": folder}).remove():
                    removed.append(folder)
    return removed
