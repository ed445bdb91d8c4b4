"""The three bots of fixtures/bots/, imported with `import_rules` as an operator would,
then talked to through the webhook as WeChat would, in plaintext and encrypted."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from autoreply.lookups import tables
from autoreply.models import Account, LookupEntry, LookupTable, Message
from tests.wechat_client import WeChatClient, event, inbound, text
from wechat import replies

BOTS = Path(__file__).resolve().parents[3] / "fixtures" / "bots"
WAYS = ("plain", "encrypted")


def import_bot(name: str) -> str:
    out = io.StringIO()
    call_command("import_rules", str(BOTS / name), stdout=out)
    return out.getvalue()


def client(slug: str) -> WeChatClient:
    return WeChatClient(Account.objects.get(slug=slug))


def ask(bot: WeChatClient, body: bytes, way: str) -> replies.Reply | None:
    """The reply to `body`, sent plaintext or encrypted (None: `success`)."""
    if way == "plain":
        return bot.ask(body)
    response = bot.post_encrypted(body)
    assert response.status_code == 200, response.content
    return None if response.content == b"success" else replies.parse_reply(bot.decrypt(response))


@pytest.fixture
def echo(db) -> WeChatClient:
    import_bot("echo.json")
    return client("echo")


@pytest.fixture
def picture(db) -> WeChatClient:
    import_bot("picture-for-picture.json")
    return client("picture")


@pytest.fixture
def factory(db) -> WeChatClient:
    import_bot("workpiece-finder.json")
    return client("factory")


def test_each_file_is_a_complete_rules_file_imported_once(db):
    for name, slug in (("echo.json", "echo"), ("picture-for-picture.json", "picture"),
                       ("workpiece-finder.json", "factory")):  # fmt: skip
        assert "accounts: 1 created" in import_bot(name)
        assert "accounts: 0 created, 1 updated" in import_bot(name)  # idempotent
        assert Account.objects.get(slug=slug).rules.exists()
    assert "rules: 0 created, 0 changed, 3 unchanged" in import_bot("workpiece-finder.json")


SAYINGS = (
    "你好，世界",
    "<b>bold</b> & <i>x</i>",
    "a ]]> inside <![CDATA[ and out",
    "emoji 😀👍🏻 and 🇨🇳",
    "{{ openid }} {% if 1 %}is not evaluated{% endif %}",
    "two\nlines",
)


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("saying", SAYINGS)
def test_echo_returns_exactly_what_was_said(echo, saying, way):
    assert ask(echo, text(saying), way) == replies.TextReply(saying)


def test_echo_stores_the_answer_and_welcomes(echo):
    assert echo.say("再说一遍") == replies.TextReply("再说一遍")
    assert Message.objects.get().status == "reply"
    assert echo.ask(event("subscribe")) == replies.TextReply("你说我学：发什么，我就回什么。")


@pytest.mark.parametrize("way", WAYS)
def test_picture_for_picture_sends_the_same_image_back(picture, way):
    push = inbound("image", PicUrl="http://mmbiz.qpic.cn/x/0", MediaId="MEDIA_8xYz-1_ab")
    assert ask(picture, push, way) == replies.ImageReply("MEDIA_8xYz-1_ab")


def test_picture_for_picture_asks_for_a_picture_when_sent_text(picture):
    assert picture.say("hello") == replies.TextReply("我只认图片：发一张图片给我试试。")


FOUND = replies.TextReply("[18-546]的工作台位为[车体新厂房3号]")


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("asked", ["?18-546", "？18-546", "？ 18-546", " ?  18-546 "])
def test_workpiece_finder_answers_from_the_table(factory, asked, way):
    assert ask(factory, text(asked), way) == FOUND


@pytest.mark.parametrize("way", WAYS)
def test_workpiece_finder_says_so_when_the_key_is_missing(factory, way):
    assert ask(factory, text("?18-999"), way) == replies.TextReply(
        "没有找到工件[18-999]，请检查编号。"
    )


def test_workpiece_finder_explains_the_format(factory):
    hint = replies.TextReply("请发送问号加工件编号查询工作台位，例如：?18-546")
    assert factory.say("?18 546") == hint
    assert factory.say("18-546") is None  # no question mark: not a query, no answer
    assert factory.say("？１８-５４６") == replies.TextReply(  # full-width digits: same key
        "[１８-５４６]的工作台位为[车体新厂房3号]"
    )


def test_the_csv_and_the_inline_table_are_the_same():
    document = json.loads((BOTS / "workpiece-finder.json").read_text(encoding="utf-8"))
    with (BOTS / "workpieces.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["key", "value"]
    assert document["accounts"][0]["lookups"]["workpieces"] == dict(rows[1:])


def test_a_table_loaded_from_the_csv_answers_the_same(factory):
    from autoreply.files import spreadsheets

    account = Account.objects.get(slug="factory")
    LookupTable.objects.filter(account=account).delete()
    assert factory.say("?18-546") == replies.TextReply("没有找到工件[18-546]，请检查编号。")
    rows = spreadsheets.read_rows(BOTS / "workpieces.csv", ("key", "value"))
    entries = tables.normalized_entries(((r.first, r.second) for r in rows), "workpieces.csv")
    counts = tables.store(account, "workpieces", entries, replace=True)
    assert (counts.added, LookupEntry.objects.filter(table__account=account).count()) == (8, 8)
    assert factory.say("？ 18-546") == FOUND
    assert factory.say("?40-7") == replies.TextReply("[40-7]的工作台位为[油漆车间2号]")
