"""The pages `bin/screenshots` photographs, as a browser asking for Chinese sees them.

Usage (bin/screenshots sets it all up): screenshots.py BASE_URL FOLDER, with the login's
password in SCREENSHOTS_PASSWORD. One full-page PNG per page, named for what it shows;
a page that answers an error stops the run, naming it.
"""

import os
import shutil
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    *("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"),
    *("--disable-background-networking", "--disable-component-update", "--disable-sync"),
]
SIZE = {"width": 1366, "height": 900}
ADMIN = "/admin/autoreply"

# (file name, path): what an operator opens first, in the order of the README's tour.
PAGES = [
    ("01-home", "/admin/"),
    ("02-rules", f"{ADMIN}/rule/"),
    ("03-rule-add", f"{ADMIN}/rule/add/"),
    ("05-try", f"{ADMIN}/rule/try/?account=1&kind=text&text=%E4%BD%A0%E5%A5%BD&try=1"),
    ("06-messages", f"{ADMIN}/message/"),
    ("07-followers", f"{ADMIN}/follower/"),
    ("08-lookup-tables", f"{ADMIN}/lookuptable/"),
    ("09-accounts", f"{ADMIN}/account/"),
    ("10-media", f"{ADMIN}/media/"),
    ("11-outbound", f"{ADMIN}/outboundmessage/"),
    ("14-import-faq", f"{ADMIN}/rule/files/import/faq/"),
    ("15-rule-history", f"{ADMIN}/ruleversion/"),
    ("16-keyword-replies", f"{ADMIN}/rule/?place=keyword"),
]


def main(base: str, folder: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport=SIZE, locale="zh-CN")
        page = context.new_page()
        log_in(page, base)
        for name, path in PAGES:
            shoot(page, base + path, folder / f"{name}.png")
        # The editor of a rule in a conversation, and the dashboard of the demo account.
        page.goto(f"{base}{ADMIN}/rule/?q=%E5%B7%A5%E4%BB%B6%E5%8F%B7")
        page.locator("#result_list tbody th a").first.click()
        shoot(page, page.url, folder / "04-rule-change.png")
        page.locator("a.historylink").first.click()
        shoot(page, page.url, folder / "04b-rule-history.png")
        page.goto(f"{base}{ADMIN}/account/")
        page.locator("#result_list tbody th a").first.click()
        shoot(page, page.url, folder / "12-account.png")
        dashboard = page.locator("a[href*='dashboard']")
        if dashboard.count():
            dashboard.first.click()
            shoot(page, page.url, folder / "13-dashboard.png")
        browser.close()


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "screenshots")
    page.fill("#id_password", os.environ["SCREENSHOTS_PASSWORD"])
    page.click("input[type='submit']")
    page.wait_for_url(f"{base}/admin/")


def shoot(page: Page, url: str, path: Path) -> None:
    response = page.goto(url)
    if response is None or response.status >= 400:
        raise SystemExit(f"{url} answered {response.status if response else 'nothing'}")
    page.screenshot(path=str(path), full_page=True)
    print(f"{path.name}: {url}")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2]))
