"""A local stand-in for WeChat's outbound API: a real HTTP server speaking its JSON.

Used by the tests and the simulator; never by production. Beside WeChat's endpoints it
answers a few of its own under /_standin/ so a test can look and steer:

- `GET /_standin/sent?touser=OPENID`: the customer-service messages delivered, in order
- `GET /_standin/stats`: how many tokens were fetched and sends tried
- `POST /_standin/fail {"errcode": -1, "count": 2}`: fail the next sends with errcode
- `POST /_standin/refuse {"touser": OPENID, "errcode": 45015}`: always refuse that follower
- `POST /_standin/expire`: every token issued so far stops working (as after expires_in)
- `POST /_standin/reset`: forget everything

Run it with `python -m wechat.standin --port N` (127.0.0.1 only).
"""

import argparse
import json
import secrets
import sys
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from wechat.standin_state import State


class Handler(BaseHTTPRequestHandler):
    server: "StandIn"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read the inspection endpoints, not a log."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        route = ROUTES.get((method, url.path))
        if route is None:
            self._answer({"errcode": 404, "errmsg": f"no {method} {url.path} here"}, 404)
            return
        with self.server.state.lock:
            try:
                answer = route(self.server.state, query, body, self.headers.get("Content-Type", ""))
            except (ValueError, KeyError) as exc:
                answer = {"errcode": 47001, "errmsg": f"data format error: {exc}"}
        self._answer(answer)

    def _answer(self, answer: dict[str, Any], status: int = 200) -> None:
        data = json.dumps(answer, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _stable_token(state: State, query: dict[str, str], body: bytes, _: str) -> dict[str, Any]:
    request = json.loads(body)
    if request.get("grant_type") != "client_credential" or not request.get("secret"):
        return {"errcode": 40125, "errmsg": "invalid appsecret"}
    return state.issue(str(request["appid"]), bool(request.get("force_refresh")))


def _custom_send(state: State, query: dict[str, str], body: bytes, _: str) -> dict[str, Any]:
    return state.token_error(query.get("access_token", "")) or state.send(json.loads(body))


def _add_material(
    state: State, query: dict[str, str], body: bytes, content_type: str
) -> dict[str, Any]:
    error = state.token_error(query.get("access_token", ""))
    if error:
        return error
    form = _multipart(body, content_type)
    if "media" not in form:
        return {"errcode": 41005, "errmsg": "media data missing"}
    kind = query.get("type", "")
    media_id = secrets.token_urlsafe(32)
    record: dict[str, Any] = {"media_id": media_id, "type": kind, "filename": form["media"][0]}
    record |= {"size": len(form["media"][1])}
    if kind == "video":
        description = form.get("description")
        if description is None:
            return {"errcode": 40007, "errmsg": "video needs a description"}
        record["description"] = json.loads(description[1])
    state.materials.append(record)
    url = f"http://mmbiz.qpic.cn/standin/{media_id}/0" if kind in {"image", "thumb"} else ""
    return {"media_id": media_id, "url": url} if url else {"media_id": media_id}


def _multipart(body: bytes, content_type: str) -> dict[str, tuple[str, bytes]]:
    """The form's fields by name: (filename, bytes)."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    fields: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields[name] = (part.get_filename() or "", payload)
    return fields


def _autoreply_info(state: State, query: dict[str, str], body: bytes, _: str) -> dict[str, Any]:
    return state.token_error(query.get("access_token", "")) or state.autoreply_info


def _sent(state: State, query: dict[str, str], body: bytes, _: str) -> dict[str, Any]:
    touser = query.get("touser")
    return {"sent": [m for m in state.sent if touser is None or m.get("touser") == touser]}


def _stats(state: State, query: dict[str, str], body: bytes, _: str) -> dict[str, Any]:
    return {
        "token_fetches": state.token_fetches,
        "send_attempts": state.send_attempts,
        "sent": len(state.sent),
        "materials": state.materials,
    }


def _fail(state: State, query: dict[str, str], body: bytes, _: str) -> dict[str, Any]:
    request = json.loads(body)
    state.failures.extend([int(request.get("errcode", -1))] * int(request.get("count", 1)))
    return {"errcode": 0, "errmsg": "ok"}


def _refuse(state: State, query: dict[str, str], body: bytes, _: str) -> dict[str, Any]:
    request = json.loads(body)
    state.refusals[str(request["touser"])] = int(request.get("errcode", 45015))
    return {"errcode": 0, "errmsg": "ok"}


def _expire(state: State, query: dict[str, str], body: bytes, _: str) -> dict[str, Any]:
    state.tokens = dict.fromkeys(state.tokens, 0.0)
    return {"errcode": 0, "errmsg": "ok"}


def _reset(state: State, query: dict[str, str], body: bytes, _: str) -> dict[str, Any]:
    state.tokens, state.current, state.sent, state.failures = {}, {}, [], []
    state.refusals, state.materials = {}, []
    state.token_fetches = state.send_attempts = 0
    return {"errcode": 0, "errmsg": "ok"}


ROUTES = {
    ("POST", "/cgi-bin/stable_token"): _stable_token,
    ("POST", "/cgi-bin/message/custom/send"): _custom_send,
    ("POST", "/cgi-bin/material/add_material"): _add_material,
    ("GET", "/cgi-bin/get_current_autoreply_info"): _autoreply_info,
    ("GET", "/_standin/sent"): _sent,
    ("GET", "/_standin/stats"): _stats,
    ("POST", "/_standin/fail"): _fail,
    ("POST", "/_standin/refuse"): _refuse,
    ("POST", "/_standin/expire"): _expire,
    ("POST", "/_standin/reset"): _reset,
}


class StandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int = 0, state: State | None = None) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.state = state or State()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--expires-in", type=int, default=7200, help="token lifetime, seconds")
    parser.add_argument("--autoreply-info", type=Path, help="JSON served as the platform's rules")
    args = parser.parse_args(argv)
    state = State(expires_in=args.expires_in)
    if args.autoreply_info:
        state.autoreply_info = json.loads(args.autoreply_info.read_text(encoding="utf-8"))
    server = StandIn(args.port, state)
    sys.stdout.write(f"WeChat API stand-in on {server.base_url}\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
