# The coordination organisation's fixtures (tests/coordination.py), for the tests of this folder.
from tests.coordination import clock, org

__all__ = ["clock", "org"]
