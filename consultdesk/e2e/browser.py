"""How ConsultDesk starts Debian's chromium for Playwright (tests and screenshots)."""

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Headless on a machine without a desktop or outside network: no sandbox (root), no GPU,
# and none of the background calls to Google's services that would only time out.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
