"""Try a message: the answer as the follower's phone shows it (a bubble for text, the
picture from the media library, the news card, a note for what a page cannot play and
for customer service), every bubble of reply all in order, and the XML still there."""

import re
from html import unescape

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from autoreply.admin.bubbles import DRAWN
from autoreply.models import Media
from tests.autoreply.admin.test_language import ZH
from tests.factories import account, rule
from wechat.replies import REPLY_KINDS

TRY = reverse("admin:autoreply_rule_try")


def phone(operator, account, said: str = "hi", **query) -> str:
    """The phone part of the trial page, for a text `said` (or the kind `query` gives)."""
    params = {"account": account.pk, "kind": "text", "text": said, **query}
    page = operator.get(TRY, params).content.decode()
    found = re.search(r'<div class="phone" id="trial-phone">(.*?)\n    </div>\n', page, re.S)
    assert found, page
    return found.group(1)


def bubbles(html: str) -> list[tuple[str, str]]:
    """(class, inner HTML) of each thing the account's side shows, in order."""
    lines = re.findall(r'<div class="phone-line from-account">\s*(.*?)\s*</div>\n', html, re.S)
    return [(re.match(r'<(?:div|img) class="([^"]+)"', line).group(1), line) for line in lines]


def test_text_is_a_bubble_with_its_line_breaks_and_escaped(operator, acme):
    rule(acme, "hi", replies=("第一行\n<b>第二行</b> & {{ content }}",))
    html = phone(operator, acme, "hi <i>")
    assert '<div class="bubble" id="trial-said">hi &lt;i&gt;</div>' in html
    [(kind, bubble)] = bubbles(html)
    assert kind == "bubble bubble-text"
    assert bubble.endswith(">第一行\n&lt;b&gt;第二行&lt;/b&gt; &amp; hi &lt;i&gt;")


def test_an_image_from_the_media_library_is_shown(operator, acme, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    picture = Media.objects.create(
        account=acme, type="image", media_id="MEDIA_CAT", file=ContentFile(b"\x89PNG", "cat.png")
    )
    rule(acme, "cat", replies=({"type": "image", "media_id": "MEDIA_CAT"},))
    [(kind, bubble)] = bubbles(phone(operator, acme))
    assert kind == "bubble-picture"
    src = reverse("admin:autoreply_media_file", args=[picture.pk])
    assert f'src="{src}"' in bubble
    assert operator.get(src).status_code == 200


def test_an_image_outside_the_librarys_account_gets_a_note(operator, acme, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    shop = account("shop")
    Media.objects.create(
        account=shop, type="image", media_id="THEIRS", file=ContentFile(b"\x89PNG", "c.png")
    )
    rule(acme, "cat", replies=({"type": "image", "media_id": "THEIRS"},))
    [(kind, bubble)] = bubbles(phone(operator, acme))
    assert kind == "bubble-note"
    assert "A picture (media ID THEIRS) that is not in the media library" in bubble


def test_a_news_reply_is_a_card_with_title_description_and_picture(operator, acme):
    articles = [
        {
            "title": "新品 <上市>",
            "description": "第一段\n第二段",
            "pic_url": "https://example.com/p.jpg",
            "url": "https://example.com/a",
        }
    ]
    rule(acme, "news", replies=({"type": "news", "articles": articles},))
    [(kind, card)] = bubbles(phone(operator, acme))
    assert kind == "bubble news-card"
    assert 'href="https://example.com/a"' in card
    assert '<img src="https://example.com/p.jpg" alt="" referrerpolicy="no-referrer">' in card
    assert '<span class="article-title">新品 &lt;上市&gt;</span>' in card
    assert '<span class="article-description">第一段\n第二段</span>' in card


def test_a_news_card_never_links_or_loads_other_schemes(operator, acme):
    articles = [{"title": "t", "pic_url": "javascript:alert(1)", "url": "javascript:alert(2)"}]
    rule(acme, "news", replies=({"type": "news", "articles": articles},))
    [(_, card)] = bubbles(phone(operator, acme))
    assert "javascript:" not in card and "href" not in card and "<img" not in card


def test_an_event_rule_shows_every_article_of_its_card(operator, acme):
    articles = [{"title": f"第{n}篇", "url": f"https://example.com/{n}"} for n in range(3)]
    rule(
        acme,
        "welcome",
        msg_type="event",
        event="subscribe",
        replies=({"type": "news", "articles": articles},),
    )
    html = phone(operator, acme, kind="event", event="subscribe")
    assert "(event: follow (关注))" in html
    [(_, card)] = bubbles(html)
    assert re.findall(r'<span class="article-title">([^<]+)</span>', card) == [
        "第0篇",
        "第1篇",
        "第2篇",
    ]


NOTES = {
    "voice": ({"type": "voice", "media_id": "VOICE_1"}, "🔊 A voice message (media ID VOICE_1)."),
    "video": (
        {"type": "video", "media_id": "VIDEO_1", "title": "开箱", "description": "三分钟"},
        "▶ A video “开箱” (media ID VIDEO_1). 三分钟",
    ),
    "music": (
        {"type": "music", "title": "今日歌曲", "thumb_media_id": "THUMB_1"},
        "♪ Music “今日歌曲”.",
    ),
    "transfer to any agent": (
        {"type": "transfer_customer_service"},
        "The conversation goes to customer service, to any agent",
    ),
    "transfer to an agent": (
        {"type": "transfer_customer_service", "kf_account": "kf2001@gh_demo"},
        "The conversation goes to customer service agent kf2001@gh_demo",
    ),
}


@pytest.mark.parametrize("case", NOTES)
def test_what_a_page_cannot_play_or_show_gets_a_note(operator, acme, case):
    reply, note = NOTES[case]
    rule(acme, case, replies=(reply,))
    [(kind, bubble)] = bubbles(phone(operator, acme))
    assert kind == "bubble-note"
    assert note in unescape(bubble)


def test_reply_all_shows_each_bubble_in_order(operator, acme):
    replies = ("第一条", {"type": "voice", "media_id": "VOICE_1"}, "第三条")
    rule(acme, "all", reply_mode="all", replies=replies)
    html = phone(operator, acme)
    assert [kind for kind, _ in bubbles(html)] == [
        "bubble bubble-text",
        "bubble-note",
        "bubble bubble-text",
    ]
    assert html.index("第一条") < html.index("VOICE_1") < html.index("第三条")
    assert html.count("then, as a customer-service message:") == 2


def test_random_shows_the_one_picked(operator, acme):
    rule(acme, "random", reply_mode="random", replies=("甲", "乙"))
    assert len(bubbles(phone(operator, acme))) == 1


def test_a_silence_shows_no_answer(operator, acme):
    rule(acme, "quiet")
    html = phone(operator, acme)
    assert bubbles(html) == []
    assert "The follower sees no answer." in html


def test_the_xml_is_still_there_folded(operator, acme):
    rule(acme, "hi", replies=("你好",))
    page = operator.get(TRY, {"account": acme.pk, "kind": "text", "text": "hi"}).content.decode()
    details = re.search(r'<details id="trial-xml">(.*?)</details>', page, re.S).group(1)
    assert "<summary>Reply XML</summary>" in details
    assert "&lt;Content&gt;&lt;![CDATA[你好]]&gt;&lt;/Content&gt;" in details


def test_the_phone_speaks_chinese(operator, acme):
    rule(acme, "all", reply_mode="all", replies=("第一条", {"type": "voice", "media_id": "V"}))
    params = {"account": acme.pk, "kind": "text", "text": "hi"}
    page = operator.get(TRY, params, headers=ZH).content.decode()
    assert "粉丝手机上看到的" in page
    assert "随后以客服消息发送：" in page
    assert "🔊 一条语音（media ID V）。" in page


def test_every_reply_type_is_drawn():
    assert {kind.cls for kind in REPLY_KINDS.values()} == set(DRAWN)
