"""Delivery channels. A channel is one module with a `send(delivery)` function that returns only once
the channel has accepted the notification (then, and only then, the delivery is recorded as sent) and
raises ChannelUnavailable (retry later, same identity) or ChannelRejected (give up). Adding one (a
webhook for LINE or Teams) is adding a module and its name here. The in-app channel needs no delivery:
the Notification row, written in the event's transaction, is the item in the bell."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from notifications.channels import email
from notifications.channels.base import ChannelRejected, ChannelUnavailable

if TYPE_CHECKING:
    from notifications.models import Delivery

CHANNELS: dict[str, Callable[[Delivery], None]] = {
    "email": email.send,
}

__all__ = ["CHANNELS", "ChannelRejected", "ChannelUnavailable"]
