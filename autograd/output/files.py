"""Saving files safely: special files refused, a complete new file renamed over the old one.

Every save in valuegrad (drawings, step-through pages, weights files, the command line's outputs)
goes through here, so each keeps the same promises:

- Anything at the path that is not a regular file (a directory, a FIFO, a device such as
  /dev/null or a terminal, a socket) is refused before anything is written: writing to a FIFO
  would wait forever for a reader.
- The new bytes go to a temporary file beside the target, which is flushed to disk and then
  renamed over it.  A save interrupted at any point (even by ``kill -9``) leaves either the old
  file or the new one, never a mixture.
- A target with several hard links is refused: a rename gives this name a new file and leaves
  the other links holding the old contents, and rewriting the shared file in place is what an
  interrupted save must never do.  So is a file in a folder we may not write (no room for the
  temporary file).  Either way the error names the path and why, and nothing was written.
- Temporary files are named ``.<name>.valuegrad-<pid>-<random>.tmp``; one left by a save that
  was killed is removed (with a warning naming it) by the next save to the same path.
- Errors name the path the caller gave, never the temporary file.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import warnings

_KINDS = [(stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISSOCK, "a socket")]
_TEMPORARY = ".valuegrad-"  # marks our temporary files: .<name>.valuegrad-<pid>-<hex>.tmp
_NAME_ROOM = 180  # of the target's name kept in the temporary's, so it fits in 255 bytes


def kind(mode: int) -> str:
    """What a file of this mode is, in words ('a FIFO (named pipe)', ...)."""
    return next((text for test, text in _KINDS if test(mode)), "a special file")


def check_target(path: str | os.PathLike[str], what: str = "a file") -> os.stat_result | None:
    """Refuse a path holding anything but a regular file; its stat, or None if nothing is there.

    The path is followed through symbolic links (``/dev/stdout`` to a pipe is a FIFO).
    """
    shown = os.fspath(path)
    try:
        old = os.stat(shown)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise ValueError(f"cannot save {what} to {shown!r}: a part of the path before the "
                         f"name is a file, not a folder; nothing was written") from None
    if not stat.S_ISREG(old.st_mode):
        raise ValueError(f"cannot save {what} to {shown!r}: it is {kind(old.st_mode)}, not a "
                         f"regular file; nothing was written")
    return old


def check_writable(path: str | os.PathLike[str], what: str = "a file",
                   overwrite: bool | None = None) -> None:
    """Raise now what write_file() would refuse at `path` (for checks before any work)."""
    _prepare(os.fspath(path), what, overwrite)


def write_file(path: str | os.PathLike[str], data: bytes, *, what: str = "a file",
               overwrite: bool | None = None) -> None:
    """Put `data` at `path` at once: special files refused, permissions kept, never half-written.

    A read-only file is replaced only with ``overwrite=True``; ``None`` means the caller offers
    no such option (the error then says to make the file writable).
    """
    shown = os.fspath(path)
    old, directory, base = _prepare(shown, what, overwrite)
    _remove_stale(directory, base)
    try:
        _replace(directory, base, data, old)
    except OSError as err:
        # Name the caller's path: the temporary file is ours, not something the user knows.
        raise type(err)(err.errno, f"{err.strerror} (saving {what} to {shown!r}; the old file, "
                                   f"if any, is unchanged)") from None


def _prepare(shown: str, what: str,
             overwrite: bool | None) -> tuple[os.stat_result | None, str, str]:
    """Every check before a save: the old file's stat, and the folder and name to write."""
    old = check_target(shown, what)
    # A symbolic link is followed: renaming over the link itself would leave its target holding
    # the old contents while the link became a separate file.
    directory, base = os.path.split(os.path.realpath(shown))
    if old is not None:
        read_only = not old.st_mode & 0o222 or not os.access(os.path.join(directory, base),
                                                              os.W_OK)
        if read_only and not overwrite:
            hint = ("Pass overwrite=True to replace it" if overwrite is not None
                    else "Make it writable to replace it")
            raise PermissionError(f"{shown!r} is read-only (mode {stat.filemode(old.st_mode)}); "
                                  f"nothing was written.  {hint}")
        if old.st_nlink > 1:
            raise ValueError(
                f"cannot save {what} to {shown!r}: it has {old.st_nlink} hard links.  A save "
                f"writes a complete new file and renames it over the old one, so that an "
                f"interrupted save never leaves a damaged file; that would give this name a new "
                f"file while the other links kept the old contents.  Nothing was written: save "
                f"under another name, or delete this name first (os.remove) if it should no "
                f"longer share its contents")
    if not os.path.isdir(directory or "."):
        raise FileNotFoundError(2, f"cannot save {what} to {shown!r}: the folder "
                                   f"{directory!r} does not exist; nothing was written")
    if not os.access(directory or ".", os.W_OK):
        raise PermissionError(f"cannot save {what} to {shown!r}: its folder {directory!r} is "
                              f"not writable, and a save writes the new file beside the old one "
                              f"before it replaces it (so an interrupted save damages nothing); "
                              f"nothing was written")
    return old, directory, base


def _temporary_prefix(base: str) -> str:
    return f".{base[:_NAME_ROOM]}{_TEMPORARY}"


def _replace(directory: str, base: str, data: bytes, old: os.stat_result | None) -> None:
    temporary = os.path.join(directory, f"{_temporary_prefix(base)}{os.getpid()}-"
                                        f"{secrets.token_hex(6)}.tmp")
    # A new file is created 0666 less the umask, as open() would; a replacement starts private
    # and takes the old file's permission bits before it becomes visible.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                 0o666 if old is None else 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if old is not None:
                os.fchmod(fd, stat.S_IMODE(old.st_mode))
                _keep_owner(fd, old)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, os.path.join(directory, base))
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    # The rename itself reaches the disk only when the folder is flushed (POSIX); best effort.
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _keep_owner(fd: int, old: os.stat_result) -> None:
    if (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
        try:
            os.fchown(fd, old.st_uid, old.st_gid)
        except PermissionError:
            pass  # only root may give a file away; the file is ours then, as with any editor


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def stale_temporaries(directory: str, base: str) -> list[str]:
    """Temporary files of saves to `base` whose process is gone (killed mid-save)."""
    prefix = _temporary_prefix(base)
    pattern = re.compile(re.escape(prefix) + r"(\d+)-[0-9a-f]+\.tmp")
    found = []
    try:
        names = os.listdir(directory or ".")
    except OSError:
        return []
    for name in names:
        match = pattern.fullmatch(name)
        if match and int(match.group(1)) != os.getpid() and not _alive(int(match.group(1))):
            found.append(os.path.join(directory, name))
    return sorted(found)


def _remove_stale(directory: str, base: str) -> None:
    removed = []
    for leftover in stale_temporaries(directory, base):
        try:
            os.unlink(leftover)
            removed.append(leftover)
        except OSError:
            pass
    if removed:
        warnings.warn(f"removed {len(removed)} temporary file(s) left by an interrupted save of "
                      f"{os.path.join(directory, base)!r}: {', '.join(map(repr, removed))}",
                      stacklevel=3)
