"""WeChat / WeCom callback crypto (the WXBizMsgCrypt scheme), pure Python, no Django.

One scheme serves the WeCom self-built app, WeChat Customer Service (through WeCom) and
the Official Account in safe mode:

- AES key = base64(EncodingAESKey + "="), 32 bytes; AES-256-CBC with IV = key[:16];
- plaintext = 16 random bytes + 4-byte big-endian length + message (UTF-8) + receiver id
  (CorpID for WeCom, AppID for an Official Account), PKCS#7-padded to a multiple of 32;
- msg_signature = sha1 of the sorted, concatenated [token, timestamp, nonce, Encrypt].

Tencent's sample values that pin this down are in tests/data/wecom/wecom_vectors.json.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import struct
import xml.etree.ElementTree as ET  # noqa: S405 - DOCTYPE/ENTITY refused before parsing
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# WeCom callbacks are a few KB; anything near this is not a genuine callback.
MAX_BODY_BYTES = 1024 * 1024
ENCODING_AES_KEY_LENGTH = 43
RANDOM_PREFIX_BYTES = 16
_LENGTH_FIELD_BYTES = 4
# Tencent pads to 32-byte blocks, not AES's 16: pad values run 1..32.
_PAD_BLOCK_BYTES = 32
_AES_BLOCK_BYTES = 16
# Values we write into CDATA or sign ourselves: keep them to what Tencent itself sends.
_REPLY_TOKEN_PATTERN = re.compile(r"[0-9A-Za-z_-]{1,64}")


class WeChatCryptoError(ValueError):
    """Base of every refusal of a callback: bad signature, bad ciphertext, bad envelope."""


class SignatureMismatch(WeChatCryptoError):
    """The signature does not match: the request did not come from Tencent, or the token
    is configured wrong."""


class DecryptError(WeChatCryptoError):
    """The ciphertext is not valid base64, has a bad length or padding, or a bad layout."""


class ReceiverMismatch(WeChatCryptoError):
    """The message decrypted but was meant for another CorpID / AppID."""


class StaleRequest(WeChatCryptoError):
    """The timestamp lies outside the accepted window (replay protection)."""


class MalformedPayload(WeChatCryptoError):
    """The body is too large, declares a DOCTYPE/ENTITY, is not well formed, or lacks a field."""


@dataclass(frozen=True)
class SealedMessage:
    """An encrypted message with everything the receiver needs to check it."""

    encrypt: str
    msg_signature: str
    timestamp: str
    nonce: str


def signature(*parts: str) -> str:
    """Tencent's signature: sha1 of the parts sorted as strings and concatenated, lowercase hex."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()  # noqa: S324


def verify_signature(expected: str, *parts: str) -> bool:
    """Whether `expected` is the signature of `parts`, compared in constant time."""
    # compare_digest refuses non-ASCII str, and `expected` comes straight from a query string.
    return hmac.compare_digest(expected.encode("utf-8"), signature(*parts).encode("utf-8"))


def check_timestamp(timestamp: str, *, now: int, max_age_seconds: int) -> None:
    """Refuse a timestamp further than `max_age_seconds` from `now` (either direction)."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise StaleRequest(f"timestamp {timestamp!r} is not a whole number of seconds") from None
    if abs(now - sent_at) > max_age_seconds:
        raise StaleRequest(
            f"timestamp {sent_at} is {now - sent_at} s from now; at most {max_age_seconds} s"
        )


def parse_xml_fields(data: str | bytes) -> dict[str, str]:
    """The text of the root's direct children, stripped; refuses oversized or unsafe XML."""
    text = _decode_xml_text(data)
    # expat would expand internal entities (billion laughs); Tencent never sends a DTD.
    lowered = text.lower()
    if "<!doctype" in lowered or "<!entity" in lowered:
        raise MalformedPayload("XML with a DOCTYPE or ENTITY declaration is refused")
    try:
        root = ET.fromstring(text)  # noqa: S314 - DTDs refused above
    except ET.ParseError as error:
        raise MalformedPayload(f"XML is not well formed: {error}") from None
    # Pretty-printed payloads put newlines around CDATA sections; the values never need them.
    return {child.tag: (child.text or "").strip() for child in root}


def _decode_xml_text(data: str | bytes) -> str:
    size = len(data.encode("utf-8", "surrogatepass")) if isinstance(data, str) else len(data)
    if size > MAX_BODY_BYTES:
        raise MalformedPayload(f"body of {size} bytes exceeds the {MAX_BODY_BYTES}-byte limit")
    if isinstance(data, str):
        return data
    # Decoding ourselves means a UTF-16 body cannot hide a DOCTYPE from the check above.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MalformedPayload("body is not UTF-8") from None


class WeChatCrypto:
    """Verifies, decrypts and encrypts callbacks for one app (token, key, receiver id).

    With `max_age_seconds` set, every verifying method needs `now` (Unix seconds) and
    refuses timestamps outside the window; it is off by default because Tencent's own
    sample vectors date from 2014.
    """

    def __init__(
        self,
        token: str,
        encoding_aes_key: str,
        receiver_id: str,
        *,
        max_age_seconds: int | None = None,
    ) -> None:
        if not token:
            raise ValueError("token must not be empty")
        if not receiver_id:
            raise ValueError("receiver_id (CorpID or AppID) must not be empty")
        if max_age_seconds is not None and max_age_seconds <= 0:
            raise ValueError("max_age_seconds must be positive")
        self.token = token
        self.receiver_id = receiver_id
        self.max_age_seconds = max_age_seconds
        self._key = _aes_key(encoding_aes_key)

    def __repr__(self) -> str:
        # Token and key stay out of logs and tracebacks.
        return f"WeChatCrypto(receiver_id={self.receiver_id!r})"

    # --- GET URL verification -------------------------------------------------------------

    def verify_url(
        self,
        *,
        msg_signature: str,
        timestamp: str,
        nonce: str,
        echostr: str,
        now: int | None = None,
    ) -> str:
        """WeCom URL check: verify, decrypt `echostr`, return the plaintext to send back alone."""
        self._verify(msg_signature, timestamp, nonce, echostr, now=now)
        return self.decrypt(echostr)

    def verify_plain_url(
        self, *, signature: str, timestamp: str, nonce: str, echostr: str, now: int | None = None
    ) -> str:
        """Official Account URL check: verify the plain signature, return `echostr` unchanged."""
        self.verify_plain_signature(signature=signature, timestamp=timestamp, nonce=nonce, now=now)
        return echostr

    def verify_plain_signature(
        self, *, signature: str, timestamp: str, nonce: str, now: int | None = None
    ) -> None:
        """Official Account `signature` over (token, timestamp, nonce): plaintext-mode POSTs."""
        self._verify(signature, timestamp, nonce, now=now)

    # --- POST callbacks -------------------------------------------------------------------

    def decrypt_message(
        self, *, msg_signature: str, timestamp: str, nonce: str, body: bytes, now: int | None = None
    ) -> str:
        """Verify and decrypt a POST envelope (XML, or the newer JSON); return the inner text."""
        encrypted = _envelope_encrypt(body)
        self._verify(msg_signature, timestamp, nonce, encrypted, now=now)
        return self.decrypt(encrypted)

    def seal(
        self, plaintext: str, *, timestamp: str, nonce: str, nonce_bytes: bytes | None = None
    ) -> SealedMessage:
        """Encrypt and sign a passive reply."""
        for name, value in (("timestamp", timestamp), ("nonce", nonce)):
            if not _REPLY_TOKEN_PATTERN.fullmatch(value):
                raise ValueError(f"{name} must be 1-64 letters, digits, '_' or '-'")
        encrypted = self.encrypt(plaintext, nonce_bytes=nonce_bytes)
        return SealedMessage(
            encrypt=encrypted,
            msg_signature=signature(self.token, timestamp, nonce, encrypted),
            timestamp=timestamp,
            nonce=nonce,
        )

    def encrypt_reply(
        self, plaintext: str, *, timestamp: str, nonce: str, nonce_bytes: bytes | None = None
    ) -> str:
        """The XML envelope of an encrypted passive reply, laid out as Tencent's samples."""
        sealed = self.seal(plaintext, timestamp=timestamp, nonce=nonce, nonce_bytes=nonce_bytes)
        # Every value is base64, hex or checked by seal(), so none can close a CDATA section.
        return (
            "<xml>\n"
            f"<Encrypt><![CDATA[{sealed.encrypt}]]></Encrypt>\n"
            f"<MsgSignature><![CDATA[{sealed.msg_signature}]]></MsgSignature>\n"
            f"<TimeStamp>{sealed.timestamp}</TimeStamp>\n"
            f"<Nonce><![CDATA[{sealed.nonce}]]></Nonce>\n"
            "</xml>"
        )

    # --- The cipher itself ----------------------------------------------------------------

    def decrypt(self, encrypted_b64: str) -> str:
        """Decrypt one Encrypt/echostr value. Verify its signature first: this does not."""
        ciphertext = _strict_b64decode(encrypted_b64)
        if not ciphertext or len(ciphertext) % _AES_BLOCK_BYTES:
            raise DecryptError(f"ciphertext of {len(ciphertext)} bytes is not whole AES blocks")
        decryptor = self._cipher().decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        message, receiver_id = _unpack(_unpad(padded))
        if receiver_id != self.receiver_id:
            raise ReceiverMismatch(
                f"message is for receiver {receiver_id!r}, not {self.receiver_id!r}"
            )
        return message

    def encrypt(self, plaintext: str, *, nonce_bytes: bytes | None = None) -> str:
        """Encrypt `plaintext` for this receiver; `nonce_bytes` fixes the random prefix (tests)."""
        if nonce_bytes is None:
            nonce_bytes = secrets.token_bytes(RANDOM_PREFIX_BYTES)
        if len(nonce_bytes) != RANDOM_PREFIX_BYTES:
            raise ValueError(f"nonce_bytes must be {RANDOM_PREFIX_BYTES} bytes")
        message = plaintext.encode("utf-8")
        packed = (
            nonce_bytes
            + struct.pack(">I", len(message))
            + message
            + self.receiver_id.encode("utf-8")
        )
        encryptor = self._cipher().encryptor()
        ciphertext = encryptor.update(_pad(packed)) + encryptor.finalize()
        return base64.b64encode(ciphertext).decode("ascii")

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:_AES_BLOCK_BYTES]))

    def _verify(
        self, expected: str, timestamp: str, nonce: str, *extra: str, now: int | None
    ) -> None:
        if not verify_signature(expected, self.token, timestamp, nonce, *extra):
            raise SignatureMismatch("signature does not match (wrong token, or a forged request)")
        if self.max_age_seconds is None:
            return
        if now is None:
            raise TypeError("now is required when max_age_seconds is set")
        check_timestamp(timestamp, now=now, max_age_seconds=self.max_age_seconds)


def _aes_key(encoding_aes_key: str) -> bytes:
    if len(encoding_aes_key) != ENCODING_AES_KEY_LENGTH:
        raise ValueError(
            f"EncodingAESKey must be {ENCODING_AES_KEY_LENGTH} characters, "
            f"got {len(encoding_aes_key)}"
        )
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error:
        raise ValueError("EncodingAESKey is not base64 (letters, digits, '+', '/')") from None
    if len(key) != 32:
        raise ValueError(f"EncodingAESKey decodes to {len(key)} bytes, not 32")
    return key


def _strict_b64decode(value: str) -> bytes:
    # A bound before decoding: a GET echostr is not limited by the body-size check.
    if len(value) > 2 * MAX_BODY_BYTES:
        raise DecryptError("ciphertext is too long")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        # ValueError: non-ASCII characters, e.g. a '+' turned into a space then mangled.
        raise DecryptError("ciphertext is not valid base64") from None


def _pad(data: bytes) -> bytes:
    amount = _PAD_BLOCK_BYTES - len(data) % _PAD_BLOCK_BYTES
    return data + bytes([amount]) * amount


def _unpad(padded: bytes) -> bytes:
    # No padding oracle: callers check the signature before they reach this.
    amount = padded[-1]
    if not 1 <= amount <= _PAD_BLOCK_BYTES or padded[-amount:] != bytes([amount]) * amount:
        raise DecryptError("bad PKCS#7 padding (wrong key, or corrupted ciphertext)")
    return padded[:-amount]


def _unpack(data: bytes) -> tuple[str, str]:
    header = RANDOM_PREFIX_BYTES + _LENGTH_FIELD_BYTES
    if len(data) < header:
        raise DecryptError("decrypted data is shorter than its header")
    (length,) = struct.unpack(">I", data[RANDOM_PREFIX_BYTES:header])
    if length > len(data) - header:
        raise DecryptError(f"message length {length} overruns the decrypted data")
    try:
        message = data[header : header + length].decode("utf-8")
        receiver_id = data[header + length :].decode("utf-8")
    except UnicodeDecodeError:
        raise DecryptError("decrypted message is not UTF-8") from None
    return message, receiver_id


def _envelope_encrypt(body: bytes) -> str:
    """The Encrypt value of a POST envelope: XML by default, JSON when so configured."""
    if len(body) > MAX_BODY_BYTES:
        raise MalformedPayload(f"body of {len(body)} bytes exceeds the {MAX_BODY_BYTES}-byte limit")
    if body.lstrip()[:1] == b"{":
        return _json_envelope_encrypt(body)
    encrypted = parse_xml_fields(body).get("Encrypt", "")
    if not encrypted:
        raise MalformedPayload("envelope has no Encrypt element")
    return encrypted


def _json_envelope_encrypt(body: bytes) -> str:
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError):
        raise MalformedPayload("JSON envelope is not valid JSON") from None
    if not isinstance(envelope, dict):
        raise MalformedPayload("JSON envelope is not an object")
    # WeCom's JSON callbacks spell it "encrypt", the Official Account's "Encrypt".
    encrypted = envelope.get("Encrypt") or envelope.get("encrypt")
    if not isinstance(encrypted, str) or not encrypted:
        raise MalformedPayload("JSON envelope has no Encrypt field")
    return encrypted
