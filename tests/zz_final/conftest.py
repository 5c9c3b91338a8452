"""Collected before any test runs, so the whole session's log lines are recorded for
``test_no_plaintext.py``, the last test of the suite."""

from tests.support import log_capture

log_capture.install()
