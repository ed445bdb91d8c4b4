"""deploy/nginx run for real: Debian's nginx with the sample site, TLS on a certificate
made for the test, in front of a real gunicorn. Only addresses and certificate paths are
substituted, each exactly once, so the sample cannot drift from what is tested."""

import datetime as dt
import ipaddress
import os
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from autoreply.models import Message
from tests.factories import account, text_rule
from tests.gunicorn_server import ROOT, free_port, gunicorn
from tests.wechat_client import signed_query, text
from wechat.replies import parse_reply

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SAMPLE = ROOT / "deploy" / "nginx"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not Path(NGINX).exists(), reason="nginx is not installed (bin/test installs it as root)"
    ),
]


def certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def substitute(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert text.count(old) >= 1, f"the sample no longer has {old!r}"
        text = text.replace(old, new)
    return text


class Proxy:
    def __init__(self, folder: Path, upstream: str) -> None:
        self.folder = folder
        self.http_port, self.https_port = free_port(), free_port()
        self.cert, key = certificate(folder)
        self.access_log = folder / "access.log"
        proxy = folder / "autoreply-proxy.conf"
        proxy.write_text((SAMPLE / "autoreply-proxy.conf").read_text())
        site = substitute(
            (SAMPLE / "autoreply.conf").read_text(),
            {
                "server 127.0.0.1:8000;": f"server {upstream};",
                "listen 80;": f"listen 127.0.0.1:{self.http_port};",
                "listen 443 ssl http2;": f"listen 127.0.0.1:{self.https_port} ssl http2;",
                "/etc/ssl/certs/your.domain.pem": str(self.cert),
                "/etc/ssl/private/your.domain.key": str(key),
                "/etc/nginx/autoreply-proxy.conf": str(proxy),
                "/var/log/nginx/autoreply.access.log": str(self.access_log),
            },
        )
        (folder / "site.conf").write_text(site)
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (folder / sub).mkdir(mode=0o777)
        (folder / "nginx.conf").write_text(
            f"""
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi; uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
"""
        )
        os.chmod(folder, 0o755)  # nginx's workers run as nobody when started by root

    def run(self) -> subprocess.Popen:
        conf = str(self.folder / "nginx.conf")
        check = subprocess.run([NGINX, "-t", "-c", conf], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        return subprocess.Popen([NGINX, "-c", conf, "-g", "daemon off;"])

    def https(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


@pytest.fixture
def proxy(tmp_path, static_root) -> Iterator[Proxy]:
    text_rule(account("acme"), "hi", "hello from behind nginx", ("exact", "hi"))
    with gunicorn(
        workers=2, DJANGO_SECURE_SSL_REDIRECT="1", DJANGO_STATIC_ROOT=str(static_root)
    ) as base:
        proxy = Proxy(tmp_path, base.removeprefix("http://"))
        process = proxy.run()
        try:
            wait_for(f"http://127.0.0.1:{proxy.http_port}/healthz")
            yield proxy
        finally:
            process.terminate()
            process.wait(timeout=10)


def wait_for(url: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nginx did not answer at {url}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def fetch(url: str, body: bytes | None = None, context: ssl.SSLContext | None = None):
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "text/xml"})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_a_push_through_nginx_over_tls_is_answered_and_stored_once(proxy):
    query = urlencode(signed_query("spamtest"))
    url = f"https://127.0.0.1:{proxy.https_port}/wechat/acme/?{query}"
    status, _, body = fetch(url, text("hi"), proxy.https())
    assert status == 200
    assert parse_reply(body).content == "hello from behind nginx"
    assert Message.objects.count() == 1
    log = proxy.access_log.read_text()
    assert "/wechat/acme/" in log
    assert "signature" not in log and "nonce" not in log  # query strings stay out


def test_plain_http_serves_the_webhook_but_sends_the_admin_to_tls(proxy):
    query = urlencode(signed_query("spamtest"))
    status, _, body = fetch(f"http://127.0.0.1:{proxy.http_port}/wechat/acme/?{query}", text("x"))
    assert (status, body) == (200, b"success")  # never a redirect: WeChat does not follow one
    status, headers, _ = fetch(f"http://127.0.0.1:{proxy.http_port}/admin/")
    assert status == 301
    assert headers["Location"].startswith("https://")


def test_the_app_sees_tls_through_x_forwarded_proto(proxy):
    # With DJANGO_SECURE_SSL_REDIRECT=1 the admin would redirect forever if Django did
    # not believe nginx's X-Forwarded-Proto.
    status, _, body = fetch(
        f"https://127.0.0.1:{proxy.https_port}/admin/login/", None, proxy.https()
    )
    assert status == 200
    assert b"csrfmiddlewaretoken" in body


def test_bodies_over_the_limit_stop_at_nginx(proxy):
    query = urlencode(signed_query("spamtest"))
    url = f"https://127.0.0.1:{proxy.https_port}/wechat/acme/?{query}"
    status, _, _ = fetch(url, b"<xml>" + b"a" * 262_145 + b"</xml>", proxy.https())
    assert status == 413
    assert Message.objects.count() == 0
