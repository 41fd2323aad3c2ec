"""Where a sandbox's cgroup goes and what it is told, on cgroup v1 (this machine) and v2 (read from files)."""
import os

import pytest

from autograder.wire import cgroups
from autograder.wire.plan import Limits

V2_MOUNTINFO = ("24 18 0:21 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
                "rw,nsdelegate,memory_recursiveprot\n")
V1_MOUNTINFO = ("32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
                "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
                "39 31 0:36 /docker/abc /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n")
READ_MOUNTS, READ_OWN = cgroups._mounts, cgroups._own


def _hierarchies(tmp_path, monkeypatch, mountinfo, own):
    (tmp_path / "mountinfo").write_text(mountinfo)
    (tmp_path / "cgroup").write_text(own)
    monkeypatch.setattr(cgroups, "_mounts", lambda: READ_MOUNTS(tmp_path / "mountinfo"))
    monkeypatch.setattr(cgroups, "_own", lambda: READ_OWN(tmp_path / "cgroup"))
    return cgroups.hierarchies()


def test_v2_groups_go_below_the_own_group(tmp_path, monkeypatch):
    version, parents = _hierarchies(tmp_path, monkeypatch, V2_MOUNTINFO, "0::/user.slice/grading.scope\n")
    assert version == 2 and set(parents.values()) == {"/sys/fs/cgroup/user.slice/grading.scope"}
    assert ("memory", "memory.max", 2**30, True) in cgroups._settings(2, Limits(sandbox_memory_bytes=2**30))
    assert ("memory", "memory.oom.group", 1, False) in cgroups._settings(2, Limits())


def test_v1_needs_every_controller_and_follows_a_mount_root(tmp_path, monkeypatch):
    own = "9:pids:/docker/abc/x\n4:memory:/m\n2:cpu,cpuacct:/\n"
    version, parents = _hierarchies(tmp_path, monkeypatch, V1_MOUNTINFO, own)
    assert version == 1 and parents == {"cpu": "/sys/fs/cgroup/cpu,cpuacct", "memory": "/sys/fs/cgroup/memory/m",
                                        "pids": "/sys/fs/cgroup/pids/x"}
    version, _ = _hierarchies(tmp_path, monkeypatch, V1_MOUNTINFO.splitlines(True)[1], own)  # memory alone
    assert version == 0 and cgroups.create(Limits())[0] is None


@pytest.mark.skipif(os.geteuid() != 0 or not cgroups.probe(), reason="needs a writable cgroup hierarchy")
def test_a_group_holds_its_limits_and_is_removed_with_what_is_left_in_it():
    limits = Limits(sandbox_memory_bytes=300 * 2**20, processes=77)
    group, note = cgroups.create(limits)
    assert note.startswith(f"cgroup v{group.version} per sandbox: 300 MiB of memory and 77 processes")
    assert cgroups.Group.from_plan(group.to_plan()) == group
    read = {name: open(os.path.join(group.paths[c], name)).read().strip() for c, name, _, _ in
            cgroups._settings(group.version, limits) if os.path.exists(os.path.join(group.paths[c], name))}
    assert read.get("pids.max") == "77" and str(300 * 2**20) in read.values()
    child = os.fork()
    if child == 0:
        cgroups.join(group)
        os.execv("/bin/sleep", ["sleep", "60"])
    try:
        for _ in range(500):
            if open(os.path.join(group.folders[0], "cgroup.procs")).read().strip():
                break
            os.sched_yield()
        assert group.remove() == [] and not any(os.path.exists(f) for f in group.folders)
        assert os.waitpid(child, 0)[1] != 0  # killed with the group
    finally:
        group.remove()
