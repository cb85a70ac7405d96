"""Screenshots of the real UI for the README, taken with Debian's Chromium via Playwright.

consultdesk serve --port 8765 &   (on a database with `consultdesk demo` loaded)
python scripts/screenshots.py http://127.0.0.1:8765 docs/screenshots

Chinese needs a CJK font on the machine (Debian: apt-get install fonts-noto-cjk).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from consultdesk.e2e.browser import CHROMIUM, CHROMIUM_FLAGS
from consultdesk.e2e.meeting import keys_ready

PASSWORD = "demo-consultdesk-2026"  # noqa: S105 (the published demo login)


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/inbox/**")


def main(base: str, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for username, language, name in [("wangfang", "zh-CN", "zh"), ("emma", "en-GB", "en")]:
            context = browser.new_context(
                locale=language, viewport={"width": 1440, "height": 900}, device_scale_factor=1
            )
            page = context.new_page()
            sign_in(page, base, username)
            page.goto(f"{base}/inbox/?open=on")
            page.screenshot(path=str(target / f"inbox-{name}.png"))
            page.click("ol.rows li.row a >> nth=0")
            page.wait_for_load_state()
            page.screenshot(path=str(target / f"consultation-{name}.png"), full_page=False)
            if name == "zh":  # the education story: its meeting and its requirement summary
                page.goto(f"{base}/consultations/1/meetings/1/")
                keys_ready(page)
                page.screenshot(path=str(target / "meeting-zh.png"))
                page.goto(f"{base}/consultations/1/summary/")
                if not page.locator(".versions li a").count():  # draft it the first time
                    page.click("form[action$='/summary/draft/'] button")
                    page.wait_for_selector(".versions li a")
                page.screenshot(path=str(target / "summary-zh.png"))
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
