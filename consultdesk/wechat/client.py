"""The WeCom server API (qyapi.weixin.qq.com): access tokens, Customer Service messages,
media downloads and application messages, over urllib.

Access tokens live in Django's cache, shared by every process, and are fetched again
when the API says one expired (40014, 42001) or was revoked (40001). Every call happens
outside database transactions; callers record the outcome.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from consultdesk.wechat import config

logger = logging.getLogger(__name__)

# invalid access_token, invalid access_token (format), access_token expired
TOKEN_REJECTED_CODES = frozenset({40001, 40014, 42001})
TRANSPORT_ERROR = -1  # WeChat itself uses -1 for "system busy": retry later
TOKEN_SAFETY_MARGIN_SECONDS = 300
JSON_ANSWER_LIMIT = 4 * 1024 * 1024
_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'')?"?([^";]+)"?""", re.IGNORECASE)


class WeChatApiError(RuntimeError):
    """The API answered an error code, or could not be reached (errcode -1)."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class MediaTooLarge(WeChatApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(TRANSPORT_ERROR, f"media is larger than {limit} bytes")


@dataclass(frozen=True)
class Media:
    content: bytes
    content_type: str
    filename: str


class WeComApi:
    """One WeCom secret (the app's, or Customer Service's) and its access token."""

    def __init__(self, *, corp_id: str, secret: str, base_url: str, timeout: float) -> None:
        if not corp_id or not secret:
            raise WeChatApiError(TRANSPORT_ERROR, "CorpID and secret must be configured")
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError(f"API base {base_url!r} is not an http(s) URL")
        self.corp_id = corp_id
        self.base_url = base_url
        self.timeout = timeout
        self._secret = secret
        digest = hashlib.sha256(f"{corp_id}:{secret}".encode()).hexdigest()[:24]
        self._token_key = f"wechat-access-token:{digest}"

    def __repr__(self) -> str:
        return f"WeComApi(corp_id={self.corp_id!r}, base_url={self.base_url!r})"

    @classmethod
    def application(cls) -> WeComApi:
        """The self-built app's secret: application messages and its media."""
        return cls(
            corp_id=config.corp_id(),
            secret=config.wecom_secret(),
            base_url=config.api_base(),
            timeout=config.http_timeout(),
        )

    @classmethod
    def customer_service(cls) -> WeComApi:
        """WeChat Customer Service's secret: kf/sync_msg, kf/send_msg and their media."""
        return cls(
            corp_id=config.corp_id(),
            secret=config.kf_secret(),
            base_url=config.api_base(),
            timeout=config.http_timeout(),
        )

    # --- Access token -------------------------------------------------------------------

    def access_token(self, *, refresh: bool = False) -> str:
        token = None if refresh else cache.get(self._token_key)
        if token:
            return str(token)
        answer = self._request(
            "/cgi-bin/gettoken", {"corpid": self.corp_id, "corpsecret": self._secret}
        )
        payload = _json(answer[0])
        _raise_for_errcode(payload)
        token = str(payload.get("access_token") or "")
        if not token:
            raise WeChatApiError(TRANSPORT_ERROR, "gettoken answered no access_token")
        lifetime = int(payload.get("expires_in") or 7200)
        cache.set(self._token_key, token, max(60, lifetime - TOKEN_SAFETY_MARGIN_SECONDS))
        return token

    # --- Calls ----------------------------------------------------------------------------

    def post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST JSON with the access token; one retry with a fresh token if it was refused."""
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        for attempt in (1, 2):
            token = self.access_token(refresh=attempt == 2)
            answer = _json(self._request(path, {"access_token": token}, body=body)[0])
            if _errcode(answer) in TOKEN_REJECTED_CODES and attempt == 1:
                logger.info("WeChat access token refused (%s); fetching a new one", answer)
                continue
            _raise_for_errcode(answer)
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def kf_sync_msg(
        self, *, cursor: str, token: str, open_kfid: str, limit: int = 1000
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"limit": limit}
        if open_kfid:  # older callbacks name no account: then every account's messages
            payload["open_kfid"] = open_kfid
        if cursor:
            payload["cursor"] = cursor
        if token:
            payload["token"] = token
        return self.post("/cgi-bin/kf/sync_msg", payload)

    def kf_send_text(self, *, open_kfid: str, touser: str, content: str, msgid: str) -> str:
        """Send a text to a client; `msgid` (ours) makes a repeated send a no-op."""
        answer = self.post(
            "/cgi-bin/kf/send_msg",
            {
                "touser": touser,
                "open_kfid": open_kfid,
                "msgid": msgid,
                "msgtype": "text",
                "text": {"content": content},
            },
        )
        return str(answer.get("msgid") or msgid)

    def message_send(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.post("/cgi-bin/message/send", payload)

    def media_get(self, media_id: str, *, max_bytes: int) -> Media:
        """Download a temporary media file (kept 3 days by WeChat), refusing oversize ones."""
        for attempt in (1, 2):
            token = self.access_token(refresh=attempt == 2)
            content, headers = self._request(
                "/cgi-bin/media/get",
                {"access_token": token, "media_id": media_id},
                limit=max_bytes,
            )
            content_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type not in ("application/json", "text/plain"):
                return Media(content, content_type, _media_filename(headers, media_id))
            answer = _json(content)
            if _errcode(answer) in TOKEN_REJECTED_CODES and attempt == 1:
                continue
            _raise_for_errcode(answer)
            return Media(content, content_type, _media_filename(headers, media_id))
        raise AssertionError("unreachable")  # pragma: no cover

    def _request(
        self,
        path: str,
        query: dict[str, str],
        *,
        body: bytes | None = None,
        limit: int = JSON_ANSWER_LIMIT,
    ) -> tuple[bytes, dict[str, str]]:
        url = f"{self.base_url}{path}?{urllib.parse.urlencode(query)}"
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            url,
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8"} if body else {},
            method="POST" if body is not None else "GET",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                content = response.read(limit + 1)
                headers = {name.lower(): value for name, value in response.headers.items()}
        except (urllib.error.URLError, OSError, ValueError) as error:
            # The URL carries the access token or secret: never log it.
            raise WeChatApiError(TRANSPORT_ERROR, f"{path}: {error}") from None
        if len(content) > limit:
            raise MediaTooLarge(limit)
        return content, headers


def _json(content: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(content)
    except (ValueError, RecursionError):
        raise WeChatApiError(TRANSPORT_ERROR, "answer is not JSON") from None
    if not isinstance(answer, dict):
        raise WeChatApiError(TRANSPORT_ERROR, "answer is not a JSON object")
    return answer


def _errcode(answer: dict[str, Any]) -> int:
    try:
        return int(answer.get("errcode") or 0)
    except (TypeError, ValueError):
        return TRANSPORT_ERROR


def _raise_for_errcode(answer: dict[str, Any]) -> None:
    errcode = _errcode(answer)
    if errcode:
        raise WeChatApiError(errcode, str(answer.get("errmsg", "")))


def _media_filename(headers: dict[str, str], media_id: str) -> str:
    disposition = headers.get("content-disposition", "")
    found = _FILENAME.search(disposition)
    if found:
        return urllib.parse.unquote(found.group(1)).strip() or media_id
    content_type = headers.get("content-type", "").split(";")[0].strip()
    extension = mimetypes.guess_extension(content_type) or ""
    return f"{media_id[:32]}{extension}"
