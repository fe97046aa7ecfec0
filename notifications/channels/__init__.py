"""Delivery channels. A channel is one module with a `session()` context manager that yields a
`send(delivery)` function: what is sent inside one session may share a connection (one SMTP connection for
a batch of e-mails), closed when the session ends. `send` returns only once the channel has accepted the
notification (then, and only then, the delivery is recorded as sent) and raises ChannelUnavailable (retry
later, same identity) or ChannelRejected (give up). Adding one is adding a module and its name here (the
webhook channel posts signed events to subscribed URLs). The in-app channel needs no delivery: the Notification row, written in the
event's transaction, is the item in the bell."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from notifications.channels import email, webhook
from notifications.channels.base import ChannelRejected, ChannelUnavailable

if TYPE_CHECKING:
    from notifications.models import Delivery

Send = Callable[["Delivery"], None]

CHANNELS: dict[str, Callable[[], AbstractContextManager[Send]]] = {
    "email": email.session,
    "webhook": webhook.session,
}

__all__ = ["CHANNELS", "ChannelRejected", "ChannelUnavailable", "Send"]
