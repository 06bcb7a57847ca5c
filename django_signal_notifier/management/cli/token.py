"""``signal_notifier token create|list|revoke``: users' tokens for the HTTP API."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from django.utils import timezone

from django_signal_notifier.management.cli.common import CommandInputError, error, find_user
from django_signal_notifier.models import ApiToken

help = "Create, list or revoke a user's HTTP API tokens (sent as 'Authorization: Bearer <token>')."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="action", required=True)
    create = actions.add_parser("create", help="Create a token and print it (the only time it is shown).")
    create.add_argument("user", help="The username (or #pk).")
    create.add_argument("--name", default="", help="What the token is for.")
    create.add_argument("--expires-in-days", type=int, default=None, help="Default: never expires.")
    listing = actions.add_parser("list", help="List tokens (their first characters, never their value).")
    listing.add_argument("user", nargs="?", help="Only this user's (username or #pk).")
    revoke = actions.add_parser(
        "revoke", help="Revoke tokens by their first characters (as listed), or all of a user's."
    )
    revoke.add_argument("prefixes", nargs="*", help="Token prefixes, e.g. dsn_AbCdEfGh.")
    revoke.add_argument("--user", help="Revoke every token of this user (username or #pk).")


def handle(command: Any, options: dict[str, Any]) -> int:
    try:
        return {"create": _create, "list": _list, "revoke": _revoke}[options["action"]](command, options)
    except CommandInputError as problem:
        return error(command, str(problem))


def _create(command: Any, options: dict[str, Any]) -> int:
    user = find_user(options["user"])
    days = options.get("expires_in_days")
    if days is not None and days < 1:
        return error(command, "--expires-in-days must be at least 1.")
    expires_at = timezone.now() + timedelta(days=days) if days else None
    _token, raw = ApiToken.objects.issue(user, name=options.get("name") or "", expires_at=expires_at)
    command.stderr.write(f"Token for {user.get_username()} (copy it now: it will not be shown again):")
    command.stdout.write(raw)
    return 0


def _list(command: Any, options: dict[str, Any]) -> int:
    tokens = ApiToken.objects.select_related("user")
    if options.get("user"):
        tokens = tokens.filter(user=find_user(options["user"]))
    for token in tokens:
        used = token.last_used_at.isoformat() if token.last_used_at else "never used"
        expires = token.expires_at.isoformat() if token.expires_at else "no expiry"
        command.stdout.write(f"{token.prefix}…  {token.user.get_username()}  {token.name or '-'}  {used}  {expires}")
    return 0


def _revoke(command: Any, options: dict[str, Any]) -> int:
    prefixes, username = options.get("prefixes") or [], options.get("user")
    if bool(prefixes) == bool(username):
        return error(command, "Give token prefixes or --user, not both.")
    tokens = (
        ApiToken.objects.filter(user=find_user(username)) if username else ApiToken.objects.filter(prefix__in=prefixes)
    )
    count, _deleted = tokens.delete()
    if prefixes and not count:
        return error(command, "No token starts with that: see `signal_notifier token list`.")
    command.stdout.write(f"{count} token(s) revoked.")
    return 0
