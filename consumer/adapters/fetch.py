"""Read a product through the platform's REST/GraphQL API when an event carries only its id.

Thin events (Akeneo Event Platform, commercetools ResourceUpdated, a minimal Saleor query)
name a product but do not describe it. The fetch runs in the consumer loop, so it is bounded:
a per-request timeout and a few retries with exponential backoff (tenacity) on connection
errors, timeouts, 429 and 5xx; at worst ``attempts * (timeout + backoff)`` seconds, far below
max.poll.interval.ms. A 401 refreshes the OAuth token once. What still fails becomes a
``fetch`` dead letter with the reason (the record is kept whole and can be replayed).
Credentials come from the environment (COPYDESK_*), never from the payload, and are never logged.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from urllib.parse import quote

import requests
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from consumer.adapters.common import FetchError, ProductNotFound
from consumer.ops.logs import get_logger

log = get_logger("copydesk.fetch")

SALEOR_PRODUCT_QUERY = """query ($id: ID!, $channel: String) { product(id: $id, channel: $channel) {
  id name description updatedAt category { name } productType { name }
  attributes { attribute { slug name } values { name } } } }"""


class _Retryable(Exception):
    """A failure worth another try (network, timeout, 429, 5xx)."""


@dataclass(frozen=True)
class FetchSettings:
    timeout_seconds: float = 5.0
    attempts: int = 3
    backoff_seconds: float = 0.5
    akeneo_url: str | None = None
    akeneo_client_id: str | None = None
    akeneo_secret: str | None = None
    akeneo_username: str | None = None
    akeneo_password: str | None = None
    akeneo_token: str | None = None
    commercetools_api_url: str | None = None
    commercetools_auth_url: str | None = None
    commercetools_project_key: str | None = None
    commercetools_client_id: str | None = None
    commercetools_client_secret: str | None = None
    saleor_api_url: str | None = None
    saleor_token: str | None = None
    saleor_channel: str | None = None

    def platforms(self) -> list[str]:
        found = []
        if self.akeneo_url:
            found.append("akeneo")
        if self.commercetools_api_url and self.commercetools_project_key:
            found.append("commercetools")
        if self.saleor_api_url:
            found.append("saleor")
        return found


class ProductFetcher:
    """One HTTP session per process; tokens cached until a 401 says otherwise."""

    def __init__(self, settings: FetchSettings):
        self.settings = settings
        self.session = requests.Session()
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()

    def fetch(self, platform: str, product_id: str) -> dict:
        if platform not in self.settings.platforms():
            raise FetchError(f"no {platform} API is configured to read product {product_id} (see README: Thin events)")
        reader = {"akeneo": self._akeneo, "commercetools": self._commercetools, "saleor": self._saleor}[platform]
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.attempts),
            wait=wait_exponential(multiplier=self.settings.backoff_seconds, max=5),
            retry=retry_if_exception(lambda error: isinstance(error, _Retryable)),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return reader(product_id)
        except _Retryable as error:
            raise FetchError(f"{platform} product {product_id}: {error} (after {self.settings.attempts} attempts)") from error
        raise AssertionError("unreachable")

    # -- HTTP with the retry classification in one place -----------------------------------

    def _request(self, method: str, url: str, platform: str, **kwargs) -> dict:
        for refreshed in (False, True):
            headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
            token = self._token(platform)
            if token:
                headers["Authorization"] = f"Bearer {token}"
            try:
                response = self.session.request(method, url, headers=headers, timeout=self.settings.timeout_seconds, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as error:
                raise _Retryable(f"{type(error).__name__} calling {platform}") from error
            if response.status_code == 401 and not refreshed:
                self.forget_token(platform)
                continue
            if response.status_code == 429 or response.status_code >= 500:
                raise _Retryable(f"HTTP {response.status_code} from {platform}")
            if response.status_code == 404:
                raise ProductNotFound(f"{platform} has no such product (HTTP 404): deleted since the event?")
            if response.status_code >= 400:
                raise FetchError(f"HTTP {response.status_code} from {platform}: {response.text[:200]}")
            try:
                return response.json()
            except ValueError as error:
                raise FetchError(f"{platform} answered HTTP {response.status_code} with a body that is not JSON") from error
        raise FetchError(f"{platform} refused the refreshed token (HTTP 401): check the credentials")

    def bearer_token(self, platform: str) -> str | None:
        """The platform's OAuth token, fetched once and cached (writeback authenticates with it too).

        Raises FetchError when the token endpoint cannot be reached or refuses.
        """
        try:
            return self._token(platform)
        except _Retryable as error:
            raise FetchError(str(error)) from error

    def forget_token(self, platform: str) -> None:
        """A 401 said the cached token is stale: the next request fetches a new one."""
        with self._lock:
            self._tokens.pop(platform, None)

    def _token(self, platform: str) -> str | None:
        with self._lock:
            if platform not in self._tokens:
                token = self._new_token(platform)
                if token is None:
                    return None
                self._tokens[platform] = token
            return self._tokens[platform]

    def _new_token(self, platform: str) -> str | None:
        s = self.settings
        try:
            if platform == "akeneo":
                if s.akeneo_token:
                    return s.akeneo_token
                response = self.session.post(
                    f"{s.akeneo_url.rstrip('/')}/api/oauth/v1/token",
                    auth=(s.akeneo_client_id or "", s.akeneo_secret or ""),
                    json={"grant_type": "password", "username": s.akeneo_username, "password": s.akeneo_password},
                    timeout=s.timeout_seconds,
                )
            elif platform == "commercetools":
                response = self.session.post(
                    f"{(s.commercetools_auth_url or s.commercetools_api_url).rstrip('/')}/oauth/token",
                    auth=(s.commercetools_client_id or "", s.commercetools_client_secret or ""),
                    data={"grant_type": "client_credentials"},
                    timeout=s.timeout_seconds,
                )
            else:
                return s.saleor_token
        except (requests.ConnectionError, requests.Timeout) as error:
            raise _Retryable(f"{type(error).__name__} getting a {platform} token") from error
        if response.status_code == 429 or response.status_code >= 500:
            raise _Retryable(f"HTTP {response.status_code} from the {platform} token endpoint")
        if response.status_code != 200:
            raise FetchError(f"the {platform} token endpoint refused the credentials (HTTP {response.status_code})")
        return response.json().get("access_token")

    # -- one reader per platform -----------------------------------------------------------

    def _akeneo(self, uuid: str) -> dict:
        url = f"{self.settings.akeneo_url.rstrip('/')}/api/rest/v1/products-uuid/{quote(uuid)}"
        return self._request("GET", url, "akeneo", params={"with_attribute_options": "true"})

    def _commercetools(self, product_id: str) -> dict:
        s = self.settings
        url = f"{s.commercetools_api_url.rstrip('/')}/{quote(s.commercetools_project_key)}/products/{quote(product_id)}"
        return self._request("GET", url, "commercetools", params={"expand": "masterData.current.categories[*]"})

    def _saleor(self, global_id: str) -> dict:
        body = {"query": SALEOR_PRODUCT_QUERY, "variables": {"id": global_id, "channel": self.settings.saleor_channel}}
        answer = self._request("POST", self.settings.saleor_api_url, "saleor", json=body)
        product = (answer.get("data") or {}).get("product")
        if answer.get("errors") or product is None:
            raise FetchError(f"saleor could not read {global_id}: {str(answer.get('errors') or 'product is null')[:200]}")
        return product
