"""Bytes of an uploaded or bulk-loaded file to text, or a clear refusal.

Sources arrive as UTF-8 from the web, as UTF-8 with a byte-order mark or
UTF-16 from Windows editors, and now and then as Windows-1252 from older press
offices. Each is tried in that order; Latin-1, which accepts any byte, comes
last and only when the result reads as text, so that a binary file is refused
rather than imported as gibberish. Line ends become LF, because every offset
the importer reports (spans, anchors) counts characters of LF text.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# Press releases and news stories are a few kilobytes; a megabyte of text is
# not an article but a mistake (a PDF, a database dump, a whole site mirror).
MAX_BYTES = 1024 * 1024

_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


# Binary formats by their first bytes: what a file is, whatever its name says.
# A file that starts so is refused as text before any decoding is tried, since
# Windows-1252 or Latin-1 would read most of them as a few odd characters.
_SIGNATURES = (
    (b"%PDF-", _("a PDF document")),
    (b"\x89PNG\r\n\x1a\n", _("a PNG image")),
    (b"\xff\xd8\xff", _("a JPEG image")),
    (b"GIF87a", _("a GIF image")),
    (b"GIF89a", _("a GIF image")),
    (b"\x7fELF", _("a program (an ELF executable)")),
    (b"\x1f\x8b", _("a gzip archive")),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        _("a Microsoft Office document of the old kind (.xls, .doc)"),
    ),
)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# The member every Office Open XML package (.xlsx, .docx, .pptx) holds.
OFFICE_MANIFEST = "[Content_Types].xml"


class ImportProblem(Exception):
    """A file that cannot be imported, with a message naming it for the editor."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        self.message = message
        super().__init__(f"{name}: {message}" if name else message)


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_like_text(text: str) -> bool:
    """Few control characters: C0 other than tab and line ends, and the C1
    range, which a Windows-1252 file misread as Latin-1 is full of."""
    if not text:
        return False
    return len(_CONTROL.findall(text)) <= max(1, len(text) // 200)


def zip_names(data: bytes) -> list[str] | None:
    """The member names of a zip archive, from its directory alone; None when
    `data` is not one."""
    if not data.startswith(ZIP_MAGIC):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def binary_kind(data: bytes) -> str:
    """What a known binary format `data` is in, in words ("a PNG image"); ""
    when it starts like none of them."""
    if data.startswith(ZIP_MAGIC):
        names = zip_names(data) or ()
        if OFFICE_MANIFEST in names:
            return str(_("an Office document (.xlsx, .docx)"))
        return str(_("a zip archive"))
    # "MZ" alone could begin a sentence; a Windows program's header has NULs.
    if data.startswith(b"MZ") and b"\x00" in data[:64]:
        return str(_("a Windows program (an .exe or .dll)"))
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return str(kind)
    return ""


def check_size(size: int, *, name: str = "", max_bytes: int = MAX_BYTES) -> None:
    """Refuse a file over the limit before anything reads or decodes it."""
    if size > max_bytes:
        raise ImportProblem(
            name,
            str(
                _(
                    "the file is %(size)s bytes, more than the limit of %(limit)s "
                    "bytes for one article."
                )
            )
            % {"size": f"{size:,}", "limit": f"{max_bytes:,}"},
        )


def decode(data: bytes, *, name: str = "", max_bytes: int = MAX_BYTES) -> DecodedText:
    """The text of a file's bytes, or ImportProblem saying what is wrong."""
    check_size(len(data), name=name, max_bytes=max_bytes)
    if not data.strip():
        raise ImportProblem(name, str(_("the file is empty.")))
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as error:
                raise ImportProblem(
                    name,
                    str(
                        _(
                            "the file starts with a %(encoding)s byte-order mark "
                            "but is not valid %(encoding)s (byte %(position)s)."
                        )
                    )
                    % {"encoding": encoding, "position": error.start},
                ) from error
            return _checked(text, encoding, name)
    if kind := binary_kind(data):
        raise ImportProblem(
            name,
            str(_("the file holds binary data, not text: it is %(kind)s."))
            % {"kind": kind},
        )
    if b"\x00" in data:
        raise ImportProblem(
            name, str(_("the file holds binary data (NUL bytes), not text."))
        )
    try:
        return _checked(data.decode("utf-8"), "utf-8", name)
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return _checked(
                text,
                encoding,
                name,
                warnings=(
                    str(
                        _(
                            "The file is not UTF-8; it was read as %(encoding)s. "
                            "Check quotation marks and accented letters."
                        )
                    )
                    % {"encoding": encoding},
                ),
            )
    raise ImportProblem(
        name,
        str(_("the file is not text in UTF-8, UTF-16 or Windows-1252.")),
    )


def _checked(
    text: str, encoding: str, name: str, warnings: tuple[str, ...] = ()
) -> DecodedText:
    text = normalise_newlines(text.lstrip("\ufeff"))
    if not text.strip():
        raise ImportProblem(name, str(_("the file is empty.")))
    if not _looks_like_text(text):
        raise ImportProblem(
            name, str(_("the file holds control characters, not readable text."))
        )
    return DecodedText(text=text, encoding=encoding, warnings=warnings)
