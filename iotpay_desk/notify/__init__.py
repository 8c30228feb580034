"""A small receiver for IOTPay's notify (reference section 6), for merchants who run one.

The desk never depends on notify: it confirms every money movement with ``cc_query``.
A merchant with a public address can still run ``iotpay-desk notify-receiver`` so that
IOTPay's notifications are verified and kept in the profile's journal (shown with the
order). No Qt here.
"""

from .receiver import DEFAULT_PATH, MAX_BODY, build_app

__all__ = ["DEFAULT_PATH", "MAX_BODY", "build_app"]
