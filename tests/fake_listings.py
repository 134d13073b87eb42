"""The loopback PIMs' product listings, paging as each vendor documents (copydesk backfill, copydesk doctor).

A mixin of tests/fake_pims.FakePIMs: it lists the products the fakes keep. Akeneo pages with
``search_after`` (100 at most), commercetools sorted by id with ``where=id > "<last>"``, Adobe
Commerce by ``searchCriteria`` page numbers (a page past the end answers the last page again, as
Magento does), Shopify and Saleor through GraphQL connections with opaque cursors (Saleor refuses
``first`` over 100). It also answers the attribute and product-type reads of doctor's field check.
"""

from __future__ import annotations

import base64
import copy
import re
from urllib.parse import urlencode

PROJECT = "example-shop"


class Listings:
    # -- listings (copydesk backfill, copydesk doctor): each pages as its vendor documents -------

    def _listing(self, method: str, path: str, body, query: dict) -> tuple[int, object] | None:
        if method == "GET" and path == "/akeneo/api/rest/v1/products-uuid":
            return self._akeneo_list(query)
        match = re.fullmatch(r"/akeneo/api/rest/v1/attributes/([^/]+)", path)
        if match and method == "GET":
            known = self.akeneo_attributes is None or match.group(1) in self.akeneo_attributes
            return (200, {"code": match.group(1), "type": "pim_catalog_textarea"}) if known else (404, {"code": 404, "message": "Resource not found."})
        if method == "GET" and path == f"/ct/{PROJECT}/products":
            return self._ct_list(query)
        if method == "GET" and path == f"/ct/{PROJECT}/product-types":
            return 200, {"limit": 500, "offset": 0, "count": len(self.ct_product_types), "results": copy.deepcopy(self.ct_product_types)}
        match = re.fullmatch(r"/adobe/rest/([^/]+)/V1/products/attributes/([^/]+)", path)
        if match and method == "GET":
            known = self.adobe_attributes is None or match.group(2) in self.adobe_attributes
            return (200, {"attribute_code": match.group(2)}) if known else (404, {"message": "The attribute with a \"%1\" attributeCode doesn't exist."})
        if method == "GET" and re.fullmatch(r"/adobe/rest/[^/]+/V1/products", path):
            return self._adobe_list(query)
        query_text = str((body or {}).get("query", "")) if isinstance(body, dict) else ""
        if re.fullmatch(r"/shopify/admin/api/[^/]+/graphql\.json", path) and "productsCount" in query_text:
            return 200, {"data": {"productsCount": {"count": len(self.shopify), "precision": "EXACT"}}}
        if path.rstrip("/") == "/saleor/graphql" and "totalCount" in query_text:
            return 200, {"data": {"products": {"totalCount": len(self.saleor)}}}
        if re.fullmatch(r"/shopify/admin/api/[^/]+/graphql\.json", path) and re.search(r"\bproducts\(", query_text):
            return 200, self._shopify_list(body.get("variables") or {})
        if path.rstrip("/") == "/saleor/graphql" and re.search(r"\bproducts\(", query_text):
            return 200, self._saleor_list(body.get("variables") or {})
        return None

    def _akeneo_list(self, query: dict) -> tuple[int, object]:
        """search_after pagination: products ordered by uuid, ``_links.next`` while a full page came back."""
        if query.get("with_count") == "true":  # page pagination, as Akeneo counts only there
            items = [copy.deepcopy(p) for _, p in sorted(self.akeneo.items())][:int(query.get("limit", 10))]
            return 200, {"_links": {}, "current_page": 1, "items_count": len(self.akeneo), "_embedded": {"items": items}}
        if query.get("pagination_type") != "search_after":
            return 422, {"code": 422, "message": "this fake pages with pagination_type=search_after only"}
        limit = int(query.get("limit", 10))
        if limit > 100:
            return 422, {"code": 422, "message": "You cannot request more than 100 items."}
        after = query.get("search_after", "")
        items = [copy.deepcopy(p) for uuid, p in sorted(self.akeneo.items()) if uuid > after][:limit]
        links = {"self": {"href": "/api/rest/v1/products-uuid"}}
        if len(items) == limit:
            links["next"] = {"href": f"{self.url}/akeneo/api/rest/v1/products-uuid?" + urlencode(
                {"pagination_type": "search_after", "limit": limit, "search_after": items[-1]["uuid"]})}
        return 200, {"_links": links, "_embedded": {"items": items}}

    def _ct_list(self, query: dict) -> tuple[int, object]:
        """Query Products sorted by id, ``where=id > "<last>"`` for the next page (the documented way past offset 10,000)."""
        limit = min(int(query.get("limit", 20)), 500)
        if query.get("withTotal") == "true":
            return 200, {"limit": limit, "offset": 0, "count": min(limit, len(self.ct)), "total": len(self.ct),
                         "results": [copy.deepcopy(p) for _, p in sorted(self.ct.items())][:limit]}
        if query.get("sort") != "id asc":
            return 400, {"statusCode": 400, "message": "this fake pages sorted by id asc only"}
        match = re.fullmatch(r'id > "([^"]*)"', query.get("where", 'id > ""'))
        if match is None:
            return 400, {"statusCode": 400, "message": f"Malformed parameter: where: {query.get('where')}"}
        results = [copy.deepcopy(p) for pid, p in sorted(self.ct.items()) if pid > match.group(1)][:limit]
        return 200, {"limit": limit, "offset": 0, "count": len(results), "results": results}

    def _adobe_list(self, query: dict) -> tuple[int, object]:
        """searchCriteria pages by entity_id; a page past the end answers the last page again, as Magento does."""
        size = int(query.get("searchCriteria[pageSize]", 20))
        ordered = sorted(self.adobe.values(), key=lambda p: int(p["id"]))
        pages = max(1, -(-len(ordered) // size))
        number = min(int(query.get("searchCriteria[currentPage]", 1)), pages)
        items = [copy.deepcopy(p) for p in ordered[(number - 1) * size:number * size]]
        return 200, {"items": items, "search_criteria": {"page_size": size, "current_page": number}, "total_count": len(ordered)}

    def _shopify_list(self, variables: dict) -> dict:
        first, after = int(variables.get("first", 50)), variables.get("after")
        ordered = sorted(self.shopify.values(), key=lambda p: int(p["rest"]["id"]))
        start = next((i + 1 for i, p in enumerate(ordered) if _cursor(p["gid"]) == after), 0) if after else 0
        chosen = ordered[start:start + first]
        nodes = []
        for product in chosen:
            rest = product["rest"]
            draft = product["metafields"].get("description_draft")
            nodes.append({"id": product["gid"], "legacyResourceId": str(rest["id"]), "title": rest["title"],
                          "descriptionHtml": rest.get("body_html") or "", "vendor": rest.get("vendor"), "productType": rest.get("product_type"),
                          "tags": [t.strip() for t in str(rest.get("tags") or "").split(",") if t.strip()], "handle": rest.get("handle"),
                          "createdAt": rest.get("created_at"), "updatedAt": rest.get("updated_at"),
                          "options": [{"name": o["name"], "values": o.get("values") or []} for o in rest.get("options") or []],
                          "variants": {"nodes": [{"sku": v.get("sku")} for v in rest.get("variants") or []]},
                          "draft": None if draft is None else {"value": draft}})
        more = start + first < len(ordered)
        return {"data": {"products": {"pageInfo": {"hasNextPage": more, "endCursor": _cursor(chosen[-1]["gid"]) if chosen else None},
                                      "nodes": nodes}}}

    def _saleor_list(self, variables: dict) -> dict:
        first, after = int(variables.get("first", 50)), variables.get("after")
        if first > 100:
            return {"errors": [{"message": "Requesting 101 records on the `products` connection exceeds the `first` limit of 100 records."}]}
        ordered = sorted(self.saleor.values(), key=lambda p: p["id"])
        start = next((i + 1 for i, p in enumerate(ordered) if _cursor(p["id"]) == after), 0) if after else 0
        chosen = ordered[start:start + first]
        more = start + first < len(ordered)
        return {"data": {"products": {"pageInfo": {"hasNextPage": more, "endCursor": _cursor(chosen[-1]["id"]) if chosen else None},
                                      "edges": [{"node": copy.deepcopy(p)} for p in chosen]}}}


def _cursor(identifier: str) -> str:
    """An opaque cursor, as GraphQL servers give (base64 of the position's key)."""
    return base64.b64encode(f"cursor:{identifier}".encode()).decode()
