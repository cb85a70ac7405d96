"""A local stand-in for qyapi.weixin.qq.com: answers queued per path, records requests."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "ACCESS-TOKEN-1"


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b"{}"
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: dict[str, str]
    body: dict[str, Any]


def json_answer(payload: dict[str, Any], status: int = 200) -> Answer:
    return Answer(status=status, body=json.dumps(payload).encode())


@dataclass
class StubWeChat:
    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    answers: dict[str, deque[Answer]] = field(default_factory=lambda: defaultdict(deque))
    tokens_issued: int = 0

    def queue(self, path: str, *answers: Answer | dict[str, Any]) -> None:
        for answer in answers:
            self.answers[path].append(answer if isinstance(answer, Answer) else json_answer(answer))

    def calls(self, path: str) -> list[Seen]:
        return [request for request in self.seen if request.path == path]

    def answer(self, method: str, raw_path: str, body: bytes) -> Answer:
        parts = urllib.parse.urlsplit(raw_path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        self.seen.append(Seen(method, parts.path, query, json.loads(body) if body else {}))
        if self.answers[parts.path]:
            return self.answers[parts.path].popleft()
        if parts.path == "/cgi-bin/gettoken":
            self.tokens_issued += 1
            token = TOKEN if self.tokens_issued == 1 else f"ACCESS-TOKEN-{self.tokens_issued}"
            return json_answer({"errcode": 0, "access_token": token, "expires_in": 7200})
        return json_answer({"errcode": 0, "errmsg": "ok"})


def serve(stub: StubWeChat) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            answer = stub.answer(self.command, self.path, self.rfile.read(length))
            self.send_response(answer.status)
            for name, value in answer.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        do_GET = _handle
        do_POST = _handle

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
