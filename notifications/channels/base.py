class ChannelUnavailable(Exception):
    """The channel cannot deliver now (server down, timeout): try again later (not before `retry_after`
    seconds when the channel says so: a webhook's backoff)."""

    def __init__(self, *args: object, retry_after: float | None = None) -> None:
        super().__init__(*args)
        self.retry_after = retry_after


class ChannelRejected(Exception):
    """The channel will never deliver this one (no address, refused recipient): record and stop."""
