"""Readers: plain text and Markdown (also stdin), .docx and .pdf (text layer) → one str.

The text a reader returns is what offsets refer to. PDF text keeps its hard line breaks; the
sentence splitter joins wrapped lines back.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from .errors import UnreadableFileError, UnsupportedFileError

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
SUPPORTED = sorted(TEXT_SUFFIXES - {""} | {".docx", ".pdf"})
MAX_BYTES = 64 * 1024 * 1024
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_path(path: str | Path) -> Path:
    """Refuse a missing path, a folder or an unsupported type before any work (model loading) starts."""
    p = Path(path)
    if not p.exists():
        raise UnreadableFileError(f"{p}: no such file.")
    if p.is_dir():
        raise UnreadableFileError(f"{p}: is a folder; pass the files in it (or the folder to `corisk extract`).")
    suffix = p.suffix.lower()
    if suffix not in TEXT_SUFFIXES and suffix not in (".docx", ".pdf"):
        raise UnsupportedFileError(f"{p}: unsupported file type '{suffix}'; corisk reads {', '.join(SUPPORTED)}.")
    return p


def read_path(path: str | Path) -> str:
    """The text of a file; UnsupportedFileError / UnreadableFileError with one clear sentence."""
    p = check_path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise UnreadableFileError(f"{p}: {size // (1024 * 1024)} MB is more than the {MAX_BYTES // (1024 * 1024)} MB limit; split the file.")
        data = p.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(f"{p}: cannot read the file ({exc.strerror or exc}).") from None
    return read_bytes(data, p.name)


def read_bytes(data: bytes, filename: str = "") -> str:
    """The text of an uploaded or piped document, chosen by file name suffix (text when none)."""
    suffix = Path(filename).suffix.lower() if filename else ""
    name = filename or "input"
    if suffix == ".docx" or (not suffix and data[:2] == b"PK" and b"word/" in data[:4096]):
        return _docx(data, name)
    if suffix == ".pdf" or (not suffix and data[:5] == b"%PDF-"):
        return _pdf(data, name)
    if suffix and suffix not in TEXT_SUFFIXES:
        raise UnsupportedFileError(f"{name}: unsupported file type '{suffix}'; corisk reads {', '.join(SUPPORTED)}.")
    return decode_text(data, name)


def decode_text(data: bytes, name: str = "input") -> str:
    """Bytes of a text file → str (UTF-8, UTF-16 with BOM, GB18030); binary data is refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        if b"\x00" in data[:65536]:
            raise UnreadableFileError(f"{name}: looks like a binary file, not text; corisk reads {', '.join(SUPPORTED)}.")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise UnreadableFileError(f"{name}: not valid UTF-8 or GB18030 text; save it as UTF-8 and try again.") from None
    sample = text[:65536]
    if sample and (len(_CTRL.findall(sample)) > 0.01 * len(sample) or sample.count("\ufffd") > 0.05 * len(sample)):
        raise UnreadableFileError(f"{name}: looks like a binary file, not text; corisk reads {', '.join(SUPPORTED)}.")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _docx(data: bytes, name: str) -> str:
    try:
        import docx
        document = docx.Document(io.BytesIO(data))
    except Exception:
        raise UnreadableFileError(f"{name}: not a readable .docx file (corrupt or another format).") from None
    parts: list[str] = []
    body = document.element.body
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells = []
                for c in row.cells:
                    t = c.text.strip()
                    if t and (not cells or cells[-1] != t):
                        cells.append(t)
                if cells:
                    parts.append(" | ".join(cells))
    return "\n".join(parts)


def _pdf(data: bytes, name: str) -> str:
    try:
        from pypdf import PdfReader
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:
                raise UnreadableFileError(f"{name}: the PDF is encrypted; remove the password and try again.") from None
        pages = [(page.extract_text() or "") for page in reader.pages]
    except UnreadableFileError:
        raise
    except Exception:
        raise UnreadableFileError(f"{name}: not a readable PDF file (corrupt or another format).") from None
    text = "\n\n".join(p.strip("\n") for p in pages)
    if not text.strip():
        raise UnreadableFileError(f"{name}: the PDF has no text layer (a scan?); run OCR first or paste the text.")
    return text.replace("\r\n", "\n").replace("\r", "\n")
