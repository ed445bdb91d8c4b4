"""Why a webhook call or an import is refused, beyond the protocol errors of `wechat.errors`.

The view maps every one of these (and wechat's) to an HTTP status in one table.
"""

from wechat.errors import SignatureError, WeChatError


class UnknownAccount(LookupError):
    """No account has this slug."""

    def __init__(self, slug: str) -> None:
        super().__init__(f"no account has the slug {slug!r}")


class BodyTooLarge(ValueError):
    """The body exceeds WECHAT_MAX_BODY_BYTES."""


class PushRefused(SignatureError):
    """The push's encryption does not match the account's mode (e.g. plaintext to `safe`)."""


class BadRequest(WeChatError):
    """An authenticated call that lacks what its kind needs (e.g. GET without echostr)."""

    code = -40002


class ImportRefused(ValueError):
    """A file (rules, the platform's settings, a spreadsheet) cannot be imported, and
    nothing was written; `problems` says where and why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class QueryReused(SignatureError):
    """A signed query (timestamp, nonce, signature) already accepted with another body.

    In plaintext mode no signature covers the body, and WeChat's retries are
    byte-identical: a known query carrying a new body is someone else's message.
    """
