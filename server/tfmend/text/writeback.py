"""Writing a fix back: compare-and-swap against what was read, keeping the file's identity."""

from __future__ import annotations

import contextlib
import enum
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Snapshot:
    """What a file held when it was read: its content hash, size and modification time."""

    digest: str
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, data: bytes, stat: os.stat_result) -> Snapshot:
        """The snapshot of bytes read from a file whose status is `stat`."""
        return cls(hashlib.sha256(data).hexdigest(), stat.st_size, stat.st_mtime_ns)

    def matches(self, data: bytes, stat: os.stat_result) -> bool:
        """Whether the file still holds what was read (size and time first: they are cheap)."""
        if (stat.st_size, stat.st_mtime_ns) != (self.size, self.mtime_ns):
            return False
        return hashlib.sha256(data).hexdigest() == self.digest


def read_snapshot(path: Path) -> tuple[bytes, Snapshot]:
    """A file's bytes and the snapshot of them, taken from one open file."""
    with path.open("rb") as handle:
        data = handle.read()
        return data, Snapshot.of(data, os.fstat(handle.fileno()))


class Outcome(enum.Enum):
    """What became of one write."""

    WRITTEN = "written"
    CHANGED = "changed while fixing"
    OUTSIDE = "links outside the tree"


class _ChangedError(Exception):
    """The file no longer holds what the fix was computed from."""


def write_fixed(
    path: Path, data: bytes, expected: Snapshot, *, roots: tuple[Path, ...] = ()
) -> Outcome:
    """Write `data` over `path` unless it changed since `expected` (OSError if it cannot).

    A symbolic link is followed when its target lies under one of `roots` (or `roots` is
    empty) and left alone otherwise. A file with other hard links, or in a directory that
    cannot take a new entry, is rewritten in place after a full backup in memory, so every
    name sees the fix; any other file gets a temporary sibling renamed over it, carrying the
    original's mode, owner, group and extended attributes.
    """
    target = path.resolve() if path.is_symlink() else path
    if target != path and roots and not any(_under(target, root) for root in roots):
        return Outcome.OUTSIDE
    try:
        if _needs_in_place(target):
            _write_in_place(target, data, expected)
        else:
            _write_by_rename(target, data, expected)
    except _ChangedError:
        return Outcome.CHANGED
    return Outcome.WRITTEN


def _under(path: Path, root: Path) -> bool:
    resolved = root.resolve()
    return path == resolved or resolved in path.parents


def _needs_in_place(path: Path) -> bool:
    return path.stat().st_nlink > 1 or not os.access(path.parent, os.W_OK)


def _check(handle_or_path: int | Path, expected: Snapshot) -> bytes:
    """The current bytes, after making sure they are still what the fix was computed from."""
    if isinstance(handle_or_path, Path):
        current, snapshot = read_snapshot(handle_or_path)
        if snapshot != expected:
            raise _ChangedError
        return current
    os.lseek(handle_or_path, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(handle_or_path, 1 << 20):
        chunks.append(chunk)
    current = b"".join(chunks)
    if not expected.matches(current, os.fstat(handle_or_path)):
        raise _ChangedError
    return current


def _write_in_place(path: Path, data: bytes, expected: Snapshot) -> None:
    fd = os.open(path, os.O_RDWR)
    try:
        backup = _check(fd, expected)
        try:
            _rewrite(fd, data)
        except BaseException:
            # A half-written file loses more than a failed fix: put the original back.
            _rewrite(fd, backup)
            raise
    finally:
        os.close(fd)


def _rewrite(fd: int, data: bytes) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.ftruncate(fd, len(data))
    os.fsync(fd)


def _write_by_rename(path: Path, data: bytes, expected: Snapshot) -> None:
    status = path.stat()
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tfmend", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, status.st_mode & 0o7777)
        with contextlib.suppress(OSError):  # only root may give a file away; others keep theirs
            os.chown(tmp, status.st_uid, status.st_gid)
        _copy_xattrs(path, tmp)
        _check(path, expected)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _copy_xattrs(source: Path, destination: Path) -> None:
    """Extended attributes (SELinux labels, macOS quarantine…) where the platform has them."""
    if not hasattr(os, "listxattr"):
        return
    try:
        names = os.listxattr(source)
    except OSError:
        return
    for name in names:
        with contextlib.suppress(OSError):  # some namespaces are not ours to set
            os.setxattr(destination, name, os.getxattr(source, name))
