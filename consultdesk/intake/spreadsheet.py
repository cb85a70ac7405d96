"""An existing consultation log (xlsx or csv) → validated rows, ready to ingest.

Pure apart from openpyxl: no database. Headers may be English or Chinese; every row is
checked on its own, so a preview can show exactly which lines are wrong and why.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field

from openpyxl import load_workbook

from consultdesk.intake.inbound import InboundMessage

MAX_ROWS = 10_000
MAX_BYTES = 10 * 1024 * 1024
CHANNELS = {"email", "web_form", "phone", "wechat", "wecom", "official_account", "referral"}
# Column name as written in the sheet (lower-cased) → field.
HEADERS = {
    "date": "date",
    "日期": "date",
    "received": "date",
    "接收时间": "date",
    "client": "client",
    "organisation": "client",
    "organization": "client",
    "客户": "client",
    "单位": "client",
    "contact": "contact",
    "name": "contact",
    "联系人": "contact",
    "phone": "phone",
    "电话": "phone",
    "手机": "phone",
    "email": "email",
    "邮箱": "email",
    "wechat": "wechat",
    "微信": "wechat",
    "channel": "channel",
    "渠道": "channel",
    "title": "title",
    "标题": "title",
    "主题": "title",
    "need": "need",
    "需求": "need",
    "内容": "need",
    "message": "need",
}
REQUIRED = ("date", "contact", "need")


class SpreadsheetError(ValueError):
    """The file as a whole cannot be used (format, size, columns)."""


@dataclass
class SheetRow:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    received_at: datetime.datetime | None = None

    @property
    def key(self) -> str:
        """Stable across re-imports of the same row: the idempotency key."""
        content = "\x1f".join(self.values.get(name, "") for name in sorted(set(HEADERS.values())))
        return "import:" + hashlib.sha256(content.encode()).hexdigest()[:40]

    def inbound(self) -> InboundMessage:
        title = self.values.get("title", "")
        return InboundMessage(
            channel="import",
            external_id=self.key,
            body=self.values["need"],
            subject=title,
            sender_name=self.values["contact"],
            sender_email=self.values.get("email", ""),
            sender_phone=self.values.get("phone", ""),
            sender_wechat=self.values.get("wechat", ""),
            organisation=self.values.get("client", ""),
            received_at=self.received_at,
            extra={"original_channel": self.values.get("channel", "")},
        )


def read_rows(*, content: bytes, filename: str, time_zone: str) -> list[SheetRow]:
    """Every data row with its errors; raises SpreadsheetError for an unusable file."""
    if len(content) > MAX_BYTES:
        raise SpreadsheetError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    table = _xlsx_rows(content) if filename.lower().endswith(".xlsx") else _csv_rows(content)
    header = next(table, None)
    if header is None:
        raise SpreadsheetError("The file is empty.")
    columns = _columns(header)
    rows: list[SheetRow] = []
    for line, cells in enumerate(table, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) == MAX_ROWS:
            raise SpreadsheetError(
                f"More than {MAX_ROWS} rows: split the file and import the parts one by one."
            )
        rows.append(_row(line, cells, columns, zoneinfo.ZoneInfo(time_zone)))
    return rows


def _columns(header: list[str]) -> dict[int, str]:
    columns = {
        index: HEADERS[name.strip().lower()]
        for index, name in enumerate(header)
        if name.strip().lower() in HEADERS
    }
    missing = [name for name in REQUIRED if name not in columns.values()]
    if missing:
        raise SpreadsheetError(
            "Missing columns: " + ", ".join(missing) + ". Expected headers such as "
            "date/日期, contact/联系人, need/需求 (optional: client, phone, email, wechat, "
            "channel, title)."
        )
    return columns


def _row(line: int, cells: list[str], columns: dict[int, str], zone: zoneinfo.ZoneInfo) -> SheetRow:
    values = {
        name: (cells[index].strip() if index < len(cells) else "")
        for index, name in columns.items()
    }
    row = SheetRow(line=line, values=values)
    for name in REQUIRED:
        if not values.get(name):
            row.errors.append(f"{name} is empty")
    if values.get("date"):
        row.received_at = _date(values["date"], zone)
        if row.received_at is None:
            row.errors.append(
                f"date {values['date']!r} is not a date (use 2026-03-01 or 2026-03-01 14:30)"
            )
    channel = values.get("channel", "")
    if channel and channel not in CHANNELS:
        row.errors.append(f"channel {channel!r} is not one of {', '.join(sorted(CHANNELS))}")
    if len(values.get("need", "")) > 10_000:
        row.errors.append("need is longer than 10,000 characters")
    return row


def _date(text: str, zone: zoneinfo.ZoneInfo) -> datetime.datetime | None:
    for pattern in (
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d",
        "%Y/%m/%d %H:%M",
        "%Y/%m/%d",
    ):
        try:
            return datetime.datetime.strptime(text, pattern).replace(tzinfo=zone)
        except ValueError:
            continue
    return None


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SpreadsheetError("The CSV file is neither UTF-8 nor GB18030 text.")
    try:
        yield from csv.reader(io.StringIO(text))
    except csv.Error as error:
        raise SpreadsheetError(f"The CSV file is malformed: {error}") from None


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many types for bad files
        raise SpreadsheetError(f"Not a readable .xlsx file ({type(error).__name__}).") from None
    sheet = workbook.worksheets[0]
    for cells in sheet.iter_rows(values_only=True):
        yield [_cell_text(cell) for cell in cells]
    workbook.close()


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime.datetime):
        return cell.strftime("%Y-%m-%d %H:%M")
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    return str(cell)
