"""Bytes to text for email: charset labels, fallbacks and RFC 2047 encoded-words.

Pure helpers for `consultdesk.intake.channels.email`. Every function here takes bytes
(never text that something else already decoded) and never raises on bad input: it
returns the best text it can and, where it had to guess, a warning for the caller.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
from collections.abc import Iterable
from itertools import islice

# Chinese mail clients label GBK text "gb2312" (and friends); GB18030 is a superset of
# all of them, so decoding with it never fails where the label would have succeeded.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gb_2312": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "chinese": "gb18030",
    "csgb2312": "gb18030",
    "utf8mb4": "utf-8",
    "utf8": "utf-8",
    "ascii": "us-ascii",
    "us-ascii": "us-ascii",
}
_ASCII_SUPERSETS = {"ascii", "utf-8", "gb18030", "iso8859-1", "cp1252"}
_ENCODED_WORD = re.compile(rb"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_FOLDING = re.compile(rb"\r?\n(?=[ \t])")
_SPACE_ONLY = re.compile(rb"[ \t\r\n]*")


def codec_for(label: str | None) -> str | None:
    """The Python codec name for a MIME charset label, or None if it is unknown."""
    if not label:
        return None
    cleaned = label.strip().strip("\"'").lower()
    # RFC 2231 language suffix ("utf-8*en") and stray parameters are not part of the name.
    cleaned = cleaned.split("*", 1)[0].strip()
    cleaned = _CHARSET_ALIASES.get(cleaned, cleaned)
    try:
        info = codecs.lookup(cleaned)
    except (LookupError, ValueError, TypeError):
        return None
    # Labels such as "base64", "zlib" or "rot13" name codecs that are not text encodings.
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def _looks_chinese(text: str) -> bool:
    """Whether a GB18030 decoding is plausible rather than a lucky byte pattern.

    GB18030 accepts most byte pairs, so Latin-1 names ("L\\xfctkebohle") also "decode".
    Real Chinese text is overwhelmingly made of GB2312 characters; demand a majority.
    """
    # A sample decides as well as the whole text, and a long body must not cost seconds.
    wide = list(islice((char for char in text if ord(char) > 0x7F), 4096))
    if not wide:
        return True
    common = 0
    for char in wide:
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common * 2 > len(wide)


def _try_decode(data: bytes, codec: str) -> str | None:
    try:
        text = data.decode(codec)
    except (UnicodeError, LookupError, ValueError, TypeError):
        return None
    if codec == "gb18030" and not _looks_chinese(text):
        return None
    return text


def decode_with_fallbacks(data: bytes, candidates: Iterable[str | None]) -> tuple[str, str]:
    """Decode with the first candidate charset that fits, then UTF-8, GB18030, Latin-1.

    Returns the text and the codec used; Latin-1 is the last resort because it maps
    every byte, so nothing is ever lost, only possibly shown wrongly.
    """
    seen: set[str] = set()
    for label in [*candidates, "utf-8", "gb18030"]:
        codec = codec_for(label)
        if codec is None or codec in seen:
            continue
        seen.add(codec)
        text = _try_decode(data, codec)
        if text is not None:
            return text, codec
    return data.decode("latin-1"), "latin-1"


def decode_text(data: bytes, label: str | None) -> tuple[str, list[str]]:
    """Decode a body part declared as `label`, with warnings when the label did not fit."""
    if data.isascii() and (not label or codec_for(label) in _ASCII_SUPERSETS):
        return data.decode("ascii"), []  # the common case: plain ASCII, nothing to guess
    codec = codec_for(label) if label else None
    if codec is not None:
        text = _try_decode(data, codec)
        if text is not None:
            return text, []
    if codec is None or codec == "ascii":
        # No usable label: UTF-8, then GB18030, then Latin-1.
        text, used = decode_with_fallbacks(data, [])
        if label and codec is None:
            return text, [f"unknown charset {label[:40]!r}; decoded as {used}"]
        return text, [f"undeclared 8-bit text; decoded as {used}"]
    return _decode_mislabelled(data, codec, label or codec)


def _decode_mislabelled(data: bytes, codec: str, label: str) -> tuple[str, list[str]]:
    """Text that breaks its (known) declared charset: mislabelled, or a few bad bytes."""
    # Valid UTF-8 is very unlikely by chance, so it beats the label (common for "gb2312").
    text = _try_decode(data, "utf-8")
    if text is not None:
        return text, [f"text did not match charset {label[:40]!r}; decoded as utf-8"]
    text = data.decode(codec, errors="replace")
    # A few bad bytes (a truncated line) do not make the label wrong; many do.
    if text.count("\ufffd") > max(2, len(text) // 100):
        guess = _try_decode(data, "gb18030")
        if guess is not None:
            return guess, [f"text did not match charset {label[:40]!r}; decoded as gb18030"]
    return text, [f"text did not match charset {label[:40]!r}; bad bytes replaced"]


def _decode_encoded_word(charset: bytes, kind: bytes, payload: bytes) -> tuple[str, list[str]]:
    try:
        if kind.lower() == b"b":
            # Senders often drop the padding; restore it rather than give up.
            raw = base64.b64decode(payload + b"=" * (-len(payload) % 4))
        else:
            raw = quopri.decodestring(payload, header=True)  # header=True: "_" is a space
    except (binascii.Error, ValueError):
        return payload.decode("latin-1"), ["an encoded-word could not be decoded"]
    label = charset.decode("latin-1")
    return decode_text(raw, label)


def decode_header(
    raw: bytes, *, fallback_charsets: Iterable[str | None] = ()
) -> tuple[str, list[str]]:
    """Decode a header value: unfold, decode encoded-words and undeclared 8-bit text.

    Raw 8-bit bytes are decoded with `fallback_charsets` first (the body's charset),
    because the client that forgot to encode the header used the same one for the body.
    """
    unfolded = _FOLDING.sub(b"", raw).strip()
    fallbacks = list(fallback_charsets)
    pieces: list[str] = []
    warnings: list[str] = []
    position = 0
    after_word = False
    for match in _ENCODED_WORD.finditer(unfolded):
        between = unfolded[position : match.start()]
        # RFC 2047: whitespace between two adjacent encoded-words is not part of the text.
        if not (after_word and _SPACE_ONLY.fullmatch(between)):
            pieces.append(_decode_plain(between, fallbacks))
        text, problems = _decode_encoded_word(*match.groups())
        pieces.append(text)
        warnings.extend(problems)
        position, after_word = match.end(), True
    pieces.append(_decode_plain(unfolded[position:], fallbacks))
    return "".join(pieces), warnings


def _decode_plain(data: bytes, fallbacks: list[str | None]) -> str:
    if data.isascii():
        return data.decode("ascii")
    return decode_with_fallbacks(data, fallbacks)[0]
