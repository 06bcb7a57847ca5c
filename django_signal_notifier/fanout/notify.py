"""Sending from code: :func:`notify` puts an explicit notification through the signal pipeline.

The same Event row, the same recipient de-duplication, rendering, Delivery and inbox rows and
the same delivery tasks as a signal-triggered notification, after the current transaction
commits. ``notify.send(actor, recipient=…, verb=…)`` takes django-notifications-hq's call shape.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.utils import timezone

from django_signal_notifier.config.specs import BackendSpec
from django_signal_notifier.config.steps import MAX_DELAY_SECONDS
from django_signal_notifier.delivery.cancel import key_of
from django_signal_notifier.events.actor import current_actor
from django_signal_notifier.events.snapshot import SENT_FROM_CODE, SignalEvent, is_model_instance, to_json_safe
from django_signal_notifier.events.text import storable
from django_signal_notifier.fanout.writer import write_event
from django_signal_notifier.messengers.registry import messenger_registry, template_name
from django_signal_notifier.models import Backend
from django_signal_notifier.rendering.base import MessageTemplate, RenderedMessage
from django_signal_notifier.rendering.registry import template_registry

logger = logging.getLogger("django_signal_notifier.explicit")

CONTENT_PARTS = ("subject", "text", "html", "url")

Recipients = Any  # a user, a Group, a user id, a username, a QuerySet of users or groups, or an iterable of these


class FixedContent(MessageTemplate):
    """Literal content given to :func:`notify` (not a template: it is sent as written)."""

    label = "Content given in code"

    def __init__(self, rendered: RenderedMessage) -> None:
        self.rendered = rendered

    def render_message(self, context: dict[str, Any]) -> RenderedMessage:
        return RenderedMessage(**{**self.rendered.__dict__, "data": dict(self.rendered.data)})


_WITH_DATA: dict[type[MessageTemplate], type[MessageTemplate]] = {}


def _with_data(template_cls: type[MessageTemplate], data: dict[str, Any]) -> MessageTemplate:
    """An instance of ``template_cls`` whose rendered messages also carry ``data``."""
    subclass = _WITH_DATA.get(template_cls)
    if subclass is None:

        def render_message(self: Any, context: dict[str, Any]) -> RenderedMessage:
            rendered = template_cls.render_message(self, context)
            rendered.data = {**self._extra_data, **rendered.data}
            return rendered

        subclass = type(template_cls.__name__, (template_cls,), {"render_message": render_message})
        _WITH_DATA[template_cls] = subclass
    instance = subclass()
    instance._extra_data = data  # type: ignore[attr-defined]
    return instance


class ExplicitSend:
    """One prepared explicit send; :meth:`run` fans it out (called after commit).

    ``event`` is the Event row once written (after the transaction commits), else None.
    """

    def __init__(
        self,
        event: SignalEvent,
        recipient_ids: list[Any],
        targets: list[tuple[BackendSpec, MessageTemplate | None]],
    ) -> None:
        self.signal_event = event
        self.recipient_ids = recipient_ids
        self.targets = targets
        self.mandatory = False
        self.cancel_key = ""
        self.group_key: str | None = None
        self.event: Any = None

    def write(self, writer: Any) -> None:
        for backend, template in self.targets:
            writer.write(None, None, backend, self.recipient_ids, template, self.mandatory, self.group_key)

    def run(self) -> None:
        """Write the records; a failure is logged and retried once carefully, never raised."""

        # Marked, so that delivery knows its messages' unsubscribe scope (the verb) or that they have none.
        snapshot = {**self.signal_event.snapshot(), SENT_FROM_CODE: {"mandatory": bool(self.mandatory)}}
        for careful in (False, True):
            try:
                self.event = write_event(
                    self.signal_event, snapshot, self.write, careful=careful, cancel_key=self.cancel_key
                )
                return
            except Exception:
                logger.exception(
                    "django-signal-notifier explicit send of %r failed%s",
                    self.signal_event.verb,
                    " again" if careful else "; retrying carefully",
                )


def _prepare(
    verb: str,
    *,
    recipients: Recipients,
    actor: Any,
    action_object: Any,
    target: Any,
    channels: Sequence[str] | None,
    backends: Iterable[Any] | None,
    template: str | type[MessageTemplate] | None,
    literal: dict[str, str],
    content: Mapping[str, Mapping[str, str]] | None,
    data: Mapping[str, Any] | None,
    level: str,
    extra: Mapping[str, Any] | None,
) -> ExplicitSend:
    if not verb or not isinstance(verb, str):
        raise ValueError("notify() needs a verb (a non-empty string), e.g. notify('commented', ...).")
    verb = storable(verb)  # stored on the event and each notification: no NUL, no lone surrogate
    payload: dict[str, Any] = dict(data or {})
    if level:
        payload["level"] = level
    payload = to_json_safe(payload)
    specs = _backend_specs(channels, backends)
    template_cls = _template_class(template)
    content = dict(content or {})
    unknown_content = sorted(set(content) - {spec.messenger for spec in specs})
    if unknown_content:
        raise ValueError(f"notify(content=…) names channels that are not sent to: {', '.join(unknown_content)}.")
    targets: list[tuple[BackendSpec, MessageTemplate | None]] = []
    for spec in specs:
        parts = {**{k: v for k, v in literal.items() if v}, **dict(content.get(spec.messenger) or {})}
        bad = sorted(set(parts) - set(CONTENT_PARTS))
        if bad:
            raise ValueError(f"Unknown content part(s) {', '.join(bad)}; use {', '.join(CONTENT_PARTS)}.")
        chosen: MessageTemplate | None
        if parts:
            chosen = FixedContent(RenderedMessage(**{k: storable(str(v)) for k, v in parts.items()}, data=payload))
        elif template_cls is not None:
            chosen = _with_data(template_cls, payload) if payload else template_cls()
        else:
            chosen = None  # the backend's (or the messenger's default) template
            if payload:
                found = template_registry.get(template_name(spec.message_template, spec.messenger))
                if found is not None:
                    chosen = _with_data(found, payload)
        targets.append((spec, chosen))
    kwargs: dict[str, Any] = dict(extra or {})
    if payload:
        kwargs.setdefault("data", payload)
    sender = type(action_object) if is_model_instance(action_object) else actor
    event = SignalEvent(
        verb=verb,
        sender=sender,
        kwargs=kwargs,
        instance=action_object,
        actor=actor if actor is not None else current_actor(),
        target=target,
    )
    return ExplicitSend(event, resolve_recipients(recipients), targets)


def _template_class(template: str | type[MessageTemplate] | None) -> type[MessageTemplate] | None:
    if template is None or template == "":
        return None
    if isinstance(template, type) and issubclass(template, MessageTemplate):
        return template
    if isinstance(template, str):
        found = template_registry.get(template)
        if found is None:
            raise ValueError(
                f"No message template is registered as {template!r}. Registered: {', '.join(template_registry.names())}."
            )
        return found
    raise ValueError(f"template must be a registered template's name or a MessageTemplate class, not {template!r}.")


def _backend_specs(channels: Sequence[str] | None, backends: Iterable[Any] | None) -> list[BackendSpec]:
    if isinstance(channels, str):
        channels = [channels]
    specs: list[BackendSpec] = []
    for name in channels or ():
        if messenger_registry.get(name) is None:
            raise ValueError(
                f"No messenger is registered as {name!r}. Registered: {', '.join(messenger_registry.names())}."
            )
        specs.append(BackendSpec(None, name, name, ""))
    if backends is not None:
        specs.extend(_stored_backends(backends))
    if not specs:
        specs.append(BackendSpec(None, "InSiteMessenger", "InSiteMessenger", ""))
    return specs


def _stored_backends(backends: Iterable[Any]) -> list[BackendSpec]:

    wanted = [backends] if isinstance(backends, (Backend, int, str)) else list(backends)
    specs = []
    for item in wanted:
        if isinstance(item, Backend):
            row: Backend | None = item
        elif isinstance(item, int):
            row = Backend.objects.filter(pk=item).first()
        elif isinstance(item, str):
            row = Backend.objects.filter(key=item).first()
        else:
            raise ValueError(f"backends takes Backend rows, ids or keys, not {item!r}.")
        if row is None:
            raise ValueError(f"No backend {item!r} exists.")
        specs.append(BackendSpec(row.pk, str(row), row.messenger, row.message_template, dict(row.options or {})))
    return specs


def resolve_recipients(recipients: Recipients) -> list[Any]:
    """The ids of the active users among ``recipients`` (users, groups, ids, usernames, querysets), sorted, once each.

    A string is a username (the user model's ``USERNAME_FIELD``), else a user id; one that is
    neither raises ValueError.
    """
    user_model = get_user_model()
    user_ids: set[Any] = set()
    group_ids: set[Any] = set()
    names: set[str] = set()
    querysets: list[models.QuerySet[Any]] = []
    items = [recipients] if _is_single(recipients) else list(recipients)
    for item in items:
        if isinstance(item, user_model):
            user_ids.add(item.pk)
        elif isinstance(item, Group):
            group_ids.add(item.pk)
        elif isinstance(item, models.QuerySet) and item.model is user_model:
            querysets.append(item.values("pk"))
        elif isinstance(item, models.QuerySet) and item.model is Group:
            group_ids.update(item.values_list("pk", flat=True))
        elif isinstance(item, str):
            names.add(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            user_ids.add(item)
        else:
            raise ValueError(
                f"Cannot notify {item!r}: recipients are users, groups, user ids, usernames or querysets of users "
                "or groups."
            )
    user_ids.update(_ids_of_names(user_model, names))
    query = models.Q(pk__in=user_ids)
    if group_ids:
        query |= models.Q(groups__in=group_ids)
    for queryset in querysets:
        query |= models.Q(pk__in=queryset)
    if not (user_ids or group_ids or querysets):
        return []
    users = user_model._default_manager.filter(query)
    if any(f.name == "is_active" for f in user_model._meta.concrete_fields):
        users = users.filter(is_active=True)
    return sorted(set(users.values_list("pk", flat=True)))


def _ids_of_names(user_model: Any, names: set[str]) -> set[Any]:
    """The user ids that ``names`` stand for: usernames first, else user ids written as text."""
    if not names:
        return set()
    field = user_model.USERNAME_FIELD
    by_name = dict(user_model._default_manager.filter(**{f"{field}__in": names}).values_list(field, "pk"))
    ids: set[Any] = set()
    for name in sorted(names):
        if name in by_name:
            ids.add(by_name[name])
            continue
        try:
            ids.add(user_model._meta.pk.to_python(name))
        except (ValidationError, ValueError, TypeError):
            raise ValueError(
                f"Cannot notify {name!r}: no user has that {field}, and it is not a user id either."
            ) from None
    return ids


def _is_single(value: Any) -> bool:
    return isinstance(value, (models.Model, int, str)) or value is None


class Notifier:
    """``notify``: call it to send from code; ``notify.send(...)`` is django-notifications-hq's call shape.

    Moving from django-notifications-hq is one line: replace
    ``from notifications.signals import notify`` with ``from django_signal_notifier import notify``.
    ``notify.send(actor, recipient=user, verb="commented", action_object=c, target=post,
    description="…")`` then writes an in-site notification (or ``channels=[…]``) through the pipeline.
    """

    def __call__(
        self,
        verb: str,
        *,
        recipients: Recipients,
        actor: Any = None,
        action_object: Any = None,
        target: Any = None,
        channels: Sequence[str] | None = None,
        backends: Iterable[Any] | None = None,
        template: str | type[MessageTemplate] | None = None,
        subject: str = "",
        text: str = "",
        html: str = "",
        url: str = "",
        content: Mapping[str, Mapping[str, str]] | None = None,
        data: Mapping[str, Any] | None = None,
        level: str = "",
        extra: Mapping[str, Any] | None = None,
        mandatory: bool = False,
        delay: float = 0,
        only_if_unread: bool = False,
        cancel_key: str = "",
        expires_in: float | timedelta | None = None,
        expires_at: datetime | None = None,
        group_key: str | None = None,
        using: str | None = None,
    ) -> ExplicitSend:
        """Notify ``recipients`` that ``verb`` happened, through the same pipeline as a signal.

        Nothing is written until the current transaction commits (at once outside a transaction);
        a rollback sends nothing. Returns a handle whose ``event`` is the Event row once written.

        - ``recipients``: users, groups, user ids, usernames, querysets of users or groups, or a
          mix; inactive users are left out and each user receives one message per channel.
        - ``channels``: messenger names (``"InSiteMessenger"``, ``"EmailMessenger"``…), rendered with
          each messenger's default template; ``backends``: stored ``Backend`` rows (or their ids or
          keys), rendered with their template and sent with their options. Default: the in-site inbox.
        - ``template``: a registered message template's name (or class) for every channel; or literal
          content: ``subject``/``text``/``html``/``url`` for every channel, ``content`` per channel
          (``{"EmailMessenger": {"subject": …, "text": …}}``).
        - ``data``: JSON-safe values delivered with each message (the inbox row's ``data``) and
          available to templates as ``data``; ``level`` is added to it. ``extra``: more template
          variables, stored with the event like a signal's kwargs.
        - ``mandatory``: ignore the recipients' preferences (by default a user who turned a channel
          off for every subscription is skipped, recorded as a skipped Delivery).
        - ``delay``: seconds before the channels that leave the site (email, chat, SMS…) send; the
          in-site inbox is written at once. ``only_if_unread``: those channels send only to the
          recipients who have not read this send's in-site notification by then (escalation).
        - ``cancel_key``: a key that ``cancel(key)`` uses to cancel what has not been sent yet;
          by default the key of ``action_object`` (``"blog.comment:12"``).
        - ``expires_in`` (seconds or a timedelta) or ``expires_at`` (an aware datetime): the in-site
          notifications are hidden from then on (and deleted by ``signal_notifier prune``).
        - ``group_key``: the inbox entry this send's in-site notifications join: rows of one user
          with the same key show as one entry ("bob and 3 others …"). Default: the same verb and
          ``action_object``; ``""``: an entry of its own.

        Bad arguments (an unknown channel, backend or template, recipients of the wrong type) raise
        ``ValueError`` here; errors while rendering or sending are recorded on Delivery rows.
        """
        plan = _prepare(
            verb,
            recipients=recipients,
            actor=actor,
            action_object=action_object,
            target=target,
            channels=channels,
            backends=backends,
            template=template,
            literal={"subject": subject, "text": text, "html": html, "url": url},
            content=content,
            data=data,
            level=level,
            extra=extra,
        )
        plan.mandatory = mandatory
        plan.cancel_key = key_of(cancel_key) if cancel_key else ""
        if group_key is not None and not isinstance(group_key, str):
            raise ValueError(f'notify(group_key=…) is a string ("" for no grouping), not {group_key!r}.')
        plan.group_key = group_key
        if delay or only_if_unread:
            if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= MAX_DELAY_SECONDS:
                raise ValueError(
                    f"notify(delay=…) is a number of seconds from 0 to {MAX_DELAY_SECONDS}, not {delay!r}."
                )
            plan.targets = [
                (replace(spec, delay_seconds=int(delay), only_if_unread=bool(only_if_unread)), chosen)
                for spec, chosen in plan.targets
            ]
        expiry = _expiry(expires_in, expires_at)
        if expiry is not None:
            plan.targets = [(replace(spec, inbox_expires_at=expiry), chosen) for spec, chosen in plan.targets]
        db = using or router.db_for_write(get_user_model())
        transaction.on_commit(plan.run, using=db)
        return plan

    def send(
        self,
        sender: Any,
        *,
        recipient: Recipients,
        verb: str,
        action_object: Any = None,
        target: Any = None,
        description: str = "",
        level: str = "",
        public: bool = True,
        timestamp: Any = None,
        channels: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> list[tuple[Any, Any]]:
        """Notify ``recipient``; extra keyword arguments become the notification's ``data``.

        Returns ``[]`` (notifications-hq returned the receivers' results; the rows are written
        after commit here).
        """
        actor = kwargs.pop("actor", sender)
        kwargs.pop("signal", None)
        data = dict(kwargs)
        if not public:
            data["public"] = False
        if timestamp is not None:
            data["timestamp"] = timestamp
        literal = {"subject": _hq_title(actor, verb, action_object, target), "text": description}
        self(
            verb,
            recipients=recipient,
            actor=actor,
            action_object=action_object,
            target=target,
            channels=channels or ["InSiteMessenger"],
            subject=literal["subject"],
            text=description,
            data=data,
            level=level,
        )
        return []


def _expiry(expires_in: float | timedelta | None, expires_at: datetime | None) -> datetime | None:
    """The moment ``notify(expires_in=…)`` or ``notify(expires_at=…)`` names (None: never)."""
    if expires_in is not None and expires_at is not None:
        raise ValueError("notify() takes expires_in or expires_at, not both.")
    if expires_at is not None:
        if not isinstance(expires_at, datetime) or timezone.is_naive(expires_at):
            raise ValueError(f"notify(expires_at=…) is an aware datetime, not {expires_at!r}.")
        return expires_at
    if expires_in is None:
        return None
    if isinstance(expires_in, timedelta):
        seconds = expires_in.total_seconds()
    elif isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
        seconds = float(expires_in)
    else:
        raise ValueError(f"notify(expires_in=…) is a number of seconds or a timedelta, not {expires_in!r}.")
    if seconds <= 0:
        raise ValueError(f"notify(expires_in=…) must be positive, not {expires_in!r}.")
    return timezone.now() + timedelta(seconds=seconds)


def _hq_title(actor: Any, verb: str, action_object: Any, target: Any) -> str:
    """notifications-hq's text: '<actor> <verb> <action object> on <target>'."""
    title = f"{actor} {verb}"
    if action_object is not None:
        title += f" {action_object}"
    if target is not None:
        title += f" on {target}"
    return title


notify = Notifier()
"""Send a notification from code; see :class:`Notifier`."""
