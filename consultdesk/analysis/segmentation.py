"""Word-boundary checks for single Chinese characters, backed by jieba.

Lexicon hits are found by regular expressions; jieba only decides whether a one-character
hit such as "快" is a word of its own ("很快") or part of another word ("快递"). Loading
jieba's full dictionary takes over a second, so the tokenizer is built lazily from a small
dictionary: the entries of jieba's dictionary that contain one of the ambiguous characters,
plus the package's user dictionary of domain words. That dictionary and jieba's own cache
live in a per-user cache directory ($XDG_CACHE_HOME/consultdesk or ~/.cache/consultdesk).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# Degree words that may wrap a quality word without changing its meaning ("很慢", "慢了").
_DEGREE_PREFIX_CHARS = frozenset("很太较更超挺蛮好极特真非常有点比不够越变偏")
_SUFFIX_CHARS = frozenset("了点些得死")
_CONTEXT = 6


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "consultdesk"


def _writable_dir(preferred: Path) -> Path:
    try:
        preferred.mkdir(parents=True, exist_ok=True)
        probe = preferred / ".probe"
        probe.write_text("", encoding="utf-8")
        probe.unlink()
        return preferred
    except OSError:
        return Path(tempfile.mkdtemp(prefix="consultdesk-"))


class BoundaryChecker:
    """Tells whether a one-character hit stands as a word in its sentence."""

    def __init__(
        self,
        ambiguous_chars: Iterable[str],
        user_words: Iterable[str],
        cache_dir: Path | None = None,
    ) -> None:
        self._ambiguous = frozenset(ambiguous_chars)
        self._user_words = tuple(user_words)
        self._cache_dir = cache_dir
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def stands_alone(self, text: str, start: int, end: int) -> bool:
        window_start = max(0, start - _CONTEXT)
        window = text[window_start : end + _CONTEXT]
        offset = 0
        for token in self._tokenize(window):
            token_start = window_start + offset
            offset += len(token)
            if token_start <= start < token_start + len(token):
                return _is_degree_form(token, text[start:end])
        return True

    def _tokenize(self, window: str) -> list[str]:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    self._tokenizer = self._build_tokenizer()
        tokens: list[str] = self._tokenizer.lcut(window, HMM=False)
        return tokens

    def _build_tokenizer(self) -> Any:
        import jieba  # imported lazily: most messages never need it

        jieba.setLogLevel(logging.WARNING)
        cache_dir = _writable_dir(self._cache_dir or default_cache_dir())
        tokenizer = jieba.Tokenizer(dictionary=str(self._dictionary_file(jieba, cache_dir)))
        tokenizer.tmp_dir = str(cache_dir)
        tokenizer.initialize()
        return tokenizer

    def _dictionary_file(self, jieba: Any, cache_dir: Path) -> Path:
        fingerprint = hashlib.sha256(
            "".join(sorted(self._ambiguous)).encode() + "\n".join(self._user_words).encode()
        ).hexdigest()[:16]
        path = cache_dir / f"boundary-{fingerprint}.dict"
        if not path.exists():
            lines = list(self._jieba_entries(jieba))
            lines += [f"{word} 20000" for word in self._user_words]
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
            temporary.replace(path)  # atomic: concurrent first runs do not see half a file
        return path

    def _jieba_entries(self, jieba: Any) -> Iterable[str]:
        if not self._ambiguous:
            return []
        with jieba.get_dict_file() as handle:
            content = handle.read().decode("utf-8")
        # One regex pass over the 350,000-line dictionary: lines whose word (the text
        # before the first space) holds an ambiguous character.
        characters = "".join(re.escape(char) for char in sorted(self._ambiguous))
        return re.findall(rf"^[^ \n]*[{characters}][^ \n]* [^\n]*$", content, re.MULTILINE)


def _is_degree_form(token: str, term: str) -> bool:
    if token == term:
        return True
    if token.endswith(term):
        return all(char in _DEGREE_PREFIX_CHARS for char in token[: -len(term)])
    if token.startswith(term):
        return all(char in _SUFFIX_CHARS for char in token[len(term) :])
    return False
