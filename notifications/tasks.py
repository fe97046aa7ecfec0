"""Thin Celery tasks: each takes ids and calls a service."""

from __future__ import annotations

from celery import Task, shared_task
from django.utils import timezone

from notifications import services
from notifications.channels import ChannelUnavailable

MAX_DELIVERY_RETRIES = 8


def _deliver(self: Task, delivery_ids: list[int]) -> dict[str, list[int]]:
    """Deliver a batch; those whose channel is down are retried with backoff, then recorded as failed."""
    outcome = services.deliveries_send(delivery_ids=delivery_ids)  # each claim stamped with its own time
    unavailable = outcome["unavailable"]
    if unavailable:
        if self.request.retries >= MAX_DELIVERY_RETRIES:
            for delivery_id in unavailable:
                services.delivery_give_up(delivery_id=delivery_id, error="channel unavailable after retries")
        else:
            raise self.retry(args=(unavailable,), countdown=min(600, 5 * 2**self.request.retries))
    return outcome


@shared_task(bind=True, max_retries=MAX_DELIVERY_RETRIES, acks_late=True, ignore_result=True)
def deliver(self: Task, delivery_ids: list[int]) -> dict[str, list[int]]:
    return _deliver(self, delivery_ids)


@shared_task(bind=True, max_retries=MAX_DELIVERY_RETRIES, acks_late=True, ignore_result=True)
def deliver_webhooks(self: Task, delivery_ids: list[int]) -> dict[str, list[int]]:
    """Webhook deliveries, on their own queue: a slow or dead receiver delays neither the officers' e-mail
    nor the deadlines. Between attempts a delivery also waits for its backoff (`not_before`), which the
    sweep respects."""
    return _deliver(self, delivery_ids)


@shared_task(ignore_result=True)
def sweep() -> int:
    return services.deliveries_sweep(now=timezone.now())


@shared_task(ignore_result=True)
def digests() -> int:
    return services.digests_send(now=timezone.now())


@shared_task(
    autoretry_for=(ChannelUnavailable,), retry_backoff=30, max_retries=8, acks_late=True, ignore_result=True
)
def send_digest(user_id: int) -> int:
    return services.digest_send(user_id=user_id, now=timezone.now())
