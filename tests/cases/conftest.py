# The coordination organisation's fixtures (tests/coordination.py), for the tests of this folder.
from tests.coordination import clock, media_in_tmp, org

__all__ = ["clock", "media_in_tmp", "org"]
