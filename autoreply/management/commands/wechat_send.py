"""`manage.py wechat_send --account SLUG [--url BASE_URL] [--encrypt] TEXT` (or --event,
--image, --voice, --location, --link): act as WeChat's servers and show the reply."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from autoreply.management.accounts import find_account
from autoreply.models import Account
from autoreply.outbound import watch
from wechat import pushes, simulator


class Command(BaseCommand):
    help = (
        "Send one correctly signed (optionally encrypted) push to a running autoreply, "
        "as WeChat's servers do, and print the decoded reply."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", nargs="?", help="a text message's content")
        parser.add_argument("--account", required=True, metavar="SLUG", help="as in /wechat/SLUG/")
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000",
            metavar="BASE_URL",
            help="the server (default: %(default)s)",
        )
        parser.add_argument("--encrypt", action="store_true", help="as in safe mode (AES)")
        kinds = parser.add_mutually_exclusive_group()
        kinds.add_argument("--event", metavar="NAME", help="subscribe, CLICK, SCAN, ...")
        kinds.add_argument("--image", metavar="MEDIA_ID", help="an image message")
        kinds.add_argument("--voice", metavar="MEDIA_ID", help="a voice message")
        kinds.add_argument("--location", metavar="X,Y[,LABEL]", help="a location message")
        kinds.add_argument("--link", metavar="URL", help="a link message")
        parser.add_argument("--event-key", metavar="KEY", help="the event's EventKey")
        parser.add_argument("--recognition", metavar="TEXT", help="a voice message's text")
        parser.add_argument(
            "--from",
            dest="from_user",
            default=pushes.SIMULATED_OPENID,
            metavar="OPENID",
            help="the sender (default: %(default)s)",
        )
        parser.add_argument(
            "--to",
            dest="to_user",
            metavar="GH_ID",
            help="default: the account's original ID, once learned",
        )
        parser.add_argument(
            "--msg-id", type=int, metavar="N", help="repeat one to see how a retry is answered"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        account = find_account(options["account"])
        started = time.time()
        try:
            exchange = simulator.send(
                account, options["url"], self.push(account, options), encrypt=options["encrypt"]
            )
        except pushes.SimulatorError as exc:
            raise CommandError(str(exc)) from None
        if options["verbosity"] >= 2:
            self.show_raw(exchange)
        lines = simulator.describe(exchange)
        if exchange.status == 403 and account.encryption_mode == "safe" and not options["encrypt"]:
            lines.append(f"(account {account.slug!r} is in safe mode: add --encrypt)")
        if exchange.status != 200:
            raise CommandError("\n".join(lines))
        for line in [*lines, *watch.follow_ups(account, options["from_user"], started)]:
            self.stdout.write(line)

    def push(self, account: Account, options: dict[str, Any]) -> pushes.Push:
        return pushes.Push(
            fields=self.fields(options),
            from_user=options["from_user"],
            to_user=options["to_user"] or account.original_id or pushes.SIMULATED_GH_ID,
            msg_id=options["msg_id"],
        )

    def fields(self, options: dict[str, Any]) -> dict[str, object]:
        given = [name for name in ("event", "image", "voice", "location", "link") if options[name]]
        if bool(given) == (options["text"] is not None):
            raise CommandError(
                "send one thing: TEXT, or one of --event, --image, --voice, --location, --link"
            )
        if options["event_key"] is not None and not options["event"]:
            raise CommandError("--event-key goes with --event")
        if options["recognition"] is not None and not options["voice"]:
            raise CommandError("--recognition goes with --voice")
        try:
            return pushes.build_fields(given[0] if given else "text", options)
        except pushes.SimulatorError as exc:
            raise CommandError(str(exc)) from None

    def show_raw(self, exchange: simulator.Exchange) -> None:
        self.stdout.write(f"POST {exchange.url}")
        self.stdout.write("push:")
        self.stdout.write(exchange.push.decode())
        if exchange.body != exchange.push:
            self.stdout.write("sent encrypted:")
            self.stdout.write(exchange.body.decode())
        self.stdout.write("answer:")
        self.stdout.write(exchange.answer.decode("utf-8", "replace"))
        if exchange.reply_xml is not None and exchange.reply_xml != exchange.answer:
            self.stdout.write("decrypted:")
            self.stdout.write(exchange.reply_xml.decode("utf-8", "replace"))
