"""Refuse the system calls grading does not need: a seccomp filter, through libseccomp (pyseccomp).

The sandbox's server loads it (:func:`install`) after it dropped to the sandbox uid, right before it
serves: TensorFlow is imported by then, and every process and thread the submission starts inherits
it.  A refused call fails with EPERM, so student code sees an ``OSError``; ``clone3`` fails with
ENOSYS, on which the C library falls back to ``clone``, whose namespace flags are refused.

What is refused is every kernel object that two sandboxes could both reach (file locks, leases and
change notifications on the read-only files every sandbox binds, probes of their page cache, IPC
objects, keyrings, named and abstract sockets), the network (sockets other than AF_UNIX), other processes' memory, and what only
administers the machine or builds another sandbox (mounts, namespaces, modules, BPF, io_uring).
"""
import errno

try:
    import pyseccomp as seccomp
    MISSING = ""
except (ImportError, RuntimeError, OSError) as err:  # no binding, or no libseccomp.so.2
    seccomp, MISSING = None, f"{type(err).__name__}: {err}"

AF_UNIX = 1
NAMESPACE_FLAGS = {"CLONE_NEWNS": 0x00020000, "CLONE_NEWCGROUP": 0x02000000, "CLONE_NEWUTS": 0x04000000,
                   "CLONE_NEWIPC": 0x08000000, "CLONE_NEWUSER": 0x10000000, "CLONE_NEWPID": 0x20000000,
                   "CLONE_NEWNET": 0x40000000}
RWF_NOWAIT = 0x8  # preadv2/pwritev2: fail instead of waiting, which tells whether a page is cached
#: fcntl commands that act on an open file description other sandboxes can see (locks, leases, dnotify).
FCNTL_REFUSED = {"F_GETLK": 5, "F_SETLK": 6, "F_SETLKW": 7, "F_OFD_GETLK": 36, "F_OFD_SETLK": 37,
                 "F_OFD_SETLKW": 38, "F_SETLEASE": 1024, "F_GETLEASE": 1025, "F_NOTIFY": 1026}

#: Refused outright (EPERM), by what they would give a submission.
REFUSED = {
    "locks and access events on files other sandboxes also read": (
        "flock", "inotify_init", "inotify_init1", "inotify_add_watch", "fanotify_init", "fanotify_mark"),
    "page cache residency of files other sandboxes also read": ("mincore", "cachestat"),
    "named or abstract sockets (a rendezvous with another sandbox)": ("bind", "listen", "connect"),
    "FIFOs and device nodes": ("mknod", "mknodat"),
    "System V and POSIX IPC objects": (
        "msgget", "semget", "shmget", "mq_open", "mq_unlink", "mq_notify", "mq_timedsend", "mq_timedreceive",
        "mq_getsetattr"),
    "kernel keyrings": ("keyctl", "add_key", "request_key"),
    "other processes and their memory": (
        "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "perf_event_open"),
    "kernel programs and shared kernel queues": (
        "bpf", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register"),
    "mounts and namespaces": (
        "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "fsopen", "fsconfig", "fsmount", "fspick",
        "move_mount", "open_tree", "mount_setattr"),
    "files by handle (past the sandbox's view of the filesystem)": ("name_to_handle_at", "open_by_handle_at"),
    "administering the machine": (
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon",
        "swapoff", "acct", "quotactl", "quotactl_fd", "syslog", "settimeofday", "clock_settime", "clock_adjtime",
        "adjtimex", "sethostname", "setdomainname", "iopl", "ioperm", "vhangup", "lookup_dcookie", "uselib"),
}


def _resolve(name):
    """The native number of syscall ``name``, or None where this architecture has no such call."""
    number = seccomp.resolve_syscall(seccomp.Arch.NATIVE, name)
    return number if number >= 0 else None


def build(network=False):
    """The filter (not loaded) and the description that goes into the isolation dict.

    ``network``: the plan allows the network (then sockets of every family, bind and connect stay).
    """
    eperm = seccomp.ERRNO(errno.EPERM)
    f = seccomp.SyscallFilter(seccomp.ALLOW)
    f.set_attr(seccomp.Attr.ACT_BADARCH, eperm)  # 32-bit entry points do not bypass the rules
    refused, unknown = {}, []
    for why, names in REFUSED.items():
        for name in names:
            if network and name in ("bind", "listen", "connect"):
                continue
            if _resolve(name) is None:
                unknown.append(name)
                continue
            f.add_rule(eperm, name)
            refused.setdefault(why, []).append(name)
    for name in () if network else ("socket", "socketpair"):
        f.add_rule(eperm, name, seccomp.Arg(0, seccomp.NE, AF_UNIX))
    for name in ("preadv2", "pwritev2"):
        f.add_rule(eperm, name, seccomp.Arg(5, seccomp.MASKED_EQ, RWF_NOWAIT, RWF_NOWAIT))
    for value in FCNTL_REFUSED.values():
        f.add_rule(eperm, "fcntl", seccomp.Arg(1, seccomp.EQ, value))
    for flag in NAMESPACE_FLAGS.values():
        f.add_rule(eperm, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    if _resolve("clone3") is not None:
        f.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    description = {
        "filter": f"seccomp through libseccomp (pyseccomp {seccomp.__version__}); refused calls fail with EPERM",
        "refused": refused,
        "socket": "every family (the plan allows the network)" if network else "AF_UNIX only (no network)",
        "fcntl": sorted(FCNTL_REFUSED, key=FCNTL_REFUSED.get),
        "preadv2/pwritev2": "no RWF_NOWAIT (it tells whether a page is cached)",
        "clone": "no namespace flags; clone3 fails with ENOSYS (the C library falls back to clone)",
    }
    if unknown:
        description["not on this architecture"] = unknown
    return f, description


def install(network=False):
    """Load the filter into this process (inherited by every later thread and child).

    Returns:
        The description of what is refused (a dict), or a string starting with "NOT filtered" that
        says why no filter could be loaded.
    """
    if seccomp is None:
        return f"NOT filtered (libseccomp unavailable: {MISSING})"
    try:
        f, description = build(network)
        f.load()
    except OSError as err:
        return f"NOT filtered (seccomp refused: {err})"
    return description
