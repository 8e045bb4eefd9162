"""The one error type users see: its message is a single line saying what is wrong and what to do."""


class GlimmerError(Exception):
    """A problem the person can fix; `str(err)` is one line meant for them, never a traceback."""
