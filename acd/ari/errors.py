"""The ARI error hierarchy: one exception class per kind of failure a caller handles."""

from __future__ import annotations

__all__ = [
    "AriAuthError",
    "AriBadRequest",
    "AriConflict",
    "AriError",
    "AriNotFound",
    "AriUnavailable",
    "AriUnprocessable",
    "error_for_status",
]


class AriError(Exception):
    """A failed ARI request. Carries the method, the path (never credentials) and
    Asterisk's message."""

    def __init__(self, method: str, path: str, message: str, status: int | None = None) -> None:
        self.method = method
        self.path = path
        self.message = message
        self.status = status
        where = f"{method} {path}"
        super().__init__(f"{where}: {status} {message}" if status else f"{where}: {message}")

    def __repr__(self) -> str:
        args = (self.method, self.path, self.message, self.status)
        return f"{type(self).__name__}{args!r}"


class AriBadRequest(AriError):
    """400: invalid parameters."""


class AriAuthError(AriError):
    """401/403: wrong credentials or not allowed."""


class AriNotFound(AriError):
    """404: the channel, bridge, playback... does not exist (any more)."""


class AriConflict(AriError):
    """409: the resource is in the wrong state (e.g. channel not in Stasis)."""


class AriUnprocessable(AriError):
    """422: a referenced resource does not exist (e.g. endpoint in originate)."""


class AriUnavailable(AriError):
    """Asterisk could not be reached or failed: connection refused, timeout, 5xx."""


_BY_STATUS: dict[int, type[AriError]] = {
    400: AriBadRequest,
    401: AriAuthError,
    403: AriAuthError,
    404: AriNotFound,
    409: AriConflict,
    422: AriUnprocessable,
}


def error_for_status(status: int, method: str, path: str, message: str) -> AriError:
    """The exception for an HTTP error status from ARI."""
    if status >= 500:
        return AriUnavailable(method, path, message, status)
    return _BY_STATUS.get(status, AriError)(method, path, message, status)
