"""import_rules --from-platform: the platform's own auto-reply (get_current_autoreply_info)
carried over as rules that answer as the platform did."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from autoreply.files import platform
from autoreply.files.rules_import import import_rules
from autoreply.models import Rule
from tests.factories import text_rule
from tests.wechat_client import event, inbound
from wechat.replies import ImageReply, NewsReply, TextReply, VideoReply, VoiceReply

DATA = Path(__file__).resolve().parents[2] / "data" / "platform"
SAMPLE = Path(__file__).resolve().parents[3] / "fixtures" / "platform-autoreply.json"
VOICE_ID = "NESsxgHEvAcg3egJTtYj4uG1PTL6iPhratdWKDLAXYErhN6oEEfMdVyblWtBY5vp"
VIDEO_ID = "QhX2c8rL0vTq1yZ7mK4nB9pW3sD6fG5hJ0aE8uR2tY1"


def import_platform(path: Path, slug: str = "acme") -> str:
    out = io.StringIO()
    call_command("import_rules", "--from-platform", str(path), "--account", slug, stdout=out)
    return out.getvalue()


def summary(account) -> dict[str, tuple]:
    """{name: (priority, enabled, msg_type, event, reply_mode, cooldown, keywords, replies)}."""
    rules = account.rules.prefetch_related("keywords", "replies__articles")
    return {
        rule.name: (
            rule.priority,
            rule.enabled,
            rule.msg_type,
            rule.event,
            rule.reply_mode,
            rule.cooldown_seconds,
            [(k.mode, k.pattern) for k in rule.keywords.all()],
            [reply_summary(reply) for reply in rule.replies.all()],
        )
        for rule in rules
    }


def reply_summary(reply) -> tuple:
    if reply.type == "news":
        return ("news", *[(a.title, a.description, a.pic_url, a.url) for a in reply.articles.all()])
    return (reply.type, reply.content or reply.media_id)


def test_the_sample_becomes_these_rules(acme):
    out = import_platform(SAMPLE)
    assert out.startswith("rules: 9 created, 0 changed, 0 unchanged, 0 deleted\n")
    sample = json.loads(SAMPLE.read_text())
    rules = summary(acme)
    assert list(rules) == [  # in matching order
        "platform: 营业时间",
        "platform: 本月读书会",
        "platform: 门店地址",
        "platform: 店长语音",
        "platform: 书房宣传片",
        "platform: 店内导览",
        "platform: 荐书",
        "platform: 被关注回复",
        "platform: 收到消息回复",
    ]
    assert rules["platform: 营业时间"] == (
        7,
        True,
        "text",
        "",
        "random",
        0,
        [("contains", "营业时间"), ("exact", "几点开门")],
        [("text", "每天 10:00-21:00 营业，春节期间另行通知。")],
    )
    first_article = sample["keyword_autoreply_info"]["list"][1]["reply_list_info"][0]
    article = first_article["news_info"]["list"][0]
    expected = (article["title"], article["digest"], article["cover_url"], article["content_url"])
    # only the first article: WeChat shows one when answering a message
    assert rules["platform: 本月读书会"][7] == [("news", expected)]
    assert rules["platform: 门店地址"][4] == "first"  # reply_all
    assert [r[0] for r in rules["platform: 门店地址"][7]] == ["text", "image"]
    assert rules["platform: 店长语音"][7] == [("voice", VOICE_ID)]
    assert rules["platform: 书房宣传片"][7][0][0] == "text"  # a video link is no media_id
    assert rules["platform: 店内导览"][7] == [("video", VIDEO_ID)]
    assert rules["platform: 荐书"][4] == "random" and len(rules["platform: 荐书"][7]) == 3
    assert rules["platform: 被关注回复"][:6] == (0, True, "event", "subscribe", "random", 0)
    assert rules["platform: 收到消息回复"][:7] == (-100, True, "any", "", "random", 3600, [])


def test_the_sample_warns_about_what_a_passive_reply_cannot_do(acme):
    warnings = [line for line in import_platform(SAMPLE).splitlines() if line.startswith("warn")]
    assert len(warnings) == 6
    assert "platform rule '本月读书会', reply_list_info[0]: WeChat shows 1 article" in warnings[0]
    assert "platform rule '门店地址': the platform sent all 2 replies (reply_all)" in warnings[2]
    assert "'门店地址', reply_list_info[1]: the image's media_id is temporary" in warnings[1]
    assert "'书房宣传片', reply_list_info[0]: the video is a link" in warnings[4]


def test_the_sample_answers_as_the_platform_did(acme, bot):
    import_platform(SAMPLE)
    welcome = bot.ask(event("subscribe"))
    assert welcome.content.startswith("感谢关注「城南书房」")
    assert bot.say("请问营业时间？").content == "每天 10:00-21:00 营业，春节期间另行通知。"
    assert bot.say("几点开门").content.startswith("每天 10:00")
    news = bot.say("最近有什么活动")
    assert isinstance(news, NewsReply) and news.articles[0].title.startswith("六月读书会")
    assert bot.say("地址").content.startswith("上海市徐汇区南丹东路")  # the first of reply_all
    assert isinstance(bot.say("语音"), VoiceReply)
    assert bot.say("宣传片").content.startswith("http://61.182.130.30/vweixinp.tc.qq.com/")
    assert isinstance(bot.say("导览"), VideoReply)
    assert bot.say("book").content.startswith("今日荐书：")
    # Nothing matched: the default reply, then not again within the hour for this follower.
    assert bot.say("几点开门呢").content.startswith("您好，消息已收到")
    assert bot.ask(inbound("image", PicUrl="http://p/1.jpg", MediaId="M1")) is None
    assert bot.say("随便说说", from_user="oAnother").content.startswith("您好")


def test_reimport_changes_nothing(acme):
    import_platform(SAMPLE)
    assert import_platform(SAMPLE).startswith("rules: 0 created, 0 changed, 9 unchanged, ")


def test_the_accounts_own_rules_are_kept(acme):
    text_rule(acme, "my rule", "mine", ("exact", "mine"), priority=50)
    import_platform(SAMPLE)
    assert Rule.objects.filter(account=acme).count() == 10
    assert Rule.objects.get(name="my rule").replies.get().content == "mine"


def test_switches_that_are_off_import_disabled_rules(acme, bot):
    out = import_platform(DATA / "switches_off.json")
    assert "warning: is_add_friend_reply_open is 0 on the platform: 'platform: 被关注回复'" in out
    enabled = dict(Rule.objects.values_list("name", "enabled"))
    assert enabled == {
        "platform: 被关注回复": False,
        "platform: 收到消息回复": False,
        "platform: 价格": True,
    }
    assert Rule.objects.get(name="platform: 价格").reply_mode == "first"  # one reply: no warning
    assert "reply_all" not in out
    assert bot.ask(event("subscribe")) is None
    assert bot.say("价格").content == "会员价 88 元。"


def test_the_official_documents_example(acme, bot):
    out = import_platform(DATA / "official_shape.json")
    rules = summary(acme)
    image_id = "pW8sLq2Zx0Vb3Nc5Md7Kf9Hg1Jt4Ry6Ue8Io0Pa2Sd4"
    assert rules["platform: 被关注回复"][7] == [("image", image_id)]
    assert rules["platform: 收到消息回复"][7][0][0] == "voice"
    assert rules["platform: autoreply-video"][6] == [("exact", "video测试")]
    assert "'autoreply-news', reply_list_info[1]: WeChat shows 1 article(s)" in out
    assert isinstance(bot.ask(event("subscribe")), ImageReply)
    assert bot.say("news测试").articles[0].title == "it's news"  # reply_all: the first reply
    assert bot.say("abc1").content == "hello测试"


def test_repeated_rule_names_are_numbered(acme):
    import_platform(DATA / "duplicate_rule_names.json")
    names = set(Rule.objects.values_list("name", flat=True))
    assert names == {"platform: 优惠", "platform: 优惠 (2)"}


def test_an_answer_with_nothing_set_imports_nothing(acme):
    assert import_platform(DATA / "nothing_set.json").startswith("rules: 0 created, 0 changed")
    assert not Rule.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "bad__match_mode.json",
            r"platform rule '营业时间', keyword_list_info\[0\], match_mode: "
            r"expected equal or contain, got 'regex'",
        ),
        (
            "bad__no_keywords.json",
            r"platform rule '空规则', keyword_list_info: expected a non-empty",
        ),
        (
            "bad__reply_type.json",
            r"platform rule '小程序', reply_list_info\[0\], type: expected one "
            r"of text, img, voice, video, news, got 'miniprogrampage'",
        ),
        (
            "bad__keyword_too_long.json",
            r"rule 'platform: 超长关键词', keywords\[0\], pattern: .*500",
        ),
        ("error_answer.json", r"WeChat's error answer 48001: api unauthorized"),
        ("bad__truncated.json", r"bad__truncated.json is not valid JSON"),
    ],
)
def test_malformed_input_is_refused_and_nothing_written(acme, name, message):
    text_rule(acme, "kept", "still here", ("exact", "kept"))
    with pytest.raises(CommandError, match=message):
        import_platform(DATA / name)
    assert list(Rule.objects.values_list("name", flat=True)) == ["kept"]


def test_not_an_autoreply_answer_at_all():
    with pytest.raises(platform.PlatformFileError, match="not a get_current_autoreply"):
        platform.convert({"accounts": []}, "acme")
    with pytest.raises(platform.PlatformFileError, match="not a JSON object"):
        platform.convert([1, 2], "acme")


def test_every_problem_is_reported_at_once():
    data = json.loads((DATA / "bad__match_mode.json").read_text())
    data["keyword_autoreply_info"]["list"][0]["reply_mode"] = "reply_some"
    data["is_autoreply_open"] = "yes"
    with pytest.raises(platform.PlatformFileError) as caught:
        platform.convert(data, "acme")
    assert len(caught.value.problems) == 2  # the switch only matters with a default reply
    assert any("reply_mode" in p for p in caught.value.problems)


def test_text_is_literal_not_a_template(acme, bot):
    data = json.loads((DATA / "switches_off.json").read_text())
    data["keyword_autoreply_info"]["list"][0]["reply_list_info"][0]["content"] = "{{ 88 }} 元"
    document = platform.convert(data, "acme").document
    assert document["accounts"][0]["rules"][2]["replies"][0]["content"] != "{{ 88 }} 元"
    import_rules(document)
    assert bot.say("价格") == TextReply("{{ 88 }} 元")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from-platform", str(SAMPLE)], "needs --account SLUG"),
        (["--from-platform", str(SAMPLE), "--account", "nope"], "no account with slug 'nope'"),
        (["rules.json", "--from-platform", str(SAMPLE), "--account", "acme"], "neither a rules"),
        (["--from-platform", str(SAMPLE), "--account", "acme", "--replace"], "nor --replace"),
        ([], "name the rules file"),
    ],
)
def test_command_line_mistakes(acme, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_rules", *args)
