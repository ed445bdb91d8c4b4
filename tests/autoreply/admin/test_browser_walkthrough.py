"""An operator's tour in Chinese, in a real browser asking for zh-CN (Playwright driving
Debian's Chromium against gunicorn): log in, open 关键词回复, add a rule with a keyword and
two replies, reorder the replies by dragging, try a message and see the bubble, upload a
FAQ spreadsheet (.xlsx), confirm the preview and see the new rules; then the live webhook
answers with what was made. And a staff user refused another account's pages."""

from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission, User

from autoreply.models import Reply, Rule
from tests.autoreply.admin.test_browser import browser, log_in  # noqa: F401  (a fixture)
from tests.autoreply.admin.test_browser_dragging import REPLIES, REPLY_HANDLE, drag_above
from tests.factories import account, text_rule
from tests.gunicorn_server import gunicorn, post
from tests.wechat_client import signed_query, text

pytestmark = pytest.mark.django_db(transaction=True)
WORKBOOK = Path(__file__).resolve().parents[2] / "data" / "csv" / "faq__workbook.xlsx"


def test_an_operators_tour_in_chinese(browser, static_root):  # noqa: F811
    acme = account("acme", name="演示公众号")
    User.objects.create_superuser("operator", password="a long pass phrase")
    with gunicorn(workers=2, DJANGO_STATIC_ROOT=str(static_root)) as base:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page = context.new_page()
        log_in(page, base)
        assert "最近动作" in page.inner_text("#content")  # Django's own words, in Chinese

        # 关键词回复: its add link opens a keyword rule with a keyword row to fill in.
        page.click("#content-main tr.model-place_keyword a.addlink")
        assert page.input_value("#id_msg_type") == "text"
        page.select_option("#id_account", str(acme.pk))
        page.fill("#id_name", "开门时间")
        page.select_option("select[name='keywords-0-mode']", "exact")
        page.fill("input[name='keywords-0-pattern']", "几点开门")
        page.select_option("#id_reply_mode", "first")
        page.get_by_text("添加另一个 回复").click()
        page.fill("textarea[name='replies-0-content']", "第二条")
        page.get_by_text("添加另一个 回复").click()
        page.fill("textarea[name='replies-1-content']", "我们九点开门\n周日休息")
        drag_above(page, page.locator(REPLIES).locator(REPLY_HANDLE), 1, 0)
        with page.expect_navigation():
            page.click("input[name='_save']")
        assert "成功" in page.inner_text(".messagelist"), page.inner_text("#content")
        rule = Rule.objects.get(name="开门时间")
        stored = Reply.objects.filter(rule=rule)  # browsers send a textarea's breaks as CRLF
        assert [r.content.replace("\r\n", "\n") for r in stored] == [
            "我们九点开门\n周日休息",
            "第二条",
        ]
        assert "全匹配" in page.inner_text("#result_list")  # the keyword's mode, as a badge

        # 试发消息: the answer as the phone shows it, line break and all.
        page.get_by_text("试发消息").first.click()
        page.select_option("#id_account", str(acme.pk))
        page.fill("#id_text", "几点开门")
        page.click("input[name='try']")
        bubble = page.inner_text("#trial-phone")
        assert "我们九点开门\n周日休息" in bubble

        # 导入常见问题表: the preview says what would change; confirming applies it.
        page.goto(f"{base}/admin/autoreply/rule/")
        page.click("#import-faq-link")
        page.select_option("#id_account", str(acme.pk))
        page.set_input_files("#id_file", str(WORKBOOK))
        page.click("#preview-button")
        added = page.inner_text("#rules-added")
        assert "运费" in added and "营业时间" in added, added
        assert Rule.objects.count() == 1  # nothing changed before confirming
        page.click("#confirm-button")
        page.wait_for_url(f"{base}/admin/autoreply/rule/**")
        listed = page.inner_text("#result_list")
        assert "运费" in listed

        answer = post(f"{base}/wechat/acme/?{urlencode(signed_query('spamtest'))}", text("运费"))
    assert answer[0] == 200 and "满99元包邮".encode() in answer[1]
    assert Rule.objects.count() > 1


def test_a_staff_user_is_refused_another_accounts_pages(browser, static_root):  # noqa: F811
    """An operator given one account sees only its rules, and every page of another
    account's, opened by URL, is not found (in Chinese)."""
    ours, theirs = account("ours", name="我们的号"), account("theirs", name="别人的号")
    mine = text_rule(ours, "我们的规则", "你好", ("exact", "hi"))
    other = text_rule(theirs, "别人的规则", "秘密", ("exact", "hi"))
    operator = User.objects.create_user("xiaowang", password="a long pass phrase", is_staff=True)
    operator.user_permissions.set(Permission.objects.filter(content_type__app_label="autoreply"))
    ours.operators.add(operator)
    with gunicorn(workers=1, DJANGO_STATIC_ROOT=str(static_root)) as base:
        page = browser.new_context(locale="zh-CN").new_page()
        log_in(page, base, "xiaowang")
        page.goto(f"{base}/admin/autoreply/rule/")
        listed = page.inner_text("#result_list")
        assert "我们的规则" in listed and "别人的规则" not in listed
        assert page.goto(f"{base}/admin/autoreply/rule/{mine.pk}/change/").status == 200
        for path in (
            f"/admin/autoreply/rule/{other.pk}/change/",
            f"/admin/autoreply/rule/{other.pk}/history/",
            f"/admin/autoreply/account/{theirs.pk}/change/",
            f"/admin/autoreply/account/{theirs.pk}/dashboard/",
            f"/admin/autoreply/rule/try/?account={theirs.pk}&kind=text&text=hi&try=1",
        ):
            response = page.goto(base + path)
            assert response.status == 404, path
            assert "秘密" not in page.content() and "别人的号" not in page.content(), path
