"""The email adapter: raw RFC 5322 bytes → InboundMessage, never a crash.

Fixtures under data/email/ are third-party messages copied byte for byte (see the
README.txt in each folder); the full corpus is read from the shared data directory.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultdesk.intake.channels.email import (
    EmailParseError,
    find_reference,
    looks_automated,
    parse_email,
    strip_reply_prefixes,
)

DATA = Path(__file__).parent / "data" / "email"
CORPUS = Path("/work/shared/data/email-corpus")


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def compose(headers: str, body: bytes) -> bytes:
    return headers.strip().replace("\n", "\r\n").encode("ascii") + b"\r\n\r\n" + body


# --- the whole third-party corpus -------------------------------------------------------


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared email corpus not found at {CORPUS}")
def test_it_parses_every_corpus_message_with_an_external_id() -> None:
    listed = re.findall(r"^\| (\S+\.eml) \|", (CORPUS / "README.md").read_text(), re.MULTILINE)
    files = sorted(CORPUS.rglob("*.eml"))
    started = time.perf_counter()
    parsed = [parse_email(path.read_bytes()) for path in files]
    elapsed = time.perf_counter() - started

    assert sorted(str(path.relative_to(CORPUS)) for path in files) == sorted(listed)
    assert len(files) == 203  # when the corpus README was read; .msg (Outlook) files excluded
    assert len(parsed) == len(files)
    assert [
        path for path, message in zip(files, parsed, strict=True) if not message.external_id
    ] == []
    assert {message.channel for message in parsed} == {"email"}
    assert elapsed < 5  # about 0.6 s when measured


# --- Chinese mail -----------------------------------------------------------------------


def test_it_decodes_a_gb2312_html_message_with_undeclared_8bit_headers() -> None:
    raw = fixture("flanker/charset-gb2312.eml")

    message = parse_email(raw)

    assert message.subject == "提示：您的企业成员暂时无法登录邮件客户端"
    assert message.sender_name == "腾讯企业邮箱"
    assert message.sender_email == "10000@qq.com"
    assert message.body.startswith(
        "尊敬的管理员：\n\n系统检测到邮箱账号jianxin@jianxinapp.com频繁地登录失败，原因是密码错误。"
    )
    assert "\n- 使用腾讯企业邮箱的网页版\n" in message.body
    assert message.body.endswith("企业邮箱帮助中心：http://service.exmail.qq.com 腾讯企业邮箱团队")
    assert "<" not in message.body
    assert message.external_id == "sha256:" + hashlib.sha256(raw).hexdigest()
    assert message.warnings == ("no Date header; received_at left empty",)


def test_it_decodes_an_undeclared_8bit_gbk_subject_with_the_body_charset() -> None:
    raw = compose(
        "From: client@example.cn\nMessage-ID: <gbk-1@example.cn>\n"
        "Content-Type: text/plain; charset=GBK\nContent-Transfer-Encoding: 8bit",
        "系统太慢了，能帮忙看看吗？".encode("gbk"),
    ).replace(b"From:", b"Subject: " + "咨询：家长端加载慢".encode("gbk") + b"\r\nFrom:")

    message = parse_email(raw)

    assert message.subject == "咨询：家长端加载慢"
    assert message.body == "系统太慢了，能帮忙看看吗？"


def test_it_decodes_a_gbk_subject_even_when_the_body_declares_nothing() -> None:
    subject = "关于系统重构的咨询".encode("gbk")
    raw = b"Subject: " + subject + b"\r\nFrom: a@example.cn\r\n\r\nhello"

    assert parse_email(raw).subject == "关于系统重构的咨询"


def test_it_decodes_gb2312_and_utf8_encoded_word_subjects() -> None:
    gb2312 = base64.b64encode("需求摘要".encode("gb2312")).decode()
    raw = compose(
        f"Subject: =?GB2312?B?{gb2312}?= =?utf-8?q?=E7=A1=AE=E8=AE=A4_ok?=\nFrom: a@example.cn",
        b"x",
    )

    assert parse_email(raw).subject == "需求摘要确认 ok"


def test_it_falls_back_without_crashing_on_unknown_charset_labels() -> None:
    raw = compose(
        "From: a@example.cn\nSubject: =?x-unknown?B?"
        + base64.b64encode("预算".encode()).decode()
        + "?=\nContent-Type: text/plain; charset=utf8mb4",
        "预算三十万".encode(),
    )

    message = parse_email(raw)

    assert message.subject == "预算"
    assert message.body == "预算三十万"
    assert message.warnings == (
        "subject: unknown charset 'x-unknown'; decoded as utf-8",
        "no Date header; received_at left empty",
    )


def test_it_reads_a_body_declared_unknown_charset_as_gb18030_when_it_is_chinese() -> None:
    raw = compose(
        "From: a@example.cn\nContent-Type: text/plain; charset=x-unknown", "您好".encode("gbk")
    )

    message = parse_email(raw)

    assert message.body == "您好"
    assert message.warnings[0] == "unknown charset 'x-unknown'; decoded as gb18030"


def test_it_reads_utf8_text_mislabelled_gb2312_as_utf8() -> None:
    raw = compose(
        "From: a@example.cn\nContent-Type: text/plain; charset=gb2312", "我们的需求".encode()
    )

    message = parse_email(raw)

    assert message.body == "我们的需求"
    assert message.warnings[0] == "text did not match charset 'gb2312'; decoded as utf-8"


# --- headers ----------------------------------------------------------------------------


def test_it_splits_an_encoded_sender_name_containing_a_comma() -> None:
    message = parse_email(fixture("flanker/encoded-header.eml"))

    assert message.sender_name == "Foo, Bar"
    assert message.sender_email == "foo.bar@example.com"
    assert message.external_id == "1234567890-1234-4567@example.com"
    assert message.subject == "hello"
    assert message.body == "hello, world"


def test_it_decodes_a_latin1_sender_and_keeps_reply_to_apart() -> None:
    message = parse_email(fixture("flanker/from-encoding.eml"))

    assert message.sender_name == "Ingo Lütkebohle"
    assert message.sender_email == "ingo@blank.pages.de"
    assert message.extra == {"reply_to": "new-httpd@apache.org", "auto_submitted": "yes"}
    assert message.external_id == "33C7E4E1.2A12445E@blank.pages.de"
    assert message.replies_to == ("Pine.BSF.3.95q.970712135859.28530B-100000@valis.worldgate.com",)
    assert message.received_at == datetime.datetime(
        1997, 7, 12, 22, 11, 13, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
    )
    assert message.subject == "Re: running server as root (Was: Re: PUT method)"


def test_it_decodes_a_bilingual_message() -> None:
    message = parse_email(fixture("flanker/bilingual-simple.eml"))

    assert message.subject == "Simple text. How are you? Как ты поживаешь?"
    assert message.body == "This line is in English\nА эта линия по-русски."
    assert message.sender_name == "Hello"
    assert message.warnings == ()


def test_it_lists_in_reply_to_then_references_newest_first_without_duplicates() -> None:
    raw = compose(
        "From: a@example.cn\nMessage-ID: <c@x>\nIn-Reply-To: <b@x>\n"
        "References: <a@x>\n <b@x> <c@x>",
        b"x",
    )

    assert parse_email(raw).replies_to == ("b@x", "a@x")


def test_it_uses_a_stable_synthetic_id_when_message_id_is_missing() -> None:
    raw = compose("From: a@example.cn\nSubject: hi", b"body")

    first, second = parse_email(raw), parse_email(raw)

    assert first.external_id == "sha256:" + hashlib.sha256(raw).hexdigest()
    assert second.external_id == first.external_id


def test_it_leaves_received_at_empty_with_a_warning_for_a_bad_date() -> None:
    raw = compose("From: a@example.cn\nDate: yesterday-ish", b"x")

    message = parse_email(raw)

    assert message.received_at is None
    assert message.warnings == ("unreadable Date header 'yesterday-ish'; received_at left empty",)


def test_it_reads_a_minus_zero_date_as_utc() -> None:
    raw = compose("From: a@example.cn\nDate: Tue, 7 Apr 2026 10:00:01 -0000", b"x")

    assert parse_email(raw).received_at == datetime.datetime(
        2026, 4, 7, 10, 0, 1, tzinfo=datetime.UTC
    )


# --- bodies -----------------------------------------------------------------------------


def test_it_turns_an_html_only_body_into_safe_text() -> None:
    html = (
        "<html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<p>您好&nbsp;&amp; welcome</p><script>alert('x')</script>"
        "<div>line one<br>line two</div><ul><li>预算</li><li>工期</li></ul>"
        "&lt;not a tag&gt;<!-- hidden --></body></html>"
    )
    raw = compose("From: a@example.cn\nContent-Type: text/html; charset=utf-8", html.encode())

    message = parse_email(raw)

    assert message.body == ("您好 & welcome\n\nline one\nline two\n\n- 预算\n- 工期\n\n<not a tag>")


def test_it_prefers_the_plain_alternative_over_html() -> None:
    email = EmailMessage()
    email["From"] = "a@example.cn"
    email.set_content("plain 文本")
    email.add_alternative("<p>html 文本</p>", subtype="html")

    assert parse_email(email.as_bytes()).body == "plain 文本"


def test_it_uses_html_when_the_plain_alternative_is_empty() -> None:
    email = EmailMessage()
    email["From"] = "a@example.cn"
    email.set_content("\n")
    email.add_alternative("<p>only here</p>", subtype="html")

    assert parse_email(email.as_bytes()).body == "only here"


def test_it_inlines_a_forwarded_message_and_keeps_its_attachments() -> None:
    forwarded = EmailMessage()
    forwarded["From"] = "客户 <client@example.cn>"
    forwarded["Subject"] = "原始需求"
    forwarded.set_content("请看附件")
    forwarded.add_attachment(
        b"%PDF-1.4", maintype="application", subtype="pdf", filename="需求.pdf"
    )
    outer = EmailMessage()
    outer["From"] = "consultant@example.com"
    outer.set_content("FYI")
    outer.add_attachment(forwarded)

    message = parse_email(outer.as_bytes())

    assert message.body == (
        "FYI\n\n---------- Forwarded message ----------\n"
        "From: 客户 <client@example.cn>\nSubject: 原始需求\n\n请看附件"
    )
    assert [(a.filename, a.content) for a in message.attachments] == [("需求.pdf", b"%PDF-1.4")]


def test_it_truncates_a_long_body_with_a_warning() -> None:
    raw = compose("From: a@example.cn", b"x" * 50)

    message = parse_email(raw, max_body_chars=10)

    assert message.body == "x" * 10
    assert "body truncated to 10 characters" in message.warnings


def test_it_keeps_the_text_of_a_message_missing_its_final_boundary() -> None:
    message = parse_email(fixture("flanker/missing-final-boundary.eml"))

    assert message.body == "Some body"
    assert message.subject == "Test"
    assert message.sender_email == "me@example.com"
    assert message.warnings == (
        "no Date header; received_at left empty",
        "MIME defects: CloseBoundaryNotFoundDefect",
    )


def test_it_survives_the_mime_torture_message() -> None:
    message = parse_email(fixture("flanker/torture.eml"))

    assert message.subject == "Multi-media mail demonstration"
    assert message.sender_email == "mrc@CAC.Washington.EDU"
    assert message.body.startswith("This is a demonstration of multi-part mail with encapsulated")
    assert message.body.count("---------- Forwarded message ----------") == 10
    assert len(message.attachments) == 21
    assert sum(attachment.size for attachment in message.attachments) == 1410299
    assert message.attachments[0].content_type == "audio/basic"
    assert message.attachments[0].size == 409600
    assert message.warnings == ()


def test_it_reads_a_message_with_an_invalid_charset_label() -> None:
    message = parse_email(fixture("django-mailbox/message_with_invalid_encoding.eml"))

    assert message.subject == "Apply For Loans @ 2% Per Annum"
    assert message.body.startswith("We offer loans to private individuals")
    assert message.extra == {"reply_to": "private00@qq.com"}
    assert message.warnings == ("unknown charset '_iso-2022-jp$ESC'; decoded as utf-8",)


def test_it_reads_the_utf8_text_of_a_message_with_a_broken_html_part() -> None:
    message = parse_email(fixture("django-helpdesk/utf-nondecodable.eml"))

    assert message.subject == "Fwd: Cyklozaměstnavatel - změna vyhodnocení"
    assert message.sender_name == "John Smith"
    assert message.replies_to == (
        "CAK0Q_=uQY=3V5iUSgEN16GLtYoJ-6oQu-vYjsgQ=jv6DwOkuLQ@mail.gmail.com",
    )
    assert "Jiří Houdek" in message.body
    assert message.body.endswith("Díky moc!\nn.")


# --- attachments ------------------------------------------------------------------------


def test_it_decodes_koi8r_attachment_names() -> None:
    message = parse_email(fixture("django-mailbox/message_with_koi8r_filename_attachments.eml"))

    assert [(a.filename, a.size, a.content is not None) for a in message.attachments] == [
        ("Пакет предложений HSE Career Fair 8 апреля 2016.pdf", 545826, True),
        ("Ведомости.pdf", 503828, True),
        ("Пакет предложений 2016.pptx", 1890446, True),
    ]
    assert message.subject == "Предложения от НИУ ВШЭ на 2016 год"


def test_it_decodes_an_rfc2231_gb2312_attachment_name() -> None:
    raw = compose(
        'From: a@example.cn\nContent-Type: multipart/mixed; boundary="b"',
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee file\r\n--b\r\n"
        b"Content-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename*=gb2312''%D0%E8%C7%F3.txt\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b--\r\n",
    )

    message = parse_email(raw)

    assert message.body == "see file"
    assert [(a.filename, a.size, a.content) for a in message.attachments] == [
        ("需求.txt", 5, b"hello")
    ]


def test_it_decodes_an_undeclared_8bit_gbk_attachment_name() -> None:
    raw = compose(
        'From: a@example.cn\nContent-Type: multipart/mixed; boundary="b"',
        b"--b\r\nContent-Type: text/plain; charset=gbk\r\n\r\n"
        + "见附件".encode("gbk")
        + b"\r\n--b\r\nContent-Type: application/octet-stream\r\n"
        + b'Content-Disposition: attachment; filename="'
        + "需求文档.docx".encode("gbk")
        + b'"\r\n\r\nxx\r\n--b--\r\n',
    )

    message = parse_email(raw)

    assert message.body == "见附件"
    assert [a.filename for a in message.attachments] == ["需求文档.docx"]


def test_it_keeps_only_the_base_name_of_an_attachment_path() -> None:
    raw = compose(
        'From: a@example.cn\nContent-Type: application/pdf; name="..\\..\\etc/passwd"',
        b"x",
    )

    assert [a.filename for a in parse_email(raw).attachments] == ["passwd"]


def test_it_keeps_an_attachment_exactly_at_the_size_limit() -> None:
    email = EmailMessage()
    email["From"] = "a@example.cn"
    email.add_attachment(b"12345", maintype="application", subtype="zip", filename="a.zip")

    [attachment] = parse_email(email.as_bytes(), max_attachment_bytes=5).attachments

    assert (attachment.size, attachment.content, attachment.dropped_reason) == (5, b"12345", "")


def test_it_drops_the_content_of_a_30_mb_attachment_but_keeps_its_size() -> None:
    size = 30 * 1024 * 1024
    raw = compose(
        'From: a@example.cn\nContent-Type: multipart/mixed; boundary="b"',
        b"--b\r\nContent-Type: text/plain\r\n\r\nbig file attached\r\n--b\r\n"
        b"Content-Type: application/zip\r\n"
        b'Content-Disposition: attachment; filename="dump.zip"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(bytes(size)).replace(b"\n", b"\r\n")
        + b"--b--\r\n",
    )

    message = parse_email(raw)

    assert message.body == "big file attached"
    [attachment] = message.attachments
    assert attachment.filename == "dump.zip"
    assert attachment.content_type == "application/zip"
    assert attachment.size == size
    assert attachment.content is None
    assert attachment.dropped_reason == "too_large"
    assert f"attachment 'dump.zip' ({size} bytes) was too large to keep" in message.warnings


def test_it_marks_an_undecodable_attachment() -> None:
    raw = compose(
        'From: a@example.cn\nContent-Type: multipart/mixed; boundary="b"',
        b"--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n"
        b'Content-Type: application/pdf; name="x.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nQUJDR\r\n--b--\r\n",
    )

    [attachment] = parse_email(raw).attachments

    assert (attachment.filename, attachment.content, attachment.dropped_reason) == (
        "x.pdf",
        None,
        "undecodable",
    )


def test_it_counts_an_inline_image_as_an_attachment() -> None:
    email = EmailMessage()
    email["From"] = "a@example.cn"
    email.set_content("text")
    email.add_alternative('<p>text <img src="cid:logo"></p>', subtype="html")
    html_part = email.get_payload()[1]
    html_part.add_related(b"\x89PNG", maintype="image", subtype="png", cid="<logo>")

    message = parse_email(email.as_bytes())

    assert message.body == "text"
    assert [(a.filename, a.content_type, a.content) for a in message.attachments] == [
        ("attachment-1.png", "image/png", b"\x89PNG")
    ]


# --- never raise ------------------------------------------------------------------------


def test_it_refuses_empty_input() -> None:
    with pytest.raises(EmailParseError, match="empty email"):
        parse_email(b"  \r\n")


def test_it_reads_headerless_garbage_as_a_body() -> None:
    message = parse_email(b"\xff\xfe\x00garbage \x81\x30")

    assert message.external_id.startswith("sha256:")
    assert "no headers found; the whole input was read as the body" in message.warnings


def test_it_keeps_headers_and_text_of_a_message_nested_too_deep_for_the_parser() -> None:
    parts = [
        b'--b%d\r\nContent-Type: multipart/mixed; boundary="b%d"\r\n\r\n' % (level, level + 1)
        for level in range(3000)
    ]
    raw = compose(
        'From: a@example.cn\nSubject: deep\nContent-Type: multipart/mixed; boundary="b0"',
        b"".join(parts) + b"--b3000\r\n\r\nthe text\r\n",
    )

    message = parse_email(raw)

    assert message.subject == "deep"
    assert message.sender_email == "a@example.cn"
    assert message.body.startswith('--b0\nContent-Type: multipart/mixed; boundary="b1"\n')
    assert message.body.endswith("the text")
    assert message.warnings[0] == (
        "MIME structure unreadable (RecursionError); body kept as plain text"
    )


def test_it_reads_deeply_nested_html_in_linear_time() -> None:
    raw = compose("From: a@example.cn\nContent-Type: text/html", b"<div>" * 100_000 + b"end")

    started = time.perf_counter()
    message = parse_email(raw)

    assert message.body == "end"
    assert time.perf_counter() - started < 10  # the HTML5 tree builder alone takes minutes


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_it_never_raises_anything_but_email_parse_error(raw: bytes) -> None:
    try:
        message = parse_email(raw)
    except EmailParseError:
        return
    assert message.external_id


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                b"Content-Type: multipart/mixed; boundary=b\r\n",
                b"Content-Type: text/html; charset=utf8mb4\r\n",
                b"Content-Type: message/rfc822\r\n",
                b"Content-Transfer-Encoding: base64\r\n",
                b"Content-Disposition: attachment; filename*=gb2312''%D0%E8\r\n",
                b"Subject: =?gb2312?B?xOM=?= \xc4\xe3\r\n",
                b"Date: Mon, 99 Foo 2026\r\n",
                b"\r\n",
                b"--b\r\n",
                b"--b--\r\n",
                b"<p>x<br></p>",
                b"=?x?q?=ZZ?=",
                b"\xff\xfe",
            ]
        ),
        max_size=30,
    )
)
def test_it_never_raises_on_mime_shaped_noise(pieces: list[bytes]) -> None:
    try:
        parse_email(b"From: a@example.cn\r\n" + b"".join(pieces))
    except EmailParseError:
        pytest.fail("a message with a From header is never 'nothing usable'")


# --- helpers for the ingest service -----------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: 系统慢", "系统慢"),
        ("RE: Fwd: FW: Fw: plan", "plan"),
        ("回复：回复: 答复:答复： 转发:转发：需求", "需求"),
        ("Re[2]: Re(3): budget", "budget"),
        ("  Re :  spaced  ", "spaced"),
        ("Regarding the plan", "Regarding the plan"),
        ("Re: [CD-2026-000123] 确认", "[CD-2026-000123] 确认"),
    ],
)
def test_it_strips_reply_prefixes(subject: str, expected: str) -> None:
    assert strip_reply_prefixes(subject) == expected


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: [CD-2026-000123] 确认需求", "CD-2026-000123"),
        ("回复：关于【CD-2025-000001】的问题", "CD-2025-000001"),
        ("cd-2026-000042 lower case", "CD-2026-000042"),
        ("CD-2026-0001234 too many digits", None),
        ("XCD-2026-000123", None),
        ("no tag", None),
    ],
)
def test_it_finds_the_consultation_reference(subject: str, expected: str | None) -> None:
    assert find_reference(subject) == expected


@pytest.mark.parametrize(
    "header",
    [
        ("Auto-Submitted", "auto-replied"),
        ("X-Autoreply", "yes"),
        ("Precedence", "bulk"),
        ("Precedence", "junk"),
        ("Precedence", "list"),
        ("Return-Path", "<>"),
        ("Content-Type", 'multipart/report; report-type="delivery-status"'),
    ],
)
def test_it_flags_automated_mail(header: tuple[str, str]) -> None:
    assert looks_automated([("From", "a@example.cn"), header]) is True


def test_it_does_not_flag_a_person_writing() -> None:
    headers = [("From", "a@example.cn"), ("Auto-Submitted", "no"), ("Return-Path", "<a@x>")]

    assert looks_automated(headers) is False


def test_it_marks_a_bounce_as_auto_submitted() -> None:
    raw = compose(
        "From: MAILER-DAEMON@example.com\nReturn-Path: <>\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        b"--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed\r\n--b--\r\n",
    )

    message = parse_email(raw)

    assert message.extra == {"auto_submitted": "yes"}
    assert message.body == "Delivery failed"
