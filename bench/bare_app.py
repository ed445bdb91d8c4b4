"""The ceiling: a bare WSGI app that reads the body and answers one fixed text reply."""

REPLY = (
    "<xml><ToUserName><![CDATA[oBenchFollower000001]]></ToUserName>"
    "<FromUserName><![CDATA[gh_bench0000001]]></FromUserName>"
    "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[收到，客服稍后回复您。]]></Content></xml>"
).encode()
HEADERS = [("Content-Type", "application/xml; charset=utf-8"), ("Content-Length", str(len(REPLY)))]


def application(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    environ["wsgi.input"].read(length)
    start_response("200 OK", HEADERS)
    return [REPLY]
