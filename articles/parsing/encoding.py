"""Bytes → text. UTF-8 (with or without BOM) and UTF-16 with a BOM are read as such;
GB18030/GBK, common in older Chinese exports, is recognised when UTF-8 fails."""

import codecs
import re

from .document import ImportFormatError

_CJK = re.compile("[\u4e00-\u9fff]")
# Invisible in a page, and fatal to XML: one in a title would take the feeds down.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def decode(data: bytes, filename: str, encoding: str | None = None) -> tuple[str, list[str]]:
    """(text with \\n line ends and no control characters, warnings).

    Raises ImportFormatError naming the line of the problem.
    """
    text, warnings = _decode(data, filename, encoding)
    text = _normalise_newlines(text)
    first = CONTROL_CHARACTERS.search(text)
    if first:
        line = text.count("\n", 0, first.start()) + 1
        text, removed = CONTROL_CHARACTERS.subn("", text)
        warnings.append(f"line {line}: {removed} control character(s) removed (invisible, and not allowed in feeds).")
    return text, warnings


def _decode(data: bytes, filename: str, encoding: str | None) -> tuple[str, list[str]]:
    if not data.strip():
        raise ImportFormatError(filename, 1, "the file is empty; export the article again.")
    if encoding:
        return _decode_as(data, filename, encoding), []
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom) and not data.startswith(codecs.BOM_UTF8):
            return _decode_as(data, filename, codec), []
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ImportFormatError(filename, line, "the file contains binary data (a NUL byte), not Markdown text.")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = ""
        if _CJK.search(text):
            return text, ["the file is not UTF-8; it was read as GB18030 (GBK)."]
        line = _line_of(data, utf8_error.start)
        raise ImportFormatError(
            filename,
            line,
            f"invalid UTF-8 (byte 0x{data[utf8_error.start]:02x}) and not GB18030 either; save the file as UTF-8, "
            "or name its encoding with --encoding.",
        ) from None


def _decode_as(data: bytes, filename: str, encoding: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ImportFormatError(filename, None, f"unknown encoding {encoding!r}.") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ImportFormatError(
            filename,
            _line_of(data, error.start),
            f"not valid {encoding} (byte 0x{data[error.start]:02x}); check --encoding.",
        ) from None
    return text.removeprefix("\ufeff")


def _line_of(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
