"""The HTTP core every ARI resource module shares: URLs, auth, status -> exception."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import aiohttp

from acd.ari.config import AriConfig
from acd.ari.errors import AriError, AriUnavailable, error_for_status

__all__ = ["AriHttp", "Params", "basic_auth", "seg"]

logger = logging.getLogger(__name__)

Params = Mapping[str, str | int | float | bool | list[str] | tuple[str, ...] | None]


def seg(value: str) -> str:
    """One path segment, percent-encoded (ids may hold '/', ';', '@'...)."""
    return quote(value, safe="")


def _query(params: Params | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, list | tuple):
            out[key] = ",".join(value)
        else:
            out[key] = str(value)
    return out


def _message(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    try:
        decoded = json.loads(text)
    except ValueError:
        return text[:200]
    if isinstance(decoded, dict) and "message" in decoded:
        return str(decoded["message"])
    return text[:200]


def basic_auth(config: AriConfig) -> str:
    """The `Authorization` header value for the configured user."""
    token = base64.b64encode(f"{config.username}:{config.password}".encode()).decode("ascii")
    return f"Basic {token}"


class AriHttp:
    """Issues ARI REST requests on one aiohttp session that carries Basic auth in the
    `Authorization` header; URLs and log lines never hold credentials."""

    def __init__(self, config: AriConfig, session: aiohttp.ClientSession | None = None) -> None:
        self._root = config.base_url.rstrip("/") + "/ari"
        self._timeout = config.request_timeout
        self._session = session

    def bind(self, session: aiohttp.ClientSession | None) -> None:
        self._session = session

    @property
    def root(self) -> str:
        return self._root

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        """JSON-decoded response body (None when empty); raises an `AriError`."""
        if self._session is None:
            raise RuntimeError("ARI client is not started (use `async with AriClient(...)`)")
        logger.debug("ARI %s %s", method, path)
        try:
            async with (
                asyncio.timeout(self._timeout),
                self._session.request(
                    method, self._root + path, params=_query(params), json=body
                ) as response,
            ):
                status = response.status
                payload = await response.read()
        except TimeoutError:
            raise AriUnavailable(method, path, f"no reply within {self._timeout:g}s") from None
        except aiohttp.ClientError as exc:
            raise AriUnavailable(method, path, f"{type(exc).__name__}: {exc}") from None
        if status >= 300:
            error = error_for_status(status, method, path, _message(payload))
            logger.debug("ARI %s %s -> %d", method, path, status)
            raise error
        if not payload:
            return None
        try:
            return json.loads(payload)
        except ValueError:
            raise AriError(method, path, "reply is not JSON", status) from None
