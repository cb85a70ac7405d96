"""Email through its real entry points: the MTA pipe command, IMAP polling, SMTP replies."""

import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from consultdesk.accounts.models import User
from consultdesk.clients.models import Contact
from consultdesk.consultations.choices import Channel
from consultdesk.consultations.models import Consultation, Delivery, Message
from consultdesk.intake.mailbox import mail_fetch
from consultdesk.intake.models import InboundItem, InboundStatus
from consultdesk.intake.replies import email_reply_send

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "email-corpus"
CONSULTDESK = str(Path(sys.executable).with_name("consultdesk"))


def compose(
    *,
    subject: str = "咨询：在线教学系统优化",
    body: str = "你好，我们的家长端 App 打开很慢，想请你们看看。",
    sender: str = "陈校长 <chen@huayu.example.cn>",
    message_id: str = "<first@huayu.example.cn>",
    in_reply_to: str = "",
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "consult@firm.example.cn"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(timezone.now())
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    return message.as_bytes()


def pipe(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("ingest-email", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_piped_message_opens_a_consultation_with_its_sender(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = pipe(compose(), monkeypatch)
    consultation = Consultation.objects.get()
    assert consultation.reference in output
    assert (consultation.channel, consultation.title) == (Channel.EMAIL, "咨询：在线教学系统优化")
    contact = consultation.primary_contact
    assert (contact.name, contact.email) == ("陈校长", "chen@huayu.example.cn")
    message = consultation.messages.get()
    assert message.body.strip() == "你好，我们的家长端 App 打开很慢，想请你们看看。"
    assert message.external_id == "first@huayu.example.cn"


def test_the_same_message_delivered_twice_creates_nothing_new(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipe(compose(), monkeypatch)
    pipe(compose(), monkeypatch)
    assert (Consultation.objects.count(), Message.objects.count()) == (1, 1)
    assert InboundItem.objects.filter(status=InboundStatus.DUPLICATE).count() == 1


def test_a_reply_threads_by_in_reply_to_even_from_another_address(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipe(compose(), monkeypatch)
    pipe(
        compose(
            subject="Re: 咨询：在线教学系统优化",
            sender="IT <it@huayu.example.cn>",
            message_id="<second@huayu.example.cn>",
            in_reply_to="<first@huayu.example.cn>",
            body="补充一下：预算大约 30 万。",
        ),
        monkeypatch,
    )
    consultation = Consultation.objects.get()
    assert consultation.messages.count() == 2
    assert consultation.contacts.count() == 2


def test_the_reference_in_the_subject_threads_when_headers_are_missing(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipe(compose(), monkeypatch)
    reference = Consultation.objects.get().reference
    pipe(
        compose(
            subject=f"回复：[{reference}] 我们的需求",
            sender="someone@else.example.com",
            message_id="<third@else.example.com>",
        ),
        monkeypatch,
    )
    assert Consultation.objects.count() == 1


def test_unparseable_bytes_are_kept_and_listed_as_unprocessed(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"")))
    errors = io.StringIO()
    call_command("ingest-email", stdout=io.StringIO(), stderr=errors)
    item = InboundItem.objects.get()
    assert (item.status, bytes(item.raw)) == (InboundStatus.FAILED, b"")
    assert "not processed" in errors.getvalue()
    assert not Consultation.objects.exists()


def test_a_large_attachment_is_listed_but_not_kept(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = EmailMessage()
    message["From"] = "a@b.example"
    message["Subject"] = "with attachments"
    message["Message-ID"] = "<att@b.example>"
    message.set_content("see attached")
    message.add_attachment(
        b"%PDF-1.4 small", maintype="application", subtype="pdf", filename="需求.pdf"
    )
    message.add_attachment(
        b"x" * (2 * 1024 * 1024), maintype="application", subtype="zip", filename="big.zip"
    )
    with override_settings(CONSULTDESK_MAX_ATTACHMENT_MB=1):
        pipe(message.as_bytes(), monkeypatch)
    stored = Message.objects.get()
    assert [a.filename for a in stored.attachments.all()] == ["需求.pdf"]
    assert "big.zip" in stored.body and "too_large" in stored.body


@pytest.mark.skipif(not CORPUS.exists(), reason="shared email corpus not present")
def test_every_corpus_message_is_stored_and_none_crashes(db: None) -> None:
    from consultdesk.intake.services import inbound_receive

    files = sorted(CORPUS.rglob("*.eml"))
    items = [
        inbound_receive(channel=Channel.EMAIL, raw=path.read_bytes(), metadata={}) for path in files
    ]
    assert len(files) > 100
    assert InboundItem.objects.count() == len(files)
    statuses = {item.status for item in items}
    assert statuses <= {InboundStatus.PROCESSED, InboundStatus.DUPLICATE, InboundStatus.FAILED}
    failed = [item for item in items if item.status == InboundStatus.FAILED]
    assert failed == [], [item.error for item in failed]


def run_consultdesk(
    *args: str, env: dict[str, str], stdin: bytes
) -> subprocess.CompletedProcess[bytes]:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(env)
    return subprocess.run(
        [CONSULTDESK, *args], input=stdin, capture_output=True, env=environment, timeout=120
    )


def test_the_mta_pipe_exits_0_when_stored_even_for_garbage(tmp_path: Path) -> None:
    env = {"CONSULTDESK_DATA_DIR": str(tmp_path)}
    assert run_consultdesk("migrate", "--no-input", env=env, stdin=b"").returncode == 0
    assert run_consultdesk("ingest-email", env=env, stdin=compose()).returncode == 0
    garbage = run_consultdesk("ingest-email", env=env, stdin=b"\x00\xff\xfe not mail at all")
    assert garbage.returncode == 0


def test_the_mta_pipe_exits_75_when_the_database_is_unavailable(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_consultdesk(
        "ingest-email",
        env={
            "CONSULTDESK_DATA_DIR": str(tmp_path),
            "DATABASE_URL": f"postgres://x@127.0.0.1:{port}/x",
        },
        stdin=compose(),
    )
    assert result.returncode == 75
    assert b"Traceback" not in result.stderr


class FakeImap:
    """The three calls mail_fetch makes on an imap-tools MailBox."""

    def __init__(self, messages: dict[str, bytes]) -> None:
        self.messages = messages
        self.seen: list[str] = []
        self.client = self

    def uids(self, criteria: Any) -> list[str]:
        return [uid for uid in self.messages if uid not in self.seen]

    def uid(self, command: str, uid: str, query: str) -> tuple[str, list[Any]]:
        assert (command, query) == ("FETCH", "(BODY.PEEK[])")
        return "OK", [(f"{uid} (UID {uid} BODY[] {{n}}".encode(), self.messages[uid]), b")"]

    def flag(self, uid: str, flags: Any, value: bool) -> None:
        self.seen.append(uid)


def test_imap_polling_stores_each_message_then_marks_it_seen(db: None) -> None:
    box = FakeImap(
        {"1": compose(), "2": compose(message_id="<other@x.example>", sender="x@x.example")}
    )
    report = mail_fetch(box=box)
    assert (report.fetched, report.processed, report.failed) == (2, 2, 0)
    assert box.seen == ["1", "2"]
    assert mail_fetch(box=box).fetched == 0
    assert Consultation.objects.count() == 2


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, list[Any]]]:
    received: list[Any] = []

    class Collect(MessageHandler):
        def handle_message(self, message: Any) -> None:
            received.append(message)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def test_a_reply_goes_out_by_smtp_threaded_and_tagged(
    db: None,
    alice: User,
    monkeypatch: pytest.MonkeyPatch,
    smtp_server: tuple[int, list[Any]],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    port, received = smtp_server
    pipe(compose(), monkeypatch)
    consultation = Consultation.objects.get()
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        reply = email_reply_send(consultation=consultation, body="陈校长您好，收到。", actor=alice)
    for _ in range(50):
        if received:
            break
        time.sleep(0.05)
    sent = received[0]
    assert sent["To"] == "chen@huayu.example.cn"
    subject = str(make_header(decode_header(sent["Subject"])))
    assert subject == f"[{consultation.reference}] Re: 咨询：在线教学系统优化"
    assert sent["In-Reply-To"] == "<first@huayu.example.cn>"
    assert sent["Message-ID"] == f"<{reply.external_id}>"
    reply.refresh_from_db()
    assert reply.delivery == Delivery.SENT
    consultation.refresh_from_db()
    assert consultation.awaiting_reply is False


def test_a_failing_mail_server_marks_the_reply_failed_and_keeps_it(
    db: None,
    alice: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    pipe(compose(), monkeypatch)
    consultation = Consultation.objects.get()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=closed_port,
            EMAIL_TIMEOUT=2,
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        reply = email_reply_send(consultation=consultation, body="hello", actor=alice)
    reply.refresh_from_db()
    assert reply.delivery == Delivery.FAILED
    assert reply.delivery_error


def test_replying_needs_an_email_address(alice: User, alices_case: Consultation) -> None:
    from django.core.exceptions import ValidationError

    assert Contact.objects.get().email == ""
    with pytest.raises(ValidationError):
        email_reply_send(consultation=alices_case, body="hi", actor=alice)
    assert alices_case.messages.count() == 1
