from wechat.replies import TextReply


def test_help(wechat):
    assert wechat.say("help") == TextReply(
        "Try: “营业时间” or “hours”, “echo <text>”, “price”, “人工” (a person), or send a picture."
    )


def test_encrypted(wechat):
    from tests.wechat_client import text

    response = wechat.post_encrypted(text("help"))
    assert response.status_code == 200
    assert b"Try:" in wechat.decrypt(response)
