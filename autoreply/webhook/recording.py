"""Storing messages once: the SQL of the webhook's hot path.

The database decides what is a retry: one statement inserts the message with
`ON CONFLICT DO NOTHING` on its dedup key and, only when the row is new, brings the
sender's Follower row up to date (`ON CONFLICT DO UPDATE`, so two workers never race).
Nothing is read first, so there is no read-then-write window between workers.

The table is partitioned by create_day, the UTC day of CreateTime (autoreply/retention.py):
the dedup key includes it (a retry repeats its CreateTime), and every statement that
finds a row names it, so PostgreSQL looks in one partition only.
"""

import hashlib
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, InterfaceError, OperationalError, connections

from autoreply.choices import Status
from autoreply.conf import setting
from autoreply.errors import QueryReused
from autoreply.rules import conversations
from autoreply.rules.conversations import FollowerContext
from autoreply.rules.rendering import Decision
from autoreply.webhook import batching
from autoreply.webhook.replays import BIND, Binding
from autoreply.webhook.statements import Prepared, text, true, utf8
from wechat.messages import Message


def database() -> str:
    """The alias of the webhook's own connection (AUTOREPLY_WEBHOOK_DATABASE)."""
    return setting("AUTOREPLY_WEBHOOK_DATABASE")  # type: ignore[no-any-return]


# The message and its sender's row in one statement. Its values are a SELECT, not VALUES,
# so that the push's own statement can make them depend on the query's binding (BOUND):
# hence the casts, which VALUES would take from the columns.
MESSAGE = """
ins AS (
    INSERT INTO autoreply_message
        (account_id, dedup_key, msg_id, from_user, to_user, create_time, create_day,
         msg_type, event, event_key, text, fields, raw_xml, status, rule_id, reply, error,
         handling_ms, received_at, context, retries)
    SELECT %s::bigint, %s::uuid, %s::numeric, %s::text, %s::text, %s::bigint, %s::integer,
           %s::text, %s::text, %s::text, %s::text, %s::jsonb, %s::text, %s::text, %s::bigint,
           %s::text, %s::text, %s::float8, COALESCE(to_timestamp(%s::float8), now()),
           COALESCE(%s::text, ''), 0 {source}
    ON CONFLICT (account_id, dedup_key, create_day) DO NOTHING
    RETURNING id, received_at
), fol AS (
    INSERT INTO autoreply_follower AS f
        (account_id, openid, subscribed, subscribed_at, unsubscribed_at, first_seen,
         last_seen, message_count, context, context_until, context_since)
    SELECT %s, %s, %s, to_timestamp(%s), to_timestamp(%s), received_at, received_at, 1,
           COALESCE(%s, ''), to_timestamp(%s), COALESCE(%s::bigint, 0) FROM ins
    ON CONFLICT (account_id, openid) DO UPDATE SET
        last_seen = GREATEST(f.last_seen, EXCLUDED.last_seen),
        message_count = f.message_count + 1,
        subscribed_at = GREATEST(f.subscribed_at, EXCLUDED.subscribed_at),
        unsubscribed_at = GREATEST(f.unsubscribed_at, EXCLUDED.unsubscribed_at),
        -- the latest (un)subscribe by CreateTime wins, whatever order they arrive in
        subscribed = CASE
            WHEN EXCLUDED.subscribed_at >= COALESCE(f.unsubscribed_at, '-infinity') THEN true
            WHEN EXCLUDED.unsubscribed_at >= COALESCE(f.subscribed_at, '-infinity') THEN false
            ELSE COALESCE(f.subscribed, EXCLUDED.subscribed)
        END,
        -- a rule's change to the conversation (context_since 0: none), unless a push with
        -- a later CreateTime has changed it already
        context = CASE WHEN EXCLUDED.context_since > 0
                    AND EXCLUDED.context_since >= f.context_since
            THEN EXCLUDED.context ELSE f.context END,
        context_until = CASE WHEN EXCLUDED.context_since > 0
                    AND EXCLUDED.context_since >= f.context_since
            THEN EXCLUDED.context_until ELSE f.context_until END,
        context_since = CASE WHEN EXCLUDED.context_since > 0
                    AND EXCLUDED.context_since >= f.context_since
            THEN EXCLUDED.context_since ELSE f.context_since END
)
"""
INSERT = f"WITH {MESSAGE.format(source='')} SELECT id FROM ins"  # noqa: S608  (constants only)
# A push as the webhook receives it: its signed query bound to its body (replays.BIND)
# in the same statement, so that one durable commit does both; a query already bound to
# another body stores nothing. Returns (the binding holds, the new row's id or NULL).
BOUND = f"""
WITH bound AS ({BIND}), {MESSAGE.format(source="FROM bound WHERE bound.same")}
SELECT (SELECT same FROM bound), (SELECT id FROM ins)
"""  # noqa: S608  (constants only)

# The follower's conversation, read before matching by accounts whose rules have them.
CONTEXT = """
SELECT context, extract(epoch FROM context_until) FROM autoreply_follower
WHERE account_id = %s AND openid = %s
"""

# A rule's change made after the push was stored (cooldowns, take-overs).
SET_CONTEXT = """
UPDATE autoreply_follower SET context = %s, context_until = to_timestamp(%s), context_since = %s
WHERE account_id = %s AND openid = %s AND context_since <= %s::bigint
"""

ACCOUNT_EXISTS = "SELECT 1 FROM autoreply_account WHERE id = %s"

# A repeat delivery: count it and read how the first one was answered.
RETRY = """
UPDATE autoreply_message SET retries = retries + 1
WHERE account_id = %s AND dedup_key = %s AND create_day = %s
RETURNING id, status, reply, received_at < now() - make_interval(secs => %s), context
"""

# Handling a row afresh when its first delivery was never answered (deadline, or died).
TAKE_OVER = """
UPDATE autoreply_message SET status = %s, rule_id = %s, reply = %s, error = %s, handling_ms = %s
WHERE id = %s AND create_day = %s AND (status = 'deadline' OR status = 'pending' AND
                   received_at < now() - make_interval(secs => %s))
RETURNING id
"""

FINISH = """
UPDATE autoreply_message SET status = %s, rule_id = %s, reply = %s, error = %s, handling_ms = %s
WHERE id = %s AND create_day = %s
"""

# The create_day bound only lets PostgreSQL skip the partitions of older days: what
# counts is when we received them. WeChat's clock is ours within minutes, so a day of
# slack loses nothing.
RECENTLY_ANSWERED = """
SELECT 1 FROM autoreply_message
WHERE account_id = %s AND from_user = %s AND rule_id = %s AND status IN ('reply', 'silence')
  AND received_at > now() - make_interval(secs => %s) AND create_day >= %s
LIMIT 1
"""
CLOCK_SLACK_SECONDS = 86400
DAY_SECONDS = 86400
CREATE_TIME = 5  # its place in Row.params(); create_day follows it in the INSERT

DECLARED_ENCODING = re.compile(rb"""\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
PREPARED_INSERT = Prepared("autoreply_insert_message", INSERT)
PREPARED_BOUND = Prepared("autoreply_insert_bound_message", BOUND)
GROUP_COMMIT = batching.Committer(PREPARED_BOUND)
PREPARED_CONTEXT = Prepared("autoreply_follower_context", CONTEXT)
# A repeat is one push in twenty under WeChat's retries (bench/): on Django's cursor it
# cost as much client CPU as a whole new push.
PREPARED_RETRY = Prepared("autoreply_retry", RETRY)
SUBSCRIPTION_EVENTS = {"subscribe": True, "unsubscribe": False}


@dataclass(frozen=True)
class Earlier:
    """The stored row a repeat delivery ran into."""

    id: int
    create_time: int  # with the id, finds the row in its partition
    status: str
    reply: bytes
    stale: bool  # older than the deadline
    context: str  # the follower's conversation when the push first arrived


def dedup_key(message: Message, raw_xml: bytes) -> uuid.UUID:
    """FromUserName + MsgId for messages (MsgIds collide across users); FromUserName +
    CreateTime + Event + EventKey for events; the whole body when neither applies.
    Hashed to 16 bytes, so a long EventKey (a VIEW URL) still fits the unique index."""
    if message.is_event:
        parts = [
            "event",
            message.from_user,
            str(message.create_time),
            message.event,
            message.event_key,
        ]
    elif message.msg_id is not None:
        parts = ["msg", message.from_user, str(message.msg_id)]
    else:  # WeChat's retries are byte-identical
        parts = ["raw", hashlib.sha256(raw_xml).hexdigest()]
    digest = hashlib.blake2b("\x00".join(parts).encode(), digest_size=16).digest()
    return uuid.UUID(bytes=digest)


@dataclass(frozen=True)
class Row:
    """One message row as the INSERT stores it: the push, its key and its answer."""

    account_id: int
    key: uuid.UUID
    message: Message
    raw_xml: bytes
    decision: Decision
    handling_ms: float
    received_at: float | None = None  # Unix time; None: now (a spooled push keeps its own)

    def params(self) -> list[object]:
        """The INSERT's parameters, in its order."""
        message, decision = self.message, self.decision
        event = message.event.lower() if message.is_event else ""
        return [
            *(self.account_id, self.key, message.msg_id, message.from_user, message.to_user),
            *(message.create_time, message.msg_type, message.event, message.event_key),
            *(message.text, json.dumps(message.fields, ensure_ascii=False), xml_text(self.raw_xml)),
            *_answer(decision, self.handling_ms),
            self.received_at,
            decision.context,
            *(self.account_id, message.from_user, SUBSCRIPTION_EVENTS.get(event, True)),
            message.create_time if event == "subscribe" else None,
            message.create_time if event == "unsubscribe" else None,
            *_change(decision, message.create_time),
        ]


def _change(decision: Decision, create_time: int) -> tuple[object, object, object]:
    """The follower's new conversation, until when and since when; all None: unchanged."""
    change = decision.change
    if change is None:
        return None, None, None
    return change.name, change.until(create_time), create_time


# Spool entries written before conversations lack the message's context (after
# received_at) and the follower's change (at the end): replayed as none, and unchanged.
RECEIVED_AT = 18
PARAMS_BEFORE_CONVERSATIONS = 23


def _upgraded(params: list[object]) -> list[object]:
    if len(params) != PARAMS_BEFORE_CONVERSATIONS:
        return params
    return [*params[: RECEIVED_AT + 1], None, *params[RECEIVED_AT + 1 :], None, None, None]


def insert(row: Row, binding: Binding | None = None) -> int | None:
    """Store a new message with its answer; None when the key was already stored.

    With its query's `binding`, both are stored by one statement, and QueryReused is
    raised (nothing stored) when the query already carried another body."""
    if binding is None:
        stored = _run(INSERT, _with_day(row.params()), prepared=PREPARED_INSERT)
        return int(stored[0]) if stored else None
    params = [*binding.params(), *_with_day(row.params())]
    if batching.wanted():
        return stored_id(GROUP_COMMIT.run((row.account_id, row.message.from_user), params))
    return stored_id(_run(BOUND, params, prepared=PREPARED_BOUND))


def stored_id(result: tuple[Any, ...] | None) -> int | None:
    """The new row's id from BOUND's (binding holds, id); raises QueryReused."""
    if result is None or not true(result[0]):
        raise QueryReused("this signed query was already used with another body")
    return None if result[1] is None else int(result[1])


def store_spooled(params: list[object]) -> bool:
    """Store a spooled push (its Row.params()); False when the key was already stored.
    Refused (IntegrityError) when its account has been deleted since: the database checks
    no reference of the message log (stored/traffic.py), so the replay asks itself."""
    params = _upgraded(params)
    if _run(ACCOUNT_EXISTS, [params[0]]) is None:
        raise IntegrityError(f"account {params[0]} no longer exists")
    return _run(INSERT, _with_day(params), prepared=PREPARED_INSERT) is not None


def day(create_time: int) -> int:
    """The UTC day of a CreateTime (days since 1970): the partition a message is in."""
    return int(create_time) // DAY_SECONDS


def _with_day(params: list[object]) -> list[object]:
    """The INSERT's parameters: Row.params() (the spool's format) with create_day added."""
    create_time = params[CREATE_TIME]
    return [*params[: CREATE_TIME + 1], day(create_time), *params[CREATE_TIME + 1 :]]  # type: ignore[arg-type]


def earlier(account_id: int, key: uuid.UUID, create_time: int, deadline: float) -> Earlier | None:
    row = _run(RETRY, [account_id, key, day(create_time), deadline], prepared=PREPARED_RETRY)
    if row is None:  # deleted meanwhile
        return None
    row_id, status, reply, stale, context = row
    return Earlier(int(row_id), create_time, text(status), utf8(reply), true(stale), text(context))


def take_over(earlier: Earlier, decision: Decision, handling_ms: float, deadline: float) -> bool:
    """Claim an unanswered row for this delivery; False when another got there first."""
    params = [*_answer(decision, handling_ms), earlier.id, day(earlier.create_time), deadline]
    return _run(TAKE_OVER, params) is not None


def finish(row_id: int, create_time: int, decision: Decision, handling_ms: float) -> None:
    _run(FINISH, [*_answer(decision, handling_ms), row_id, day(create_time)])


def follower_context(account_id: int, openid: str) -> FollowerContext:
    """The follower's conversation as stored (none for a follower never seen)."""
    row = _run(CONTEXT, [account_id, openid], prepared=PREPARED_CONTEXT)
    if row is None or not row[0]:
        return conversations.NONE
    return FollowerContext(text(row[0]), None if row[1] is None else float(row[1]))


def change_context(account_id: int, message: Message, decision: Decision) -> None:
    """Make the decision's change to the follower's conversation (when it has one), for
    the paths that store the push before deciding; run it in their transaction."""
    if decision.change is not None:
        name, until, since = _change(decision, message.create_time)
        _run(SET_CONTEXT, [name, until, since, account_id, message.from_user, since])


def recently_answered(account_id: int, openid: str, rule_id: int, seconds: int) -> bool:
    since = day(int(time.time()) - seconds - CLOCK_SLACK_SECONDS)
    return _run(RECENTLY_ANSWERED, [account_id, openid, rule_id, seconds, since]) is not None


def _run(sql: str, params: list[Any], prepared: Prepared | None = None) -> tuple[Any, ...] | None:
    """Execute on the webhook's connection; the first row, if any. A connection the server
    dropped while it sat idle is replaced once (the statements are safe to repeat: the
    INSERT is idempotent, and at worst a retry is counted twice)."""
    connection = connections[database()]
    for attempt in (1, 2):
        try:
            if prepared and not connection.in_atomic_block:
                return prepared.first_row(connection, params)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone() if cursor.description else None
        except (OperationalError, InterfaceError):
            if attempt == 2 or connection.in_atomic_block or connection.is_usable():
                raise
            connection.close()
    return None  # not reached


def xml_text(raw_xml: bytes) -> str:
    """The XML as text: UTF-8, as WeChat sends, or the encoding its declaration names."""
    try:
        return raw_xml.decode()
    except UnicodeDecodeError:
        declared = DECLARED_ENCODING.match(raw_xml)
        try:
            return raw_xml.decode(declared.group(1).decode() if declared else "", "replace")
        except LookupError:  # no declaration, or a codec Python does not know
            return raw_xml.decode(errors="replace")


def _answer(decision: Decision, handling_ms: float) -> list[object]:
    return [decision.status, decision.rule_id, decision.reply.decode(), decision.error, handling_ms]


def pending(context: str = "") -> Decision:
    """A row stored before its answer is chosen (a cooldown), in the follower's conversation."""
    return Decision(Status.PENDING, context=context)


FAILURES = (OperationalError, InterfaceError)  # the database is away, not refusing the row
