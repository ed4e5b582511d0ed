"""Run the kinerja CLI with its clock stopped: `python frozen_clock.py 2026-10-12T09:30 collect ...`.

`datetime.now()` answers the given moment, so a command run twice on the same master (with the
same file names and the same inbox) writes the same bytes: a test can tell the master a killed
run left behind from the one the same run writes when it completes."""

import datetime as _dt
import sys

_real = _dt.datetime
_moment = _real.fromisoformat(sys.argv[1])


class _Meta(type):
    def __instancecheck__(cls, obj):  # a datetime read from a file is one too
        return isinstance(obj, _real)


class Frozen(_real, metaclass=_Meta):
    @classmethod
    def now(cls, tz=None):
        return _moment.replace(tzinfo=tz)


_dt.datetime = Frozen

from kinerja.cli.commands import main  # noqa: E402

sys.argv = ["kinerja", *sys.argv[2:]]
main()
