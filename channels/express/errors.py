"""Errors of the courier edges, split into retryable and final (see ``app.interfaces``).

kuaidi100 answers ``returnCode`` values; the table is from the vendor's demos and partly
unverified, so an unknown code counts as retryable when it is 5xx and final otherwise.
"""

from __future__ import annotations

from enum import StrEnum

from app.interfaces import FinalProviderError, ProviderError, RetryableProviderError


class SubscribeCode(StrEnum):
    """``returnCode`` of ``/poll`` (subscribe)."""

    OK = "200"
    DUPLICATE = "501"  # already subscribed: not an error for us
    SERVER_ERROR = "500"
    BAD_KEY = "600"
    KEY_EXPIRED = "601"
    BAD_DATA = "700"
    COMPANY_REJECTED = "701"
    COMPANY_UNKNOWN = "702"


class QueryCode(StrEnum):
    """``returnCode`` of ``/poll/query.do``: the same numbers mean other things here."""

    NO_RESULT = "500"  # nothing known about this waybill yet
    SERVER_ERROR = "501"
    BAD_SIGN = "503"


class CallbackRejected(FinalProviderError):
    """A push that fails verification (bad signature, malformed body): believe nothing of it."""


class Kuaidi100Error(FinalProviderError):
    pass


class Kuaidi100Retryable(RetryableProviderError):
    pass


class CarrierError(FinalProviderError):
    pass


class CarrierRetryable(RetryableProviderError):
    pass


RETRYABLE_SUBSCRIBE = {"500", "502", "503"}
RETRYABLE_QUERY = {"501", "502"}


def kuaidi100_error(
    code: str, message: str, raw: object = None, *, retryable: set[str]
) -> ProviderError:
    if not code or code in retryable:
        return Kuaidi100Retryable(message, code=code, raw=raw)
    return Kuaidi100Error(message, code=code, raw=raw)
