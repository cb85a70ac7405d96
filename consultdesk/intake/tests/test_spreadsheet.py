import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from consultdesk.accounts.models import User
from consultdesk.conftest import logged_in
from consultdesk.consultations.models import Consultation, Message
from consultdesk.intake.models import InboundItem, InboundStatus
from consultdesk.intake.spreadsheet import MAX_ROWS, SpreadsheetError, read_rows

CSV = (
    "日期,客户,联系人,电话,需求\n"
    "2026-03-01 10:00,华育在线教育,陈校长,13800138001,家长端 App 打开很慢\n"
    "2026-03-02,江南精密制造,周工,13900139002,想上工业互联网平台\n"
    "not-a-date,,,,\n"
    "2026-03-05,华育在线教育,陈校长,13800138001,补充：预算 30 万\n"
).encode()


def test_rows_are_validated_one_by_one() -> None:
    rows = read_rows(content=CSV, filename="log.csv", time_zone="Asia/Shanghai")
    assert [row.line for row in rows] == [2, 3, 4, 5]
    assert rows[0].errors == []
    assert rows[2].errors == [
        "contact is empty",
        "need is empty",
        "date 'not-a-date' is not a date (use 2026-03-01 or 2026-03-01 14:30)",
    ]
    assert rows[0].received_at.isoformat() == "2026-03-01T10:00:00+08:00"


def test_a_gb18030_csv_and_an_xlsx_read_the_same() -> None:
    workbook = Workbook()
    sheet = workbook.active
    for line in CSV.decode().splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    from_xlsx = read_rows(content=buffer.getvalue(), filename="log.xlsx", time_zone="Asia/Shanghai")
    from_gbk = read_rows(
        content=CSV.decode().encode("gb18030"), filename="log.csv", time_zone="Asia/Shanghai"
    )
    assert [row.values for row in from_xlsx] == [row.values for row in from_gbk]


def test_wrong_columns_are_named() -> None:
    with pytest.raises(SpreadsheetError, match="Missing columns: date, need"):
        read_rows(content=b"name,phone\nA,1\n", filename="x.csv", time_zone="Asia/Shanghai")


def test_too_many_rows_is_a_clear_error_not_a_crash() -> None:
    body = "date,contact,need\n" + "2026-01-01,A,x\n" * (MAX_ROWS + 1)
    with pytest.raises(SpreadsheetError, match="split the file"):
        read_rows(content=body.encode(), filename="big.csv", time_zone="Asia/Shanghai")


def test_a_file_that_is_not_a_spreadsheet_is_refused() -> None:
    with pytest.raises(SpreadsheetError, match="Not a readable .xlsx file"):
        read_rows(content=b"\x00\x01garbage", filename="x.xlsx", time_zone="Asia/Shanghai")


def upload(browser: object, content: bytes, name: str = "log.csv") -> object:
    return browser.post(  # type: ignore[attr-defined]
        reverse("intake_import"), {"file": SimpleUploadedFile(name, content)}
    )


def test_preview_then_import_then_reimport_creates_nothing_new(maria: User) -> None:
    browser = logged_in(maria)
    response = upload(browser, CSV)
    item = InboundItem.objects.get()
    assert response["Location"] == reverse("intake_import_preview", args=[item.pk])
    preview = browser.get(response["Location"])
    assert preview.context["total"] == 4 and preview.context["invalid_count"] == 1
    assert not Consultation.objects.exists()  # a dry run writes nothing
    browser.post(reverse("intake_import_confirm", args=[item.pk]))
    assert Consultation.objects.count() == 2
    assert Message.objects.count() == 3  # the second 陈校长 row joins the open consultation
    item.refresh_from_db()
    assert item.status == InboundStatus.PROCESSED
    assert item.metadata["report"] == {"created": 2, "appended": 1, "duplicates": 0, "invalid": 1}
    again = upload(browser, CSV)
    browser.post(reverse("intake_import_confirm", args=[InboundItem.objects.latest("id").pk]))
    assert (Consultation.objects.count(), Message.objects.count()) == (2, 3)
    assert again.status_code == 302


def test_importing_is_for_managers(alice: User) -> None:
    assert upload(logged_in(alice), CSV).status_code == 404
    assert not InboundItem.objects.exists()
