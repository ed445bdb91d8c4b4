"""Pages that fit a 1366x900 screen, in Chinese and in English, with the data a busy
account has: long rule names and keywords, long Chinese replies, unbroken URLs and regexes,
a full page of rows. Measured in Chromium: nothing scrolls sideways, and no list's table is
wider than the box around it."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User

from autoreply.models import Account, Follower, LookupEntry, LookupTable, Message, Rule
from tests.autoreply.admin.test_browser import browser, log_in  # noqa: F401  (a fixture)
from tests.factories import account, rule
from tests.gunicorn_server import gunicorn

pytestmark = pytest.mark.django_db(transaction=True)

SCREEN = {"width": 1366, "height": 900}
LANGUAGES = {"zh-hans": "zh-CN", "en": "en-US"}
ROWS = 20
LONG_REPLY = (
    "您好！本店营业时间为每周一至周五上午九点至晚上九点，周六周日及法定节假日上午十点至晚上十点，"
    "春节期间另行通知。到店请走北门，停车场入口在和平路与解放路交叉口东侧，会员凭卡免费停车两小时。"
)
LONG_URL = (
    "https://mp.weixin.qq.com/s?__biz=MzA3NjM5NDQ2MQ==&mid=2650123456&idx=1&sn=0123456789abcdef"
)
LISTS = ("rule", "message", "follower", "lookupentry")
NEWS_RULE = "关注后推送新春活动"

# How wide the page is against the window, and each list's table against its box.
MEASURE = """() => {
  const page = document.scrollingElement;
  const table = document.querySelector('#result_list');
  const box = table && table.closest('.results');
  return {
    page: [page.scrollWidth, page.clientWidth],
    table: table ? [Math.ceil(table.getBoundingClientRect().width), box.clientWidth] : null,
  };
}"""


def busy_account() -> Account:
    """Two accounts whose lists are full of what operators really type and followers send;
    returns the first."""
    shop = account("shop", name="华东区客户服务中心官方公众号（上海徐汇旗舰店）")
    south = account("south", name="华南区客户服务中心官方公众号（广州天河旗舰店）")
    rules = [
        rule(
            (shop, south)[n % 2],
            f"周末及节假日营业时间咨询（含春节安排）第{n}条",
            priority=n,
            msg_type="text",
            keywords=(
                ("exact", "请问你们周末和节假日的营业时间是几点到几点"),
                ("contains", "营业时间怎么安排春节期间是否照常营业"),
                ("regex", r"^(hours|opening[-_ ]?times?|when[-_ ]do[-_ ]you[-_ ]open)\b"),
            ),
            replies=(LONG_REPLY, LONG_REPLY),
            schedule=[{"days": "mon-fri", "from": "09:00", "to": "21:00"}],
        )
        for n in range(ROWS - 1)
    ]
    article = {"title": LONG_REPLY[:60], "description": LONG_REPLY, "url": LONG_URL}
    news = {"type": "news", "articles": [article] * 8}  # as many as WeChat shows
    rules.append(rule(shop, NEWS_RULE, msg_type="event", event="subscribe", replies=(news,)))
    received = datetime(2026, 5, 4, 5, 5, tzinfo=UTC)
    for n in range(ROWS):
        openid = f"oX8zQ5dL2kR7pV9mN3bT6yW1c{n:03d}"
        Follower.objects.create(
            account=shop,
            openid=openid,
            subscribed=True,
            subscribed_at=received,
            message_count=1234,
        )
        Message.objects.create(
            account=shop,
            dedup_key=uuid.uuid4(),
            from_user=openid,
            to_user="gh_0123456789ab",
            create_time=1_777_870_000 + n,
            msg_type="text" if n % 2 else "link",
            event="",
            text=LONG_REPLY if n % 2 else LONG_URL,
            raw_xml="<xml/>",
            status="reply",
            rule=rules[n],
            reply="<xml/>",
            handling_ms=6.5624220000017885,
            retries=2,
            received_at=received - timedelta(minutes=n),
        )
    table = LookupTable.objects.create(account=shop, name="workpieces", description="工件台位")
    for n in range(ROWS):
        LookupEntry.objects.create(table=table, key=f"18-{n:03d}", value=LONG_REPLY)
    return shop


@pytest.fixture
def shop():
    User.objects.create_superuser("operator", password="a long pass phrase")
    return busy_account()


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_fit_the_screen(browser, static_root, shop, language):  # noqa: F811
    news = Rule.objects.get(name=NEWS_RULE).pk
    table = LookupTable.objects.get().pk
    forms = {
        "news editor": f"rule/{news}/change/",
        "lookup table": f"lookuptable/{table}/change/",
    }
    with gunicorn(workers=1, DJANGO_STATIC_ROOT=str(static_root)) as base:
        context = browser.new_context(viewport=SCREEN, locale=LANGUAGES[language])
        page = context.new_page()
        log_in(page, base)
        for model in LISTS:
            page.goto(f"{base}/admin/autoreply/{model}/")
            assert page.locator("#result_list tbody tr").count() == ROWS
            widths = page.evaluate(MEASURE)
            assert widths["page"][0] <= widths["page"][1], f"{model} list: {widths}"
            assert widths["table"][0] <= widths["table"][1], f"{model} list: {widths}"
        for name, path in forms.items():
            page.goto(f"{base}/admin/autoreply/{path}")
            widths = page.evaluate(MEASURE)
            assert widths["page"][0] <= widths["page"][1], f"{name}: {widths}"
