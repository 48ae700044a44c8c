"""Uploads and paths to the text files in them, each read or refused by name.

An editor uploads one `.txt` file or a `.zip` of many; the management command
takes files, zips and directories. Everything here is checked before it is
read, because an archive is untrusted input: a zip may declare a few kilobytes
packed and gigabytes unpacked (a zip bomb), name its members "../../etc/x"
(path traversal), hold symbolic links, encrypted or binary members. Nothing is
ever extracted to disk; members are read into memory, each at most one byte
over the per-file limit, so that a member that lies about its size is caught
too.

What a file is comes from its bytes, not its name: a zip is unpacked whatever
it is called, and a ".txt" that is an image, a PDF or a program is refused as
such by the decoder (encoding.binary_kind), at the top level as in a zip.

A file that cannot be read becomes a `SourceFile` with a `problem` that names
it, and the rest of the batch goes on; an archive over the member count or the
total size is refused whole, since nothing in it can be trusted.
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from briefings.importing.encoding import (
    OFFICE_MANIFEST,
    ZIP_MAGIC,
    ImportProblem,
    binary_kind,
)

TEXT_SUFFIX = ".txt"
ZIP_SUFFIX = ".zip"
# What the operating system's archiver adds beside the files: resource forks of
# macOS (binary "._name.txt" copies). Not content, so skipped without a word.
_ARCHIVER_FOLDERS = ("__MACOSX/",)


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one import may read; see config/settings.py."""

    file_bytes: int
    zip_members: int
    zip_total_bytes: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            file_bytes=settings.IMPORT_TEXT_MAX_BYTES,
            zip_members=settings.IMPORT_ZIP_MAX_MEMBERS,
            zip_total_bytes=settings.IMPORT_ZIP_MAX_TOTAL_BYTES,
        )


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One text file of a batch, or the reason it cannot be imported.

    `name` is what the editor knows it by: the upload's or path's name, or
    "archive.zip/member.txt" for a member of a zip.
    """

    name: str
    data: bytes = b""
    problem: str = ""


def _number(number: int) -> str:
    return f"{number:,}"


def too_large(limit: int) -> str:
    return _("the file is over the limit of %(limit)s bytes for one article.") % {
        "limit": _number(limit)
    }


def is_zip(data: bytes) -> bool:
    """Sniffed from the content, not the name; an empty zip counts."""
    return data.startswith(ZIP_MAGIC) and zipfile.is_zipfile(io.BytesIO(data))


def member_infos(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The members of `archive` that are files of the upload: not its folders,
    nor what the archiver added beside them."""
    return [
        info
        for info in archive.infolist()
        if not info.is_dir() and not info.filename.startswith(_ARCHIVER_FOLDERS)
    ]


def file_count(data: bytes) -> int:
    """How many files one upload holds, from a zip's directory alone: its
    members, or 1 for a text file, or for a zip that cannot be read (which the
    import then reports)."""
    if not is_zip(data):
        return 1
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return len(member_infos(archive))
    except (zipfile.BadZipFile, OSError, ValueError):
        return 1


def read_upload(stream: BinaryIO, limits: Limits) -> bytes:
    """An upload's bytes, at most one past the limit of what its first bytes
    say it is (a zip or a text file): enough for unpack() to refuse a file that
    is too large, without holding all of it."""
    head = stream.read(len(ZIP_MAGIC[0]))
    limit = limits.zip_total_bytes if head in ZIP_MAGIC else limits.file_bytes
    return head + stream.read(limit + 1 - len(head))


def unpack(name: str, data: bytes, *, limits: Limits) -> list[SourceFile]:
    """The text files of one upload: its members if its bytes are a zip,
    whatever its name; itself if it is a `.txt`. `data` may be cut at the limit
    plus one byte by a caller that read no further; the refusal then says "over
    the limit"."""
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if data.startswith(ZIP_MAGIC):
        if len(data) > limits.zip_total_bytes:
            return [
                SourceFile(
                    name,
                    problem=_(
                        "the archive is over the limit of %(limit)s bytes for "
                        "one import."
                    )
                    % {"limit": _number(limits.zip_total_bytes)},
                )
            ]
        return list(_members(name, data, limits))
    if suffix == ZIP_SUFFIX:
        kind = binary_kind(data)
        return [
            SourceFile(
                name,
                problem=_("the file is not a zip archive: it is %(kind)s.")
                % {"kind": kind}
                if kind
                else _("the file is not a zip archive."),
            )
        ]
    if suffix != TEXT_SUFFIX:
        return [SourceFile(name, problem=_wrong_kind())]
    if len(data) > limits.file_bytes:
        return [SourceFile(name, problem=too_large(limits.file_bytes))]
    # A .txt that is really binary (a PDF or an image renamed) is refused by
    # the decoder, which reads the bytes rather than trusting the name, as it
    # does for each member of a zip.
    return [SourceFile(name, data)]


def _wrong_kind() -> str:
    return _("only .txt files and .zip archives of .txt files can be imported.")


def _member_problem(info: zipfile.ZipInfo, limits: Limits) -> str:
    """Why a member cannot be read, from its header alone; "" when it can."""
    raw = info.filename
    path = PurePosixPath(raw)
    if (
        "\\" in raw
        or raw.startswith("/")
        or ".." in path.parts
        or (len(raw) > 1 and raw[1] == ":")
    ):
        return _("the name leads outside the archive; it is not read.")
    mode = info.external_attr >> 16
    if info.create_system == 3 and stat.S_ISLNK(mode):
        return _("it is a symbolic link, not a file.")
    if info.flag_bits & 0x1:
        return _("it is encrypted.")
    if path.suffix.lower() != TEXT_SUFFIX:
        return _wrong_kind()
    if info.file_size > limits.file_bytes:
        return too_large(limits.file_bytes)
    return ""


def _members(name: str, data: bytes, limits: Limits) -> Iterator[SourceFile]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        yield SourceFile(
            name,
            problem=_("the zip archive cannot be read: %(error)s") % {"error": error},
        )
        return
    with archive:
        if OFFICE_MANIFEST in archive.namelist():
            # An .xlsx or .docx is a zip too, but of XML, not of articles.
            yield SourceFile(
                name,
                problem=_(
                    "the file is an Office document (.xlsx, .docx), not text or a "
                    "zip of text files."
                ),
            )
            return
        infos = member_infos(archive)
        # Refused whole before anything is decompressed: the headers are all a
        # bomb has to show.
        if len(infos) > limits.zip_members:
            yield SourceFile(
                name,
                problem=_(
                    "the archive holds %(count)s files, more than the limit of "
                    "%(limit)s for one import."
                )
                % {"count": _number(len(infos)), "limit": _number(limits.zip_members)},
            )
            return
        declared = sum(info.file_size for info in infos)
        if declared > limits.zip_total_bytes:
            yield SourceFile(
                name,
                problem=_(
                    "the archive unpacks to %(size)s bytes, more than the limit of "
                    "%(limit)s bytes for one import."
                )
                % {"size": _number(declared), "limit": _number(limits.zip_total_bytes)},
            )
            return
        if not infos:
            yield SourceFile(name, problem=_("the archive holds no files."))
            return
        read = 0
        for info in infos:
            member = f"{name}/{info.filename}"
            problem = _member_problem(info, limits)
            if problem:
                yield SourceFile(member, problem=problem)
                continue
            try:
                with archive.open(info) as stream:
                    content = stream.read(limits.file_bytes + 1)
            except (
                zipfile.BadZipFile,
                zlib.error,
                EOFError,
                NotImplementedError,
                RuntimeError,
                OSError,
            ) as error:
                yield SourceFile(
                    member,
                    problem=_("it cannot be unpacked: %(error)s") % {"error": error},
                )
                continue
            # The header may understate the size; what was read is the truth.
            if len(content) > limits.file_bytes:
                yield SourceFile(member, problem=too_large(limits.file_bytes))
                continue
            read += len(content)
            if read > limits.zip_total_bytes:
                yield SourceFile(
                    name,
                    problem=_(
                        "the archive unpacks to more than the limit of %(limit)s "
                        "bytes for one import; the rest is not read."
                    )
                    % {"limit": _number(limits.zip_total_bytes)},
                )
                return
            yield SourceFile(member, content)


def read_paths(
    paths: Iterable[str | Path], *, limits: Limits
) -> list[tuple[str, bytes]]:
    """Files, zips and directories of `.txt` files on disk, as uploads.

    A directory contributes its `.txt` files, recursively and in name order
    (anything else in it is not an article and is passed over); a file is read
    only up to its limit plus one byte, so that a huge file is refused without
    being loaded. A path that cannot be read at all is the operator's mistake,
    not the file's: ImportProblem, before anything is imported.
    """
    uploads: list[tuple[str, bytes]] = []
    for path in map(Path, paths):
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() == TEXT_SUFFIX
            )
        else:
            files = [path]
        for file in files:
            try:
                with file.open("rb") as stream:
                    uploads.append((str(file), read_upload(stream, limits)))
            except OSError as error:
                raise ImportProblem(
                    str(file),
                    _("the file cannot be read: %(error)s")
                    % {"error": error.strerror or error},
                ) from error
    return uploads
