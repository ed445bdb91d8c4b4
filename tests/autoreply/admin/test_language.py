"""The operators' language: the admin's pages in Chinese for a browser asking for zh-CN
(and by default), in English for one asking for en; dates follow the language too.

A page "speaks Chinese" when none of the catalogue's English msgids shows as text, and no
English phrase shows at all outside data (XML, the protocol's own values).
"""

import datetime as dt
import os
import re
import subprocess
import sys
import uuid
from html.parser import HTMLParser
from urllib.parse import urlencode

import polib
import pytest
from django.urls import reverse
from django.utils import translation

from autoreply.choices import MsgType
from autoreply.files import spreadsheets
from autoreply.files.spreadsheets import CsvFileError
from autoreply.models import Follower, LookupEntry, LookupTable, Message
from tests.autoreply.admin.test_admin import rule_form
from tests.autoreply.admin.test_catalogue import PO
from tests.factories import account, rule
from tests.gunicorn_server import ROOT

# 2026-05-04 13:05 in Asia/Shanghai, the project's TIME_ZONE.
RECEIVED = dt.datetime(2026, 5, 4, 5, 5, tzinfo=dt.UTC)
ZH = {"accept-language": "zh-CN,zh;q=0.9"}
EN = {"accept-language": "en-US,en;q=0.9"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sd]|\{\w*\}|%%")
WORD = re.compile(r"[A-Za-z]{3,}")
PHRASE = re.compile(r"[A-Za-z]{2,}(?:[ ’'-]+[A-Za-z]{2,})+")
# What WeChat itself says (MsgType and Event values), shown as data in the message log.
PROTOCOL = {*MsgType.values, "subscribe", "CLICK", "success"}
# Names the platform's Chinese pages use as they are.
KEPT = {"OpenID", "AppID", "Token", "EncodingAESKey", "MsgId", "EventKey", "XML", "URL"}
# The schedule's days are typed as the rules file writes them (mon-fri, sat,sun).
KEPT |= {"mon-fri", "errcode", "errmsg"}


class VisibleText(HTMLParser):
    """The text a person sees: text nodes, titles, placeholders and button captions,
    without scripts, styles and what the page shows as code (<pre>, <code>)."""

    HIDDEN = {"script", "style", "pre", "code", "template"}

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in self.HIDDEN:
            self.hidden += 1
        for name in ("title", "placeholder", "aria-label", "alt"):
            if attributes.get(name):
                self.texts.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.texts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data):
        if not self.hidden and data.strip() and data.strip() not in PROTOCOL:
            self.texts.append(data.strip())


def visible(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.texts


def english_labels() -> set[str]:
    """The English parts of the catalogue's msgids that its translations do not keep."""
    fragments = set()
    for entry in polib.pofile(str(PO)):
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            translated = " ".join([entry.msgstr, *entry.msgstr_plural.values()])
            for part in PLACEHOLDER.split(re.sub(r"<[^>]+>", " ", msgid)):
                part = part.strip(" .,:;()“”")
                if WORD.search(part) and part not in translated and part not in KEPT:
                    fragments.add(part)
    return fragments


def as_words(text: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z]){re.escape(text)}(?![A-Za-z])")


def english_on(html: str) -> list[str]:
    """What a Chinese page shows in English: catalogue labels, or any English phrase."""
    labels = english_labels()
    found = []
    for text in visible(html):
        shown = [label for label in labels if as_words(label).search(text)]
        shown += [phrase for phrase in PHRASE.findall(text) if phrase not in KEPT]
        found += [f"{english!r} in {text[:80]!r}" for english in shown]
    return found


@pytest.fixture
def shop(db):
    """A shop with a rule, a message, a follower and a lookup table, all named in Chinese."""
    shop = account("shop", name="门店")
    hours = rule(
        shop,
        "营业时间",
        keywords=(("exact", "几点开门"), ("contains", "营业时间")),
        replies=("每天九点开门。",),
    )
    Message.objects.create(
        account=shop,
        dedup_key=uuid.uuid4(),
        from_user="oFollower1",
        to_user="gh_shop",
        create_time=1_777_870_000,
        msg_type="text",
        text="几点开门",
        raw_xml="<xml/>",
        status="reply",
        rule=hours,
        reply="<xml/>",
        handling_ms=6.5,
        received_at=RECEIVED,
    )
    Follower.objects.create(account=shop, openid="oFollower1", subscribed=True, message_count=1)
    table = LookupTable.objects.create(account=shop, name="workpieces", description="工件台位")
    LookupEntry.objects.create(table=table, key="18-546", value="车体新厂房3号")
    return shop


PAGES = (
    "rule list",
    "rule form",
    "rule page",
    "message log",
    "message",
    "followers",
    "accounts",
    "account page",
    "lookup tables",
    "lookup entries",
    "dashboard",
    "try page",
    "a trial",
    "a trial of nothing",
    "index",
)
# The platform's words (and ours) where an operator should find them.
CHINESE = {
    "rule list": ["选择 规则 来修改", "关键词", "回复内容", "试发消息"],
    "rule form": ["规则名称", "全匹配", "半匹配", "正则表达式", "随机回复一条", "何时回复"],
    "rule page": ["规则名称", "全匹配", "几点开门", "回复内容", "文本"],
    "message log": ["消息", "收到时间", "已由规则回复", "发送者"],
    "message": ["原始 XML", "处理用时", "收到的原始内容"],
    "followers": ["粉丝", "已关注", "最近出现"],
    "account page": ["消息加解密方式", "服务器配置", "开发者ID（AppID）", "兼容模式"],
    "lookup tables": ["查询表", "浏览和编辑条目"],
    "lookup entries": ["查询条目", "车体新厂房3号"],
    "dashboard": ["门店 的数据概况", "每日消息数", "没有规则回复的问题", "最近 30 天"],
    "try page": ["试发消息", "试一试"],
    "a trial": ["回复规则：", "半匹配关键词“营业时间”匹配了“营业时间”", "已由规则回复"],
    "a trial of nothing": ["没有规则匹配", "无规则匹配"],
    "index": ["自动回复", "公众号", "规则", "查询条目"],
}
ENGLISH = {
    "rule list": ["Select rule to change", "Try a message", "Keywords"],
    "rule form": ["Rule name", "exact (全匹配)", "contains (半匹配)", "one at random"],
    "message log": ["Received at", "answered by a rule"],
    "account page": ["Message encryption mode", "set the server URL to"],
    "dashboard": ["Dashboard of 门店", "Messages per day", "last 30 days"],
    "a trial": ["Answered by", "contains keyword “营业时间” matched “营业时间”"],
}


def pages(shop) -> dict[str, str]:
    message = Message.objects.get(account=shop)
    hours = shop.rules.get()
    try_url = reverse("admin:autoreply_rule_try")
    trial = {"account": shop.pk, "kind": "text", "text": "请问营业时间"}
    return {
        "rule list": reverse("admin:autoreply_rule_changelist"),
        "rule form": reverse("admin:autoreply_rule_add"),
        "rule page": reverse("admin:autoreply_rule_change", args=[hours.pk]),
        "message log": reverse("admin:autoreply_message_changelist"),
        "message": reverse("admin:autoreply_message_change", args=[message.pk]),
        "followers": reverse("admin:autoreply_follower_changelist"),
        "accounts": reverse("admin:autoreply_account_changelist"),
        "account page": reverse("admin:autoreply_account_change", args=[shop.pk]),
        "lookup tables": reverse("admin:autoreply_lookuptable_changelist"),
        "lookup entries": reverse("admin:autoreply_lookupentry_changelist"),
        "dashboard": reverse("admin:autoreply_account_dashboard", args=[shop.pk]),
        "try page": try_url,
        "a trial": f"{try_url}?{urlencode(trial)}",
        "a trial of nothing": f"{try_url}?account={shop.pk}&kind=event&event=VIEW",
        "index": reverse("admin:index"),
    }


@pytest.mark.parametrize("name", PAGES)
def test_pages_speak_chinese_to_a_browser_asking_for_it(operator, shop, name):
    response = operator.get(pages(shop)[name], headers=ZH)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans"' in html
    english = english_on(html)
    assert not english, "English on a Chinese page:\n" + "\n".join(english)
    shown = " ".join(visible(html))
    assert [word for word in CHINESE.get(name, []) if word not in shown] == []


@pytest.mark.parametrize("name", PAGES)
def test_pages_speak_english_to_a_browser_asking_for_it(operator, shop, name):
    response = operator.get(pages(shop)[name], headers=EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    shown = " ".join(visible(html))
    assert [word for word in ENGLISH.get(name, []) if word not in shown] == []
    assert [word for word in chinese_labels() if word in shown] == []


def chinese_labels() -> set[str]:
    """The catalogue's Chinese that is not in its English: none of it on an English page."""
    labels = set()
    catalogue = polib.pofile(str(PO))
    msgids = " ".join(entry.msgid for entry in catalogue)
    for entry in catalogue:
        for text in (entry.msgstr, *entry.msgstr_plural.values()):
            for part in PLACEHOLDER.split(text):
                part = part.strip(" .,:;()“”，。：；（）")
                if re.search(r"[\u4e00-\u9fff]{2,}", part) and part not in msgids:
                    labels.add(part)
    return labels


def test_the_default_language_is_chinese(operator, shop, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    page = operator.get(reverse("admin:autoreply_rule_changelist")).content.decode()
    assert "选择 规则 来修改" in page


def test_dates_follow_the_language(operator, shop):
    log = reverse("admin:autoreply_message_changelist")
    assert "2026年5月4日 13:05" in operator.get(log, headers=ZH).content.decode()
    assert "May 4, 2026, 1:05 p.m." in operator.get(log, headers=EN).content.decode()


def test_validation_errors_and_messages_speak_chinese(operator, shop):
    hours = shop.rules.get()
    data = rule_form(shop, "图片规则", keywords=[("contains", "你好")], msg_type="image")
    page = operator.post(reverse("admin:autoreply_rule_add"), data, headers=ZH).content.decode()
    assert "关键词只匹配文本（以及语音消息的识别结果）" in page
    changelist = reverse("admin:autoreply_rule_changelist")
    chosen = {"action": "disable", "_selected_action": [hours.pk]}
    page = operator.post(changelist, chosen, headers=ZH, follow=True).content.decode()
    assert "已停用 1 条规则。" in page


@pytest.mark.parametrize(
    ("environment", "language"), [({}, "zh-hans"), ({"DJANGO_LANGUAGE_CODE": "en"}, "en")]
)
def test_the_setting_defaults_to_chinese(environment, language):
    others = {k: v for k, v in os.environ.items() if k != "DJANGO_LANGUAGE_CODE"}
    done = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.LANGUAGE_CODE)"],
        env={**others, "DJANGO_SETTINGS_MODULE": "config.settings", **environment},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == language, done.stderr


def test_file_problems_speak_the_language():
    """What an import refuses names the row in the operator's language."""
    text = "问题,答案\n营业时间,\n"
    with translation.override("zh-hans"), pytest.raises(CsvFileError) as refused:
        spreadsheets.parse(text, "faq.csv", ("question", "answer"))
    assert refused.value.problems == ["faq.csv，第 2 行：答案为空"]
    with translation.override("en"), pytest.raises(CsvFileError) as refused:
        spreadsheets.parse(text, "faq.csv", ("question", "answer"))
    assert refused.value.problems == ["faq.csv, row 2: the answer is empty"]
