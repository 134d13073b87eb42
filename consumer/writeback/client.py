"""Send one rendered change (consumer/adapters/writeback.py) to the platform's API.

Auth per platform (Shopify's X-Shopify-Access-Token, bearer tokens elsewhere; Akeneo and
commercetools OAuth through the same ProductFetcher that reads thin events, so a token is
fetched once and refreshed on 401). Network errors, timeouts, 429 and 5xx are retried with
exponential backoff (tenacity); what still fails raises PlatformUnavailable, and the caller
keeps the draft for later rather than dropping it. Every other answer is returned as it is:
the caller tells a conflict (409) from a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from consumer.adapters.common import FetchError
from consumer.writeback.settings import PlatformAPISettings


class PlatformUnavailable(RuntimeError):
    """The platform did not take the write after every attempt (down, 5xx, 429, timeouts)."""


class Gone(LookupError):
    """The product no longer exists on the platform (HTTP 404, or a GraphQL product: null)."""


class Refused(RuntimeError):
    """The platform refused a request for good (a 4xx other than 404, 409, 429; GraphQL errors)."""


class _Retry(Exception):
    pass


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any

    @property
    def graphql_errors(self) -> list:
        """GraphQL answers 200 with errors in the body: Shopify's userErrors, Saleor's errors, top-level errors."""
        if not isinstance(self.body, dict):
            return []
        found = list(self.body.get("errors") or [])
        for result in (self.body.get("data") or {}).values():
            if isinstance(result, dict):
                found += result.get("userErrors") or result.get("errors") or []
        return found

    def summary(self) -> str:
        return f"HTTP {self.status}: {str(self.body)[:500]}"


class PlatformClient:
    def __init__(self, settings: PlatformAPISettings, fetcher=None, backoff_seconds: float = 0.5):
        self.settings = settings
        self.fetcher = fetcher  # ProductFetcher: OAuth tokens (akeneo, commercetools) and re-reads
        self.session = requests.Session()
        self.backoff_seconds = backoff_seconds

    def base_url(self, platform: str) -> str | None:
        s = self.settings
        return {"shopify": s.shopify_shop_url, "saleor": s.saleor_api_url, "akeneo": s.akeneo_url,
                "commercetools": s.commercetools_api_url, "adobe-commerce": s.adobe_commerce_url}[platform]

    def missing(self, platform: str) -> str | None:
        """The setting to add before this platform can be written, else None."""
        if not self.base_url(platform):
            return {"shopify": "COPYDESK_SHOPIFY_SHOP_URL", "saleor": "COPYDESK_SALEOR_API_URL", "akeneo": "COPYDESK_AKENEO_URL",
                    "commercetools": "COPYDESK_COMMERCETOOLS_API_URL", "adobe-commerce": "COPYDESK_ADOBE_COMMERCE_URL"}[platform]
        return None

    def _headers(self, platform: str) -> dict[str, str]:
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if platform == "shopify":
            headers["X-Shopify-Access-Token"] = self.settings.token("shopify") or ""
        elif platform in ("saleor", "adobe-commerce"):
            headers["Authorization"] = f"Bearer {self.settings.token(platform) or ''}"
        elif self.fetcher is not None:
            try:
                token = self.fetcher.bearer_token(platform)
            except FetchError as error:  # the token endpoint is down or refuses: retried like the write
                raise _Retry(f"no {platform} token: {error}") from error
            if token:
                headers["Authorization"] = f"Bearer {token}"
        return headers

    def url(self, platform: str, change: dict) -> str:
        path = change.get("path", "")
        path = path.replace("{apiVersion}", self.settings.shopify_api_version)
        path = path.replace("{projectKey}", self.settings.commercetools_project_key or "")
        path = path.replace("{storeCode}", self.settings.store_code(change.get("store_id")))
        base = self.base_url(platform)
        return base.rstrip("/") + path if path else base  # Saleor's GraphQL endpoint is the URL itself

    def read(self, platform: str, change: dict) -> dict:
        """A read (GET, or a GraphQL query) through the same auth and retries as a write: its JSON body."""
        answer = self.send(platform, change)
        if answer.status == 404:
            raise Gone(f"{platform} has no such product (HTTP 404)")
        if not 200 <= answer.status < 300 or answer.graphql_errors:
            raise Refused(f"{platform} refused the read: {answer.summary()}")
        return answer.body if isinstance(answer.body, dict) else {}

    def send(self, platform: str, change: dict) -> Answer:
        url = self.url(platform, change)
        body = change.get("graphql") or change.get("body")
        method = change.get("method", "POST")

        def once() -> Answer:
            try:
                response = self.session.request(method, url, json=body, headers=self._headers(platform), timeout=self.settings.request_timeout_seconds)
            except (requests.ConnectionError, requests.Timeout) as error:
                raise _Retry(f"{type(error).__name__} calling {platform}") from error
            if response.status_code == 401 and self.fetcher is not None and platform in ("akeneo", "commercetools"):
                self.fetcher.forget_token(platform)  # a stale OAuth token: fetch a new one on the retry
                raise _Retry(f"HTTP 401 from {platform} (token refreshed)")
            if response.status_code == 429 or response.status_code >= 500:
                raise _Retry(f"HTTP {response.status_code} from {platform}")
            try:
                parsed = response.json() if response.content else None
            except ValueError:
                parsed = response.text[:1000]
            return Answer(response.status_code, parsed)

        retrying = Retrying(stop=stop_after_attempt(self.settings.attempts), reraise=True,
                            wait=wait_exponential(multiplier=self.backoff_seconds, max=10), retry=retry_if_exception_type(_Retry))
        try:
            return retrying(once)
        except _Retry as error:
            raise PlatformUnavailable(f"{error} after {self.settings.attempts} attempts") from error
