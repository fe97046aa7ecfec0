"""Thin Celery tasks: each takes ids and calls a service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from notifications import services
from notifications.channels import ChannelUnavailable


@shared_task(
    bind=True,
    autoretry_for=(ChannelUnavailable,),
    retry_backoff=5,
    retry_backoff_max=600,
    max_retries=8,
    acks_late=True,
    ignore_result=True,
)
def deliver(self, delivery_id: int) -> str:  # type: ignore[no-untyped-def]
    try:
        return services.delivery_send(delivery_id=delivery_id, now=timezone.now())
    except ChannelUnavailable as exc:
        if self.request.retries >= self.max_retries:
            services.delivery_give_up(delivery_id=delivery_id, error=str(exc))
            return "failed"
        raise


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
