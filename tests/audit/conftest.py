# The coordination organisation's fixtures (tests/coordination.py) and a reporting cycle.
from tests.coordination import clock, media_in_tmp, org
from tests.reporting.conftest import new_cycle, small_cycle

__all__ = ["clock", "media_in_tmp", "new_cycle", "org", "small_cycle"]
