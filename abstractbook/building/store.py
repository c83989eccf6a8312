"""store: the rebuild cache's files -> bytes that this user made under this key.

A cache folder sits beside the output, where anyone who can write there (a
colleague's zip, a repository, a shared drive) may have put files. Nothing in it
is trusted: every file carries an HMAC-SHA256 made with a secret kept in the
user's own cache folder (`$XDG_CACHE_HOME/abstractbook/secret`, 0600), over the
cache key it was made under, its own name and its bytes' SHA-256. A file that fails the
check — made elsewhere, by another user, under other settings or code, swapped
with another, damaged — is treated as absent, and nothing of it is decoded. So a
cache can cost time but never run code or change the output.

The folder and its sub-folders are never followed through symbolic links, and only
files that the store names itself are ever removed.

A build reads the whole cache. A thread reads the files and hashes their bytes
ahead (`read_ahead`), while the build reads the project: the key the build needs
to check them against is known only once the project is read, and the MAC, over
the bytes' hash, then costs next to nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, NamedTuple

from ..parallel import in_thread

MAGIC = b"abcache3"
_HEAD = len(MAGIC) + hashlib.sha256().digest_size  # the magic, then the MAC
_NAME = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)?")
SECRET_BYTES = 32


def user_secret() -> bytes | None:
    """The secret that authenticates this user's cache files, made on first use.

    None when it cannot be had safely (no writable cache folder, a file that is
    not this user's alone): the build then runs without a cache."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "abstractbook"
    path = folder / "secret"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        secret = _read_private(path)
        if secret is None:
            _create_secret(folder, path)
            secret = _read_private(path)
    except OSError:
        return None
    return secret


def _read_private(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
            raise PermissionError(f"{path} is not private to this user")
        secret = f.read(SECRET_BYTES + 1)
    if len(secret) != SECRET_BYTES:
        raise PermissionError(f"{path} is not a secret of {SECRET_BYTES} bytes")
    return secret


def _create_secret(folder: Path, path: Path) -> None:
    """Write a new secret whole, then link it into place: a concurrent build either
    finds no secret or a complete one, and the first to link wins."""
    fd, tmp = tempfile.mkstemp(prefix=".secret.", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(SECRET_BYTES))
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)


class Store:
    """One cache folder, `base/parts...`: named files, each authenticated for one key.

    `base` is the folder the user chose for the output; every folder below it is
    opened without following links and must belong to this user, so files planted by
    another user, or a link to elsewhere, make the cache absent rather than misused."""

    def __init__(self, base: Path, parts: tuple[str, ...], secret: bytes) -> None:
        self.base = base
        self.parts = parts
        self.folder = base.joinpath(*parts)
        self.secret = secret
        self.ahead: _Ahead | None = None

    def _mac(self, key: str, name: str, data_hash: bytes) -> bytes:
        """The MAC of a file: over its key, its name and its bytes' SHA-256."""
        message = f"{key}\0{name}\0".encode() + data_hash
        return hmac.new(self.secret, message, hashlib.sha256).digest()

    def _split(self, name: str) -> tuple[tuple[str, ...], str]:
        if not _NAME.fullmatch(name) or ".." in name:
            raise ValueError(f"not a cache file name: {name!r}")
        *folders, file = name.split("/")
        return (*self.parts, *folders), file

    def _open_folder(self, folders: tuple[str, ...], create: bool) -> int:
        """A descriptor of `base/folders...`, each step opened without following a link
        and checked to be this user's own folder."""
        if create:
            os.makedirs(self.base, exist_ok=True)
        fd = os.open(self.base, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for part in folders:
                if create:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, 0o700, dir_fd=fd)
                inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = inner
                if os.fstat(fd).st_uid != os.geteuid():
                    raise PermissionError(f"{part}: not this user's folder")
        except BaseException:
            os.close(fd)
            raise
        return fd

    def read(self, name: str, key: str) -> bytes | None:
        """The bytes kept as `name` under `key`, or None."""
        ahead = self.ahead.take(name) if self.ahead is not None else _NOT_AHEAD
        raw = self._read_raw(name) if ahead is _NOT_AHEAD else ahead
        if not isinstance(raw, _Raw):
            return None
        if len(raw.head) < _HEAD or not raw.head.startswith(MAGIC):
            return None
        if not hmac.compare_digest(raw.head[len(MAGIC) :], self._mac(key, name, raw.hash)):
            return None
        return raw.data

    def read_ahead(self) -> None:
        """Start reading and hashing every file of the cache in a thread (see above)."""
        if self.ahead is None:
            self.ahead = _Ahead(self)

    def _read_raw(self, name: str) -> _Raw | None:
        """A file's header, bytes and their hash, as read; None if it cannot be read."""
        folders, file = self._split(name)
        try:
            dir_fd = self._open_folder(folders, create=False)
            try:
                fd = os.open(file, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dir_fd)
            finally:
                os.close(dir_fd)
            # unbuffered: the data is read into one object, not read and then copied
            with os.fdopen(fd, "rb", buffering=0) as f:
                if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                    return None
                head = f.read(_HEAD)
                data = f.read()
        except OSError:
            return None
        return _Raw(head, data, hashlib.sha256(data).digest())

    def write(self, name: str, key: str, data: bytes) -> None:
        """Keep `data` as `name` under `key`: written whole, then renamed into place.
        A cache that cannot be written costs only time, so failures are ignored."""
        self.write_with(name, key, lambda f: f.write(data))

    def write_with(self, name: str, key: str, put: Callable[[_Signed], object]) -> None:
        """Keep what `put` writes as `name` under `key`, authenticated as it is written
        (a big cache file is never held whole in memory), then renamed into place."""
        folders, file = self._split(name)
        if self.ahead is not None:
            self.ahead.take(name)  # what was read ahead is not this
        with contextlib.suppress(OSError):
            dir_fd = self._open_folder(folders, create=True)
            try:
                tmp = f".{file}.{os.getpid()}.{os.urandom(4).hex()}.part"
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                fd = os.open(tmp, flags, 0o600, dir_fd=dir_fd)
                try:
                    with os.fdopen(fd, "wb") as f:
                        f.write(MAGIC + bytes(_HEAD - len(MAGIC)))  # the MAC's room
                        signed = _Signed(f)
                        put(signed)
                        f.seek(len(MAGIC))
                        f.write(self._mac(key, name, signed.hash.digest()))
                    os.replace(tmp, file, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(tmp, dir_fd=dir_fd)
                    raise
            finally:
                os.close(dir_fd)

    def names(self, folder: str) -> list[str]:
        """The files kept in a sub-folder, as names for `read` and `remove`."""
        folders, last = self._split(folder)
        try:
            fd = self._open_folder((*folders, last), create=False)
        except OSError:
            return []
        try:
            return [f"{folder}/{n}" for n in os.listdir(fd) if _NAME.fullmatch(n)]
        finally:
            os.close(fd)

    def every_name(self) -> list[str]:
        """Every file of the cache, its sub-folders' included, as names for `read`."""
        try:
            fd = self._open_folder(self.parts, create=False)
        except OSError:
            return []
        try:
            files: list[str] = []
            folders: list[str] = []
            for n in os.listdir(fd):
                if _NAME.fullmatch(n) and not n.startswith("."):  # not a file being written
                    mode = os.stat(n, dir_fd=fd, follow_symlinks=False).st_mode
                    (folders if stat.S_ISDIR(mode) else files).append(n)
        except OSError:
            return []
        finally:
            os.close(fd)
        return files + [name for folder in folders for name in self.names(folder)]

    def remove(self, name: str) -> None:
        if self.ahead is not None:
            self.ahead.take(name)
        folders, file = self._split(name)
        with contextlib.suppress(OSError):
            dir_fd = self._open_folder(folders, create=False)
            try:
                os.unlink(file, dir_fd=dir_fd)
            finally:
                os.close(dir_fd)

    def clear(self) -> None:
        """Remove the folder (it held a cache for other settings or code). rmtree works
        through descriptors here and never follows a link inside."""
        self.ahead = None  # what it read is of no use now
        with contextlib.suppress(OSError):
            os.close(self._open_folder(self.parts, create=False))  # a folder of ours
            fd = self._open_folder(self.parts[:-1], create=False)
            try:
                shutil.rmtree(self.parts[-1], dir_fd=fd)
            finally:
                os.close(fd)


class _Signed:
    """A file being written, whose bytes are hashed for its MAC as they go."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.hash = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return self.out.write(data)


class _Raw(NamedTuple):
    head: bytes  # the magic and the MAC, as found
    data: bytes
    hash: bytes  # the data's SHA-256


_NOT_AHEAD = object()  # a file the thread has not read: the build reads it itself
_READING = object()


class _Ahead:
    """The thread that reads and hashes the cache's files ahead of the build. A file
    the build asks for before the thread reaches it is read by the build (the thread
    then leaves it), one being read is waited for, and one written or removed
    meanwhile is forgotten. A forked worker never uses it (its lock may be held)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.pid = os.getpid()
        self.lock = threading.Condition()
        self.state: dict[str, object] = {}  # name -> _READING, a _Raw, None, or taken
        self.finished = in_thread(self._run)  # waits until every file is read

    def _run(self) -> None:
        for name in self.store.every_name():
            with self.lock:
                if name in self.state:
                    continue
                self.state[name] = _READING
            raw = self.store._read_raw(name)
            with self.lock:
                if self.state.get(name) is _READING:
                    self.state[name] = raw
                self.lock.notify_all()

    def take(self, name: str) -> object:
        """The file as read ahead (a _Raw, or None if it could not be read), or
        _NOT_AHEAD; either way the thread leaves it from now on."""
        if os.getpid() != self.pid:
            return _NOT_AHEAD
        with self.lock:
            while self.state.get(name) is _READING:
                self.lock.wait()
            got = self.state.get(name, _NOT_AHEAD)
            self.state[name] = _NOT_AHEAD
        return got
