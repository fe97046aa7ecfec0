class ChannelUnavailable(Exception):
    """The channel cannot deliver now (server down, timeout): try again later."""


class ChannelRejected(Exception):
    """The channel will never deliver this one (no address, refused recipient): record and stop."""
