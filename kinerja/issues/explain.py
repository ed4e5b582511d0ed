"""A library's error, said in Indonesian at the edge; its own (English) text goes to the log only.

zipfile says "File is not a zip file", expat "unrecognized entity", python-calamine "Cannot
detect file format", pydantic a sentence and a URL. A person reads `explain(e)`; the original
text is kept in the log (logger 'kinerja', which the CLI writes to kinerja-galat.log beside the
master) for whoever investigates.
"""

from __future__ import annotations

import errno
import json
import logging
import zipfile

log = logging.getLogger("kinerja")
log.addHandler(logging.NullHandler())  # never printed on the screen; the CLI adds its log file

# (a piece of the library's text, lower case) -> what it means
_TEXTS = [
    ("not a zip file", "bukan arsip zip yang utuh (file rusak, atau bukan file Excel atau Word)"),
    ("bad magic number", "bukan arsip zip yang utuh (file rusak, atau bukan file Excel atau Word)"),
    ("truncated", "file terpotong (pengiriman atau penyimpanan tidak selesai)"),
    ("unexpected end", "file terpotong (pengiriman atau penyimpanan tidak selesai)"),
    ("eof", "file terpotong (pengiriman atau penyimpanan tidak selesai)"),
    ("cannot detect file format", "format file tidak dikenali"),
    ("unrecognized entity", "isi XML di dalamnya memakai entitas yang tidak dikenal (file rusak atau dibuat bukan oleh Excel)"),
    ("entit", "isi XML di dalamnya memakai entitas yang ditolak demi keamanan"),
    ("dtd", "isi XML di dalamnya memakai DTD yang ditolak demi keamanan"),
    ("not well-formed", "isi XML di dalamnya rusak"),
    ("xml", "isi XML di dalamnya rusak"),
    ("password", "file dilindungi kata sandi"),
    ("encrypt", "file dilindungi kata sandi"),
    ("compression method", "file dimampatkan dengan cara yang tidak didukung"),
]

_ERRNO = {
    errno.ENOSPC: "disk penuh",
    errno.EFBIG: "file melebihi batas ukuran (disk penuh?)",
    errno.EDQUOT: "kuota disk habis",
    errno.EACCES: "tidak ada izin",
    errno.EPERM: "tidak ada izin",
    errno.EROFS: "folder hanya-baca",
    errno.ENOENT: "file atau folder tidak ditemukan",
    errno.EISDIR: "yang dituju adalah folder, bukan file",
    errno.ENOTDIR: "bagian jalurnya bukan folder",
    errno.EBUSY: "file sedang dipakai program lain",
    errno.ETXTBSY: "file sedang dipakai program lain",
    errno.ENAMETOOLONG: "nama file terlalu panjang",
    errno.EIO: "gagal membaca atau menulis disk (disk penuh, atau perangkat/jaringan bermasalah)",
    errno.ELOOP: "tautan berputar",
    errno.EEXIST: "sudah ada file dengan nama itu",
}


def explain(e: BaseException, fallback: str = "isi file tidak dapat diuraikan") -> str:
    """An Indonesian phrase for `e` (no library text); the original is logged. `fallback` when
    nothing more is known of it."""
    from kinerja.issues.catalogue import KinerjaError  # the project's own: Indonesian already

    if isinstance(e, KinerjaError):
        return e.message
    log.warning("%s: %s", type(e).__name__, e)
    if isinstance(e, OSError) and e.errno in _ERRNO:
        return _ERRNO[e.errno]
    template = _template_error(e)
    if template:
        return template
    if isinstance(e, MemoryError):
        return "memori komputer tidak cukup"
    if isinstance(e, UnicodeError):
        return "teks dengan pengodean huruf yang tidak dikenali"
    if _is_validation(e):
        return validation_text(e)
    if isinstance(e, json.JSONDecodeError):
        return f"bukan JSON yang sah (baris {e.lineno}, kolom {e.colno})"
    if isinstance(e, KeyError) and "no item named" in str(e).lower():  # zipfile: a part is missing
        return "bagian di dalam file tidak ada (file rusak atau bukan dokumen Office)"
    if isinstance(e, KeyError):
        return f"isian '{e.args[0] if e.args else ''}' tidak ada"
    if isinstance(e, ValueError) and _indonesian(str(e)):
        return str(e)  # the project's own messages (models, numbers) are already Indonesian
    text = str(e).lower()
    for piece, meaning in _TEXTS:
        if piece in text:
            return meaning
    if isinstance(e, zipfile.BadZipFile):
        return "bukan arsip zip yang utuh (file rusak, atau bukan file Excel atau Word)"
    if isinstance(e, OSError):
        return "kesalahan sistem berkas"
    return fallback


# a Word template that failed while it was filled, for no reason more precise
TEMPLATE_FAILED = "sebuah isian atau perintah di templat gagal diisi (periksa isian yang baru diubah)"


def _template_error(e: BaseException) -> str:
    """A Word template's Jinja tags or package, said in Indonesian ('' when `e` is neither)."""
    kind = {c.__name__ for c in type(e).__mro__}
    if "TemplateSyntaxError" in kind:
        return ("penulisan isian templat salah: kurung kurawal pembuka dan penutup isian tidak berpasangan, "
                "atau perintah if/for tidak lengkap atau tidak dikenal")
    if "UndefinedError" in kind:
        return "templat memakai isian yang tidak disediakan"
    if "TemplateError" in kind:
        return "isian templat tidak dapat diisi"
    if "PackageNotFoundError" in kind:
        return "bukan dokumen Word (.docx) atau file tidak ditemukan"
    return ""


def _is_validation(e: BaseException) -> bool:
    try:
        from pydantic import ValidationError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(e, ValidationError)


_FIELD_NAMES = {"kode": "kode", "nama": "nama", "unit": "unit", "nip": "NIP", "tahun": "tahun",
                "jenis": "jenis periode", "nomor": "nomor periode", "polaritas": "polaritas",
                "metode": "metode", "satuan": "satuan", "target_tw": "target triwulan"}


def validation_text(e, first: bool = False) -> str:
    """pydantic's errors (the first three, or the `first`) as Indonesian: the field, the value,
    and the project's own reason when a validator gave one (pydantic's sentence and URL stay in
    the log)."""
    parts = []
    for err in e.errors()[:1 if first else 3]:
        loc = ".".join(str(x) for x in err.get("loc", ()))
        name = _FIELD_NAMES.get(loc, loc or "isian")
        value = err.get("input")
        shown = f" '{value}'" if isinstance(value, (str, int, float)) else ""
        ctx = err.get("ctx") or {}
        reason = str(ctx.get("error", "")) if "error" in ctx else ""
        if not reason or _english(reason):
            kind = str(err.get("type", ""))
            reason = ("wajib diisi" if kind == "missing" else "bukan angka" if "number" in kind or "int" in kind
                      or "float" in kind else "bukan tanggal" if "date" in kind else "tidak sesuai aturan penulisan"
                      if "pattern" in kind else "bentuknya tidak sah")
        parts.append(f"{name}{shown} {reason}".strip())
    return "; ".join(parts)


_ID_WORDS = (" tidak ", " harus ", " bukan ", " hanya ", "kosong", " belum ", " sudah ", " dikenal", " ada ")


_EN_WORDS = (" the ", " must ", " is ", " not ", " be ", " should ", " invalid", " out of range", " for ",
             " with ", " expected", " unexpected", " error", " value ", " cannot ", " does ")


def _english(text: str) -> bool:
    """A library's sentence (the project's own reasons are Indonesian)."""
    padded = f" {text.lower()} "
    return any(w in padded for w in _EN_WORDS) and not _indonesian(text)


def _indonesian(text: str) -> bool:
    padded = f" {text.lower()} "
    return any(w in padded for w in _ID_WORDS)


_BIDI = {0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def shown(text: str) -> str:
    """Text as it may be shown on a terminal: control characters (escape sequences, bidi
    overrides) written as escapes ('\\x1b', '\\n'), undecodable bytes of a file name (held as
    surrogates) as '\\xe9'. Everything else unchanged."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        n = ord(ch)
        if 0xDC80 <= n <= 0xDCFF:  # a byte os.fsdecode could not decode
            out.append(f"\\x{n - 0xDC00:02x}")
        elif ch in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch])
        elif n < 0x20 or 0x7F <= n < 0xA0 or n in _BIDI or 0xD800 <= n <= 0xDFFF:
            out.append(f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}")
        else:
            out.append(ch)
    return "".join(out)
