"""Page through a platform's whole catalog, as each vendor documents its listing API.

`copydesk backfill` reads existing products with it and `copydesk doctor` reads one product to
prove the credentials. Every request goes through PlatformClient (auth, retries with backoff on
network errors, 429 and 5xx), and every page names the cursor of the page after it, so a
backfill can checkpoint between pages and resume exactly there:

| platform       | listing                                                        | cursor                    |
|----------------|----------------------------------------------------------------|---------------------------|
| Akeneo         | ``GET /api/rest/v1/products-uuid?pagination_type=search_after`` | ``search_after`` of ``_links.next`` |
| Shopify        | GraphQL ``products(first:, after:)``                            | ``pageInfo.endCursor``    |
| Saleor         | GraphQL ``products(first:, after:, channel:)``                  | ``pageInfo.endCursor``    |
| commercetools  | ``GET /{projectKey}/products?sort=id asc&where=id > "<last>"``  | the last product id       |
| Adobe Commerce | ``GET /rest/{store}/V1/products?searchCriteria[currentPage]=``  | the next page number      |

Offsets are avoided where the vendor offers better: commercetools caps ``offset`` at 10,000 and
recommends sorting by id; Akeneo's ``search_after`` does not degrade with depth. Adobe Commerce
has only page numbers, and answers a page past the end with the last page again, so the total
count decides where it ends.

``events_of`` turns one listed resource into the events its platform's adapter would make of a
webhook carrying it (the same mapping, human-text and lock rules, and write-back target).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit

from consumer.adapters import adobe_commerce, akeneo, commercetools, saleor, shopify
from consumer.adapters.common import Adapted, AdapterConfig, parse_time
from consumer.adapters.writeback import SHOPIFY_GRAPHQL

PLATFORMS = ("akeneo", "shopify", "saleor", "commercetools", "adobe-commerce")

SHOPIFY_PRODUCTS_QUERY = """query ($first: Int!, $after: String) { products(first: $first, after: $after, sortKey: ID) {
  pageInfo { hasNextPage endCursor }
  nodes { id legacyResourceId title descriptionHtml vendor productType tags handle createdAt updatedAt
    options { name values } variants(first: 100) { nodes { sku } }
    draft: metafield(namespace: "copydesk", key: "description_draft") { value } } } }"""

SALEOR_PRODUCTS_QUERY = """query ($first: Int!, $after: String, $channel: String) {
  products(first: $first, after: $after, channel: $channel) { pageInfo { hasNextPage endCursor }
    edges { node { id name description updatedAt category { name } productType { name }
      attributes { attribute { slug name } values { name } } privateMetadata { key value } } } } }"""


@dataclass(frozen=True)
class Page:
    resources: list[dict]
    next_cursor: str | None
    """Where the page after this one starts; None: this was the last."""


class CatalogLister:
    """One platform's product listing, a page at a time."""

    def __init__(self, platform: str, client, page_size: int = 100, adobe_store_id: str = "0", channel: str | None = None):
        if platform not in PLATFORMS:
            raise ValueError(f"no listing for platform {platform!r}; one of {', '.join(PLATFORMS)}")
        self.platform, self.client, self.page_size = platform, client, page_size
        self.adobe_store_id, self.channel = adobe_store_id, channel

    def pages(self, cursor: str | None = None) -> Iterator[tuple[str | None, Page]]:
        """(the cursor a page was read at, the page), from ``cursor`` (None: the start) to the end."""
        while True:
            page = self.page(cursor)
            yield cursor, page
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def page(self, cursor: str | None) -> Page:
        return getattr(self, "_" + self.platform.replace("-", "_"))(cursor)

    def count(self) -> int | None:
        """How many products the listing holds, as the platform counts them (None where it will not say)."""
        if self.platform == "akeneo":
            body = self._read({"method": "GET", "path": "/api/rest/v1/products-uuid?limit=1&with_count=true"})
            return body.get("items_count")
        if self.platform == "shopify":
            body = self._read({"method": "POST", "path": SHOPIFY_GRAPHQL, "graphql": {"query": "query { productsCount { count } }"}})
            return ((body.get("data") or {}).get("productsCount") or {}).get("count")
        if self.platform == "saleor":
            query = "query ($channel: String) { products(first: 1, channel: $channel) { totalCount } }"
            body = self._read({"method": "POST", "path": "", "graphql": {"query": query, "variables": {"channel": self.channel}}})
            return ((body.get("data") or {}).get("products") or {}).get("totalCount")
        if self.platform == "commercetools":
            return self._read({"method": "GET", "path": "/{projectKey}/products?limit=1&withTotal=true"}).get("total")
        query = urlencode({"searchCriteria[pageSize]": 1, "searchCriteria[currentPage]": 1})
        return self._read({"method": "GET", "path": f"/rest/{{storeCode}}/V1/products?{query}", "store_id": self.adobe_store_id}).get("total_count")

    def _read(self, change: dict) -> dict:
        return self.client.read(self.platform, change)

    def _akeneo(self, cursor: str | None) -> Page:
        query = {"pagination_type": "search_after", "limit": self.page_size, "with_attribute_options": "true"}
        if cursor:
            query["search_after"] = cursor
        body = self._read({"method": "GET", "path": f"/api/rest/v1/products-uuid?{urlencode(query)}"})
        items = list((body.get("_embedded") or {}).get("items") or [])
        href = ((body.get("_links") or {}).get("next") or {}).get("href")
        after = parse_qs(urlsplit(href).query).get("search_after", [None])[0] if href else None
        return Page(items, after if items and after else None)

    def _shopify(self, cursor: str | None) -> Page:
        variables = {"first": min(self.page_size, 250), "after": cursor}
        body = self._read({"method": "POST", "path": SHOPIFY_GRAPHQL, "graphql": {"query": SHOPIFY_PRODUCTS_QUERY, "variables": variables}})
        listing = (body.get("data") or {}).get("products") or {}
        info = listing.get("pageInfo") or {}
        return Page([shopify_rest_shape(node) for node in listing.get("nodes") or []],
                    info.get("endCursor") if info.get("hasNextPage") else None)

    def _saleor(self, cursor: str | None) -> Page:
        variables = {"first": min(self.page_size, 100), "after": cursor, "channel": self.channel}
        body = self._read({"method": "POST", "path": "", "graphql": {"query": SALEOR_PRODUCTS_QUERY, "variables": variables}})
        listing = (body.get("data") or {}).get("products") or {}
        info = listing.get("pageInfo") or {}
        return Page([edge["node"] for edge in listing.get("edges") or [] if isinstance(edge, dict) and edge.get("node")],
                    info.get("endCursor") if info.get("hasNextPage") else None)

    def _commercetools(self, cursor: str | None) -> Page:
        query = {"limit": min(self.page_size, 500), "sort": "id asc", "withTotal": "false", "expand": "masterData.current.categories[*]"}
        if cursor:
            query["where"] = f'id > "{cursor}"'
        body = self._read({"method": "GET", "path": f"/{{projectKey}}/products?{urlencode(query)}"})
        results = list(body.get("results") or [])
        full = len(results) >= query["limit"]
        return Page(results, str(results[-1]["id"]) if results and full else None)

    def _adobe_commerce(self, cursor: str | None) -> Page:
        number = int(cursor or 1)
        query = {"searchCriteria[pageSize]": self.page_size, "searchCriteria[currentPage]": number,
                 "searchCriteria[sortOrders][0][field]": "entity_id", "searchCriteria[sortOrders][0][direction]": "ASC"}
        body = self._read({"method": "GET", "path": f"/rest/{{storeCode}}/V1/products?{urlencode(query)}", "store_id": self.adobe_store_id})
        items = list(body.get("items") or [])
        total = int(body.get("total_count") or 0)
        more = bool(items) and number * self.page_size < total
        return Page([adobe_flat(item, self.adobe_store_id) for item in items], str(number + 1) if more else None)


# -- listed resources as the shapes the adapters read -----------------------------------------


def shopify_rest_shape(node: dict) -> dict:
    """A GraphQL product node as the REST resource (the webhook body) the Shopify adapter reads."""
    draft = node.get("draft")
    return {
        "id": int(node.get("legacyResourceId") or str(node["id"]).rsplit("/", 1)[-1]),
        "admin_graphql_api_id": node.get("id"),
        "title": node.get("title"),
        "body_html": node.get("descriptionHtml") or "",
        "vendor": node.get("vendor") or "",
        "product_type": node.get("productType") or "",
        "tags": ", ".join(node.get("tags") or []),
        "handle": node.get("handle"),
        "created_at": node.get("createdAt"),
        "updated_at": node.get("updatedAt"),
        "options": [{"name": o.get("name"), "values": o.get("values") or []} for o in node.get("options") or [] if isinstance(o, dict)],
        "variants": [{"sku": v.get("sku")} for v in ((node.get("variants") or {}).get("nodes") or []) if isinstance(v, dict)],
        "metafields": [{"namespace": "copydesk", "key": "description_draft", "value": draft["value"]}] if isinstance(draft, dict) else [],
    }


def adobe_flat(item: dict, store_id: str) -> dict:
    """A REST product (top-level fields and ``custom_attributes``) as the flat product of a save event."""
    flat = {key: value for key, value in item.items() if key not in ("custom_attributes", "extension_attributes", "id")}
    flat["entity_id"] = item.get("id")
    flat["store_id"] = store_id
    for entry in item.get("custom_attributes") or []:
        if isinstance(entry, dict) and entry.get("attribute_code"):
            flat[entry["attribute_code"]] = entry.get("value")
    return flat


def events_of(platform: str, resource: dict, config: AdapterConfig) -> list[Adapted]:
    """The events the platform's adapter makes of this product (one per configured locale where it has several).

    Raises AdapterError (or KeyError/TypeError/ValueError on a malformed resource), as the adapters do.
    """
    if platform == "akeneo":
        updated = resource.get("updated")
        moment = parse_time(updated, "updated") if updated else datetime.now(UTC)
        return akeneo.product_events(resource, config=config, event_id="backfill", event_type="product.updated", occurred_at=moment)
    if platform == "commercetools":
        projection, version = commercetools.projection_of(resource, staged=False)
        modified = resource.get("lastModifiedAt")
        moment = parse_time(modified, "lastModifiedAt") if modified else datetime.now(UTC)
        return commercetools.product_events(projection, version, config=config, event_id="backfill", event_type="product.updated", occurred_at=moment)
    if platform == "shopify":
        return shopify.adapt(resource, config, None, {})
    if platform == "saleor":
        return saleor.adapt({"product": resource}, config, None, {})
    if platform == "adobe-commerce":
        return adobe_commerce.adapt({"eventName": f"observer.{adobe_commerce.EVENT_SUFFIX}", "data": {"product": resource}}, config, None, {})
    raise ValueError(f"no listing for platform {platform!r}")
