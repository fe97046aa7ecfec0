"""Writing notifications (in the event's transaction) and delivering them (in workers), once per channel."""

from __future__ import annotations

import contextlib
import datetime
import logging
import smtplib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import kombu.exceptions
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Model
from django.utils import timezone

from audit.context import acting
from notifications import texts
from notifications.channels import CHANNELS, ChannelRejected, ChannelUnavailable, Send
from notifications.models import (
    QUIET_HOURS_KINDS,
    URGENT_KINDS,
    Channel,
    Delivery,
    Kind,
    Notification,
    Preference,
)
from notifications.tasks import deliver, deliver_webhooks, send_digest
from organisation.models.people import person_name
from workdays.calendar import WorkingCalendar, working_calendar

logger = logging.getLogger(__name__)

DELIVERY_CHANNELS = [Channel.EMAIL]
# The bell's number is forgotten whenever it changes; the expiry only bounds a change made behind our back.
UNREAD_CACHE_SECONDS = 300


@dataclass(frozen=True)
class _Choice:
    enabled: bool = True
    digest: bool = False


def _preferences(user_ids: set[int], kinds: set[str]) -> dict[tuple[int, str, str], _Choice]:
    rows = Preference.objects.filter(user_id__in=user_ids, kind__in=kinds).values_list(
        "user_id", "kind", "channel", "enabled", "digest"
    )
    return {
        (user_id, kind, channel): _Choice(enabled, digest) for user_id, kind, channel, enabled, digest in rows
    }


def _not_before(
    kind: str, digest: bool, now: datetime.datetime, calendar: WorkingCalendar
) -> datetime.datetime:
    if kind in URGENT_KINDS:
        return now  # escalations are never held
    if digest:
        return calendar.next_working_morning(now)
    if kind in QUIET_HOURS_KINDS:
        return calendar.next_office_moment(now)
    return now


@dataclass(frozen=True)
class Event:
    recipients: Iterable[User]
    kind: Kind
    context: dict[str, Any]


def case_context(case: Model | None, **extra: Any) -> dict[str, Any]:
    """What a notification says about its case (a request, a report, a cycle), for every kind and caller:
    its number and title, its district and province (both languages), its page. A snapshot, taken when
    the event happens."""
    number = getattr(case, "number", "") or ""
    title = getattr(case, "subject", None) or str(case)
    context: dict[str, Any] = {"subject": f"{number} {title}".strip(), "number": number, "title": title}
    for place in ("district", "province"):
        value = getattr(case, place, None)
        if value is not None:
            context[place] = {"th": value.name_th, "en": value.name_en or value.name_th}
    url = getattr(case, "get_absolute_url", None)
    if callable(url):
        context["url"] = url()
    return {**context, **extra}


# The more a kind says about what happened, the higher: when one event tells a person several things about
# one case (an answer opens the requester's acceptance task), the person gets the highest one, with the
# details of the others (the acceptance's deadline).
_PRECEDENCE = [
    Kind.CLOSED,
    Kind.ANSWERED,
    Kind.RETURNED,
    Kind.ESCALATED,
    Kind.OVERDUE,
    Kind.CYCLE_CLOSED,
    Kind.CYCLE_OPENED,
    Kind.CYCLE_CLOSING_SOON,
    Kind.DEADLINE_EXTENDED,
    Kind.DUE_SOON,
    Kind.TASK_ASSIGNED,
    Kind.HANDED_OVER,
]


@dataclass
class _Action:
    actor: User | None
    on_behalf_of: User | None = None
    text: str = ""
    written: list[tuple[Event, datetime.datetime, WorkingCalendar | None]] = field(default_factory=list)


_action: ContextVar[_Action | None] = ContextVar("notifications_action", default=None)


@contextlib.contextmanager
def action_by(actor: User | None) -> Iterator[None]:
    """One person's action (every action on a task goes through flows.task_life.task_act, which enters
    this): what it notifies is written when it ends, in its transaction, as one event. The person who acted
    is not told of their own action; each other person gets one notice per case, saying who acted (and for
    whom). Nested: part of the action around it. An action that raises notifies nobody."""
    if _action.get() is not None:
        yield
        return
    action = _Action(actor)
    token = _action.set(action)
    try:
        with acting(actor):  # what the action changes is the actor's in the audit log, on a page or not
            yield
    finally:
        _action.reset(token)
    _action_write(action)


def action_note(*, on_behalf_of: User | None = None, text: str = "") -> None:
    """Inside `action_by`, what the step recorded on the case's timeline: for whom the actor acted (an acting
    deputy for the group director) and what they wrote (the reason, the answer), told in its notices."""
    action = _action.get()
    if action is None:
        return
    if on_behalf_of is not None:
        action.on_behalf_of = on_behalf_of
    if text:
        action.text = text


def _action_write(action: _Action) -> None:
    if not action.written:
        return
    actor_id = action.actor.pk if action.actor is not None else None
    said = {}
    if action.actor is not None:
        said["actor"] = person_name(action.actor)
        if action.on_behalf_of is not None:
            said["on_behalf_of"] = person_name(action.on_behalf_of)
    if action.text:
        said["text"] = action.text
    # (recipient, case) -> the notices of this action, in the order written
    notices: dict[tuple[int, str], list[tuple[Event, User]]] = {}
    for event, _now, _calendar in action.written:
        for user in event.recipients:
            if user is None or user.pk == actor_id:
                continue
            notices.setdefault((user.pk, str(event.context.get("url", ""))), []).append((event, user))
    merged: list[Event] = []
    for found in notices.values():
        first, user = min(found, key=lambda item: _PRECEDENCE.index(Kind(item[0].kind)))
        context: dict[str, Any] = {}
        for event, _user in found:
            context.update(event.context)
        merged.append(Event([user], first.kind, {**context, **first.context, **said}))
    _event, now, calendar = action.written[0]
    _write(merged, now=now, calendar=calendar)


def notify(
    *,
    recipients: Iterable[User],
    kind: Kind,
    context: dict[str, Any],
    now: datetime.datetime,
    calendar: WorkingCalendar | None = None,
) -> list[Notification]:
    """Write the notifications of one event, in the caller's transaction; delivery starts after commit.
    Inside a person's action (`action_by`), written when the action ends: returns nothing."""
    return notify_many(events=[Event(recipients, kind, context)], now=now, calendar=calendar)


def notify_many(
    *, events: list[Event], now: datetime.datetime, calendar: WorkingCalendar | None = None
) -> list[Notification]:
    """Many events at once (the periodic job fires hundreds): a constant number of queries."""
    action = _action.get()
    if action is not None:
        action.written.extend((Event(list(e.recipients), e.kind, e.context), now, calendar) for e in events)
        return []
    return _write(events, now=now, calendar=calendar)


def _write(
    events: list[Event], *, now: datetime.datetime, calendar: WorkingCalendar | None
) -> list[Notification]:
    rows: list[tuple[User, Event]] = []
    for event in events:
        unique = {user.pk: user for user in event.recipients if user is not None and user.is_active}
        rows.extend((user, event) for user in unique.values())
    if not rows:
        return []
    calendar = calendar or working_calendar()
    preferences = _preferences({user.pk for user, _ in rows}, {Kind(event.kind).value for _, event in rows})
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=Kind(event.kind).value,
                context=event.context,
                created_at=now,
                show_in_app=preferences.get(
                    (user.pk, Kind(event.kind).value, Channel.IN_APP.value), _Choice()
                ).enabled,
            )
            for user, event in rows
        ]
    )
    deliveries = []
    for notification in notifications:
        for channel in DELIVERY_CHANNELS:
            choice = preferences.get((notification.recipient_id, notification.kind, channel.value), _Choice())
            if not choice.enabled:
                continue
            digest = choice.digest and notification.kind not in URGENT_KINDS
            deliveries.append(
                Delivery(
                    notification=notification,
                    channel=channel,
                    dedupe_key=f"n{notification.pk}-{channel}",
                    not_before=_not_before(notification.kind, digest, now, calendar),
                    digest=digest,
                )
            )
    Delivery.objects.bulk_create(deliveries)
    unread_count_forget(n.recipient_id for n in notifications if n.show_in_app)
    due_now = [d.pk for d in deliveries if d.not_before <= now and not d.digest]
    if due_now:
        transaction.on_commit(lambda: enqueue(due_now))
    return notifications


# Deliveries per task: one SMTP connection each, sent one after another. Small enough that the e-mail
# worker's threads share out a cycle opening's 880 e-mails evenly (44 batches for 16 threads), large enough
# that a connection's greeting and EHLO are paid once for 20 messages.
ENQUEUE_BATCH = 20
# What a broker that is down, refusing or hung raises (redis-py's connection errors reach us as kombu's
# OperationalError; a timeout or a refused socket as OSError).
BROKER_OUTAGES: tuple[type[BaseException], ...] = (kombu.exceptions.OperationalError, OSError)
# Redis serves a queue's lowest priority number first (kombu keeps a list per step: 0, 3, 6, 9). A delivery
# that goes again (taken back from a dead worker, or tried before) is sent before the new e-mails queued
# behind it: a cycle opening's 880 e-mails do not hold back a retry.
PRIORITY_AGAIN = 0
PRIORITY_NEW = 3


def enqueue(delivery_ids: list[int], *, again: bool = False, webhook: bool = False) -> int:
    """Hand deliveries to the workers (e-mail to the e-mail queue; `webhook`: webhook deliveries, to
    theirs), in batches; `again`: ahead of the new ones. Never raises: with the broker down (or hung: the
    socket timeouts of the settings apply) they stay pending, and the sweep enqueues them again later."""
    task = deliver_webhooks if webhook else deliver
    sent = 0
    try:
        with deliver.app.producer_or_acquire() as producer:
            # One attempt to connect. `retry=False` alone does not stop kombu from retrying the connection
            # itself for broker_connection_timeout (about 6 s of a web request per event, measured).
            producer.connection.ensure_connection(max_retries=0)
            for start in range(0, len(delivery_ids), ENQUEUE_BATCH):
                batch = delivery_ids[start : start + ENQUEUE_BATCH]
                task.apply_async(
                    (batch,),
                    retry=False,
                    producer=producer,
                    priority=PRIORITY_AGAIN if again else PRIORITY_NEW,
                )
                sent += len(batch)
    except BROKER_OUTAGES:
        logger.warning(
            "broker unavailable: %d deliveries wait for the sweep",
            len(delivery_ids) - sent,
            exc_info=True,
        )
    except Exception:
        # Not the broker: a bug. Logged at error level with its traceback; the deliveries stay pending
        # and the sweep tries them again.
        logger.exception("enqueue failed: %d deliveries wait for the sweep", len(delivery_ids) - sent)
    return sent


def _deliveries(ids: list[int]) -> dict[int, Delivery]:
    return Delivery.objects.select_related(
        "notification__recipient__officer", "event", "subscription__owner"
    ).in_bulk(ids)


def delivery_send(
    *,
    delivery_id: int,
    now: datetime.datetime,
    loaded: Delivery | None = None,
    send: Send | None = None,
) -> str:
    """Deliver one notification on one channel, at least once and never lost: the row is claimed by a
    conditional update (one statement: PostgreSQL locks the row and checks the status again under the lock,
    so a retry, a duplicate message from the broker or a second worker finds nothing to do), and recorded
    as sent only once the channel has accepted it. A worker that dies in between leaves the claim, which
    the sweep takes back: the repeat carries the same identity (the e-mail's Message-ID).
    `loaded`: the row read beforehand with its notification and recipient (a batch reads them in one
    query); only those are used, never its status. `send`: the channel session of a batch (one connection
    for all its e-mails); without it, a session of its own."""
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, not_before__lte=now
    ).update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    delivery = loaded or _deliveries([delivery_id])[delivery_id]
    try:
        if send is not None:
            send(delivery)
        else:
            with CHANNELS[delivery.channel]() as send_alone:
                send_alone(delivery)
    except ChannelRejected as exc:
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.FAILED, last_error=str(exc)[:2000]
        )
        logger.warning("delivery %s refused for good: %s", delivery_id, exc)
        return "failed"
    except ChannelUnavailable as exc:
        # Give the row back so that the retry (or the sweep) can claim it again, after the channel's
        # backoff when it has one (a webhook's receiver).
        later = {"not_before": now + datetime.timedelta(seconds=exc.retry_after)} if exc.retry_after else {}
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.PENDING, last_error=str(exc)[:2000], **later
        )
        raise
    except Exception as exc:
        # Not the channel being down: a message that cannot be built or sent (a header Django refuses, a
        # bug) fails the same way every time. Recorded as failed where administrators see it (the admin's
        # deliveries, the failed count on central staff's home page), who retry it once it is repaired;
        # never sent, never retried on its own.
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        logger.exception("delivery %s failed: recorded as failed", delivery_id)
        return "failed"
    Delivery.objects.filter(pk=delivery_id).update(status=Delivery.Status.SENT, sent_at=now, last_error="")
    return "sent"


def deliveries_send(*, delivery_ids: list[int], now: datetime.datetime | None = None) -> dict[str, list[int]]:
    """A batch from the queue, over one connection per channel: each delivered (claimed, sent, recorded) on
    its own; those whose channel is down are returned.

    Without `now`, each claim is stamped with the clock at its own start: a batch of 50 can take minutes
    when the mail server is slow, and a claim stamped with the batch's start would look stale to the sweep
    while it is being sent (taken back, sent twice)."""
    outcome: dict[str, list[int]] = {"sent": [], "skipped": [], "failed": [], "unavailable": []}
    loaded = _deliveries(delivery_ids)
    with _asynchronous_commit(), contextlib.ExitStack() as sessions:
        senders: dict[str, Send] = {}  # one session (connection) per channel, opened at its first message
        for delivery_id in delivery_ids:
            if delivery_id not in loaded:
                outcome["skipped"].append(delivery_id)
                continue
            delivery = loaded[delivery_id]
            if delivery.channel not in senders:
                senders[delivery.channel] = sessions.enter_context(CHANNELS[delivery.channel]())
            try:
                result = delivery_send(
                    delivery_id=delivery_id,
                    now=now or timezone.now(),
                    loaded=delivery,
                    send=senders[delivery.channel],
                )
                outcome[result].append(delivery_id)
            except ChannelUnavailable:
                outcome["unavailable"].append(delivery_id)
    return outcome


@contextlib.contextmanager
def _asynchronous_commit() -> Iterator[None]:
    """The claims and records of a batch do not wait for the WAL flush (1-4 ms each, measured): a
    PostgreSQL crash may forget the last ~0.6 s of them; a forgotten claim or SENT makes the row pending or
    claimed again, and the sweep sends it again with the same identity (at least once, never lost)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def delivery_give_up(*, delivery_id: int, error: str) -> None:
    """After the last retry: record the permanent failure where administrators see it."""
    Delivery.objects.filter(pk=delivery_id).exclude(status=Delivery.Status.SENT).update(
        status=Delivery.Status.FAILED, last_error=error[:2000]
    )


def deliveries_sweep(*, now: datetime.datetime) -> int:
    """Periodic (beat, every NOTIFICATION_SWEEP_EVERY_SECONDS, on the default queue: never behind e-mail):
    take back the claims of workers that died (a claim older than the claim timeout: no live send lasts
    that long), and enqueue again what is pending: first what was tried before (those claims among them),
    ahead of the new e-mails in the queue, then what was never tried and has waited (the broker was down
    when it was written)."""
    stale = now - datetime.timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT_SECONDS)
    Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=stale).update(
        status=Delivery.Status.PENDING
    )
    waited = now - datetime.timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER_SECONDS)
    due = Delivery.objects.filter(status=Delivery.Status.PENDING, digest=False, not_before__lte=now)
    sent = 0
    for webhook, of_channel in (
        (False, due.exclude(channel=Channel.WEBHOOK)),
        (True, due.filter(channel=Channel.WEBHOOK)),
    ):
        tried = list(
            of_channel.filter(attempts__gt=0).order_by("not_before").values_list("pk", flat=True)[:5000]
        )
        untried = list(
            of_channel.filter(attempts=0, not_before__lte=waited)
            .order_by("not_before")
            .values_list("pk", flat=True)[:5000]
        )
        sent += enqueue(tried, again=True, webhook=webhook) if tried else 0
        sent += enqueue(untried, webhook=webhook) if untried else 0
    return sent


def digests_send(*, now: datetime.datetime) -> int:
    """Each working morning: one e-mail per person with everything held for their digest."""

    calendar = working_calendar()
    if not calendar.is_office_hours(now):
        return 0
    users = set(
        Delivery.objects.filter(status=Delivery.Status.PENDING, digest=True, not_before__lte=now).values_list(
            "notification__recipient_id", flat=True
        )
    )
    for user_id in users:
        send_digest.delay(user_id)
    return len(users)


def notifications_mark_read(*, user: User, ids: list[int] | None, now: datetime.datetime) -> int:
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    unread_count_forget([user.pk])
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=now)


def _unread_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user: User) -> int:
    """The bell's number, shown on every page: kept in the cache until a notification arrives or is read."""
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True, show_in_app=True).count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return int(count)


def inbox_version_key(user_id: int) -> str:
    """The version stamp of a person's notifications (organisation/cached.py): their inbox is held rendered
    under it (notifications/views.py)."""
    return f"notifications:inbox-version:{user_id}"


def unread_count_forget(user_ids: Iterable[int]) -> None:
    """The bell and the inbox change for these people (a notification arrived or was read): now, and again
    when the transaction commits (a page read in between would otherwise keep the old number)."""
    ids = set(user_ids)
    keys = [_unread_key(pk) for pk in ids] + [inbox_version_key(pk) for pk in ids]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def _digest_outage(exc: BaseException) -> bool:
    """A digest's channel outage: the mail server unreachable, hung, or answering "try later" (4xx).
    Everything else (a 5xx refusal, refused recipients, a bug) fails the same way every time."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPException):  # a subclass of OSError, but not an outage
        return False
    return isinstance(exc, OSError)  # refused, reset, timed out


def digest_send(*, user_id: int, now: datetime.datetime) -> int:
    """One e-mail with every delivery held for the person's digest; each is claimed first, so a second
    run (or a retry) never sends an item twice."""
    from django.core.mail import EmailMultiAlternatives

    candidates = list(
        Delivery.objects.filter(
            notification__recipient_id=user_id,
            status=Delivery.Status.PENDING,
            digest=True,
            not_before__lte=now,
        ).values_list("pk", flat=True)
    )
    claimed = Delivery.objects.filter(pk__in=candidates, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return 0
    deliveries = list(
        Delivery.objects.filter(
            pk__in=candidates, status=Delivery.Status.SENDING, claimed_at=now
        ).select_related("notification__recipient__officer")
    )
    ids = [d.pk for d in deliveries]
    try:
        user = User.objects.select_related("officer").get(pk=user_id)
        if not user.email:
            raise ChannelRejected("no e-mail address")
        rendered = texts.render_digest(
            user, [d.notification for d in deliveries if d.notification is not None]
        )
        message = EmailMultiAlternatives(
            subject=rendered.subject,
            body=rendered.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
        )
        message.attach_alternative(rendered.html, "text/html")
        message.send()
    except Exception as exc:
        if _digest_outage(exc):
            # Give the rows back: the task retries, and after its last retry the next morning's run takes
            # them again.
            Delivery.objects.filter(pk__in=ids).update(
                status=Delivery.Status.PENDING, last_error=str(exc)[:2000]
            )
            raise ChannelUnavailable(str(exc)) from exc
        # Anything else would fail the same way every morning: recorded where administrators see it (and
        # may retry it), not retried.
        Delivery.objects.filter(pk__in=ids).update(
            status=Delivery.Status.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        logger.exception("digest for user %s failed: %d deliveries recorded as failed", user_id, len(ids))
        return 0
    Delivery.objects.filter(pk__in=ids).update(status=Delivery.Status.SENT, sent_at=now)
    return len(ids)


@transaction.atomic
def preferences_save(*, user: User, choices: dict[tuple[str, str], tuple[bool, bool]]) -> None:
    """Store a person's choices: (kind, channel) -> (enabled, digest). Rows equal to the default are removed."""
    for (kind, channel), (enabled, digest) in choices.items():
        if enabled and not digest:
            Preference.objects.filter(user=user, kind=kind, channel=channel).delete()
        else:
            Preference.objects.update_or_create(
                user=user, kind=kind, channel=channel, defaults={"enabled": enabled, "digest": digest}
            )


def deliveries_retry(*, delivery_ids: list[int]) -> int:
    """From the admin: failed deliveries get another chance (the sweep or this enqueue sends them)."""
    ids = list(
        Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.FAILED).values_list(
            "pk", flat=True
        )
    )
    Delivery.objects.filter(pk__in=ids).update(status=Delivery.Status.PENDING, attempts=0, last_error="")
    hooks = set(Delivery.objects.filter(pk__in=ids, channel=Channel.WEBHOOK).values_list("pk", flat=True))
    mail = [pk for pk in ids if pk not in hooks]
    if mail:
        transaction.on_commit(lambda: enqueue(mail))
    if hooks:
        transaction.on_commit(lambda: enqueue(sorted(hooks), webhook=True))
    return len(ids)
