"""Protocol micro-benchmark: our `wechat` package against wechatpy, in one process.

Parse + render: one text push parsed, one text reply rendered for it.
Crypto: what an encrypted webhook call costs each library, compared like for like:
wechatpy's `encrypt_message` also signs and wraps the envelope and its
`decrypt_message` also reads the envelope and checks `msg_signature`, so ours is timed
as `build_envelope` and `read_envelope` + `check_msg_signature` + `decrypt`.
"""

import sys
import time

import wechatpy
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import create_reply

from bench.report import goal, heading, medians_us, table
from wechat.crypto import MessageCrypto, build_envelope, read_envelope
from wechat.messages import parse_message
from wechat.replies import TextReply, render_reply
from wechat.signature import check_msg_signature, sign
from wechat.xmlwriter import write_xml

PUSH = """<xml>
  <ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>
  <FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>
  <CreateTime>1409735668</CreateTime>
  <MsgType><![CDATA[text]]></MsgType>
  <Content><![CDATA[请问你们周末营业吗？]]></Content>
  <MsgId>6054768590064713728</MsgId>
</xml>""".encode()
ANSWER = "您好，我们周一至周日 9:00-18:00 营业，节假日照常。"
TOKEN, APP_ID = "spamtest", "wx2c2769f8efd9abc2"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TIMESTAMP, NONCE = "1409735669", "1320562132"
NUMBER = 2000


def ours_parse_render() -> bytes:
    message = parse_message(PUSH)
    return render_reply(TextReply(ANSWER), to_user=message.from_user,
                        from_user=message.to_user, create_time=int(time.time()),
                        answering_event=False)  # fmt: skip


def theirs_parse_render() -> str:
    return create_reply(ANSWER, wechatpy.parse_message(PUSH)).render()


def crypto_cases() -> dict[str, tuple]:
    """(ours, theirs) callables per step, all on the same reply and the same push."""
    ours, theirs = MessageCrypto(AES_KEY, APP_ID), WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    reply = ours_parse_render()
    encrypt = ours.encrypt(reply)
    push = write_xml({"ToUserName": "gh_10f6c3c3ac5a", "Encrypt": encrypt})
    msg_signature = sign(TOKEN, TIMESTAMP, NONCE, encrypt)

    def ours_decrypt() -> bytes:
        value = read_envelope(push)
        check_msg_signature(TOKEN, TIMESTAMP, NONCE, value, msg_signature)
        return ours.decrypt(value)

    def ours_encrypt() -> bytes:
        return build_envelope(ours, TOKEN, reply, timestamp=TIMESTAMP, nonce=NONCE)

    def theirs_encrypt() -> str:
        return theirs.encrypt_message(reply.decode(), NONCE, TIMESTAMP)

    def theirs_decrypt() -> str:
        return theirs.decrypt_message(push, msg_signature, TIMESTAMP, NONCE)

    assert ours_decrypt() == theirs_decrypt().encode() == reply
    return {
        "encrypt reply (sign + envelope)": (ours_encrypt, theirs_encrypt),
        "decrypt push (envelope + msg_signature)": (ours_decrypt, theirs_decrypt),
        "crypto: encrypt + decrypt": (
            lambda: (ours_encrypt(), ours_decrypt()),
            lambda: (theirs_encrypt(), theirs_decrypt()),
        ),
    }


def measure() -> list[tuple[str, float, float]]:
    cases = {
        "parse push": (lambda: parse_message(PUSH), lambda: wechatpy.parse_message(PUSH)),
        "parse + render text reply": (ours_parse_render, theirs_parse_render),
        **crypto_cases(),
    }
    works = {(name, lib): work for name, pair in cases.items() for lib, work in enumerate(pair)}
    medians = medians_us(works, number=NUMBER)  # type: ignore[arg-type]
    return [(name, medians[name, 0], medians[name, 1]) for name in cases]


def main() -> bool:
    print(heading("1. Protocol micro-benchmark (one process, median of 7 rounds)",
                  f"Each round times {NUMBER:,} calls of each step, the rounds interleaved.\n"
                  "Ratio = wechatpy time / our time (above 1: we are faster)."))  # fmt: skip
    results = measure()
    rows = [(name, ours, theirs, f"{theirs / ours:.2f}x") for name, ours, theirs in results]
    print(table(("step", "ours µs", "wechatpy µs", "ratio"), rows))
    ratio = {name: theirs / ours for name, ours, theirs in results}
    parse_render = ratio["parse + render text reply"]
    crypto = ratio["crypto: encrypt + decrypt"]
    checks = [
        goal("parse + render >= 3x faster than wechatpy", parse_render >= 3,
             f"{parse_render:.2f}x"),
        goal("crypto not slower than wechatpy", crypto >= 1, f"{crypto:.2f}x"),
    ]  # fmt: skip
    print("\n".join(checks))
    return all("[PASS]" in check for check in checks)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
