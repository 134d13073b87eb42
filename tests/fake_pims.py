"""Loopback PIMs that keep state: products, versions and review fields, answering as each vendor documents.

One HTTP server hosts the five platforms under their own prefixes (set each platform's base URL
to ``url + prefix``). Unlike tests/platform_api.py, which replays scripted answers, these keep
products and apply writes, so a test can play the people around copydesk: an editor who edits
the live description or the review field, someone who publishes a commercetools product, an
import that changes the data. What each models (and only that):

- Akeneo (``/akeneo``): GET/PATCH ``/api/rest/v1/products-uuid/{uuid}``; PATCH merges values per
  locale and scope and answers 204; ``updated`` moves on every change. No precondition exists.
- commercetools (``/ct``): GET/POST ``/{projectKey}/products/{id}``; an update at another version
  answers 409 ConcurrentModification with ``currentVersion``; ``setDescription`` and
  ``setAttributeInAllVariants`` write the staged projection (``staged``, default true) or both;
  ``publish`` copies staged to current. Every update increments ``version``.
- Shopify (``/shopify``): REST GET ``/admin/api/{v}/products/{id}.json``; GraphQL ``product``
  (descriptionHtml, updatedAt, metafield value and compareDigest), ``productUpdate`` and
  ``metafieldsSet`` (a ``compareDigest`` that no longer matches is a STALE_OBJECT user error).
- Saleor (``/saleor/graphql/``): ``product`` (description as EditorJS JSON, updatedAt,
  privateMetadata), ``productUpdate``, ``updatePrivateMetadata``.
- Adobe Commerce (``/adobe``): GET/PUT ``/rest/{store}/V1/products/{sku}``; PUT merges
  ``custom_attributes`` and moves ``updated_at``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fake_listings import PROJECT, Listings


def _now(tick: int) -> str:
    return (datetime(2026, 12, 1, tzinfo=UTC) + timedelta(seconds=tick)).isoformat().replace("+00:00", "Z")


def digest(value: str | None) -> str | None:
    return None if value is None else hashlib.sha256(value.encode()).hexdigest()


class FakePIMs(Listings):
    def __init__(self):
        self.lock = threading.Lock()
        self.tick = 0
        self.akeneo: dict[str, dict] = {}
        self.ct: dict[str, dict] = {}
        self.shopify: dict[str, dict] = {}
        self.saleor: dict[str, dict] = {}
        self.adobe: dict[str, dict] = {}
        self.writes: list[tuple[str, str, object]] = []  # (platform, what, body): every write copydesk made
        self.outages: dict[str, int] = {}  # prefix -> how many more writes answer 503 (a platform down for a while)
        self.refusals: dict[str, str] = {}  # prefix -> the message every write is refused with (4xx / userErrors)
        self.requests: list[tuple[str, str, dict]] = []  # (method, path, query) of every request
        self.failures: dict[str, list[int]] = {}  # prefix -> statuses the next requests answer with, in order (0: normal; then normal)
        self.token_refused: set[str] = set()  # prefixes whose token endpoint refuses the credentials (401)
        # Attribute codes that exist in Akeneo / Adobe Commerce (None: any code asked for exists) and
        # commercetools product types, for `copydesk doctor`'s field check.
        self.akeneo_attributes: set[str] | None = None
        self.adobe_attributes: set[str] | None = None
        self.ct_product_types: list[dict] = [{"id": "pt-1", "key": "default", "attributes": [
            {"name": "copydesk-description-draft"}, {"name": "copydesk-draft-info"}]}]
        pims = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status: int, payload=None):
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str):
                parts = urlsplit(self.path)
                path, query = unquote(parts.path), {k: v[-1] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:  # an OAuth token request is form-encoded
                    body = raw.decode()
                with pims.lock:
                    pims.requests.append((method, path, query))
                    status, payload = pims.route(method, path, body, query)
                self._reply(status, payload)

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

            def do_PATCH(self):
                self._handle("PATCH")

            def do_PUT(self):
                self._handle("PUT")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def api_settings(self) -> dict:
        """Every platform's URL and credentials pointing at these fakes (Akeneo by OAuth client: its token is fetched)."""
        return dict(
            shopify_shop_url=f"{self.url}/shopify", shopify_admin_token="shpat", saleor_api_url=f"{self.url}/saleor/graphql/", saleor_token="sal",
            akeneo_url=f"{self.url}/akeneo", akeneo_client_id="c", akeneo_secret="s", akeneo_username="u", akeneo_password="p",
            commercetools_api_url=f"{self.url}/ct", commercetools_auth_url=f"{self.url}/ct", commercetools_project_key=PROJECT,
            commercetools_client_id="c", commercetools_client_secret="s", adobe_commerce_url=f"{self.url}/adobe", adobe_commerce_token="adb")

    def __enter__(self) -> FakePIMs:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _stamp(self) -> str:
        self.tick += 1
        return _now(self.tick)

    # -- routing -----------------------------------------------------------------------------

    def route(self, method: str, path: str, body, query: dict | None = None) -> tuple[int, object]:
        query = query or {}
        prefix = path.split("/")[1]
        if path.startswith("/akeneo/api/oauth/v1/token") or path.startswith("/ct/oauth/token"):
            if prefix in self.token_refused:
                return 401, {"error": "invalid_client"}
            return 200, {"access_token": "token", "expires_in": 3600}
        if self.failures.get(prefix):
            status = self.failures[prefix].pop(0)
            if status:  # 0: this request answers normally
                return status, {"message": "scripted failure"}
        listing = self._listing(method, path, body, query)
        if listing is not None:
            return listing
        is_write = method in ("PATCH", "PUT") or (method == "POST" and not (isinstance(body, dict) and str(body.get("query", "")).lstrip().startswith("query")))
        if is_write and self.outages.get(prefix):
            self.outages[prefix] -= 1
            return 503, {"message": "maintenance"}
        if is_write and prefix in self.refusals:
            if prefix in ("shopify", "saleor"):
                return 200, {"data": {"metafieldsSet": {"metafields": [], "userErrors": [{"field": ["metafields"], "message": self.refusals[prefix]}]}}}
            return 422, {"message": self.refusals[prefix]}
        match = re.fullmatch(r"/akeneo/api/rest/v1/products-uuid/([^/]+)", path)
        if match:
            return self._akeneo(method, match.group(1), body)
        match = re.fullmatch(rf"/ct/{PROJECT}/products/([^/]+)", path)
        if match:
            return self._commercetools(method, match.group(1), body)
        match = re.fullmatch(r"/shopify/admin/api/[^/]+/products/(\d+)\.json", path)
        if match and method == "GET":
            product = self.shopify.get(match.group(1))
            return (200, {"product": product["rest"]}) if product else (404, {"errors": "Not Found"})
        if re.fullmatch(r"/shopify/admin/api/[^/]+/graphql\.json", path):
            return 200, self._shopify_graphql(body)
        if path.rstrip("/") == "/saleor/graphql":
            return 200, self._saleor_graphql(body)
        match = re.fullmatch(r"/adobe/rest/([^/]+)/V1/products/([^/]+)", path)
        if match:
            return self._adobe(method, match.group(2), body)
        return 404, {"message": f"no route {method} {path}"}

    # -- Akeneo ------------------------------------------------------------------------------

    def _akeneo(self, method: str, uuid: str, body) -> tuple[int, object]:
        product = self.akeneo.get(uuid)
        if product is None:
            return 404, {"code": 404, "message": "Resource not found."}
        if method == "GET":
            return 200, copy.deepcopy(product)
        self.writes.append(("akeneo", "PATCH", body))
        self.akeneo_set(uuid, body.get("values", {}))
        return 204, None

    def akeneo_set(self, uuid: str, values: dict) -> None:
        product = self.akeneo[uuid]
        for code, entries in values.items():
            kept = [e for e in product["values"].get(code, []) if not any(
                e.get("locale") == n.get("locale") and e.get("scope") == n.get("scope") for n in entries)]
            product["values"][code] = kept + [dict(n) for n in entries]
        product["updated"] = self._stamp()

    # -- commercetools -----------------------------------------------------------------------

    def _commercetools(self, method: str, product_id: str, body) -> tuple[int, object]:
        product = self.ct.get(product_id)
        if product is None:
            return 404, {"statusCode": 404, "message": f"The Resource with ID '{product_id}' was not found."}
        if method == "GET":
            return 200, copy.deepcopy(product)
        if body.get("version") != product["version"]:
            return 409, {"statusCode": 409, "message": f"Object {product_id} has a different version than expected. Expected: "
                         f"{body.get('version')} - Actual: {product['version']}.",
                         "errors": [{"code": "ConcurrentModification", "currentVersion": product["version"]}]}
        self.writes.append(("commercetools", "update", body))
        self.ct_apply(product_id, body["actions"])
        return 200, copy.deepcopy(product)

    def ct_apply(self, product_id: str, actions: list[dict]) -> None:
        product = self.ct[product_id]
        data = product["masterData"]
        for action in actions:
            targets = [data["staged"]] if action.get("staged", True) else [data["staged"], data["current"]]
            if action["action"] == "setDescription":
                for target in targets:
                    target["description"] = copy.deepcopy(action.get("description"))
            elif action["action"] == "setAttributeInAllVariants":
                for target in targets:
                    attributes = [a for a in target["masterVariant"]["attributes"] if a["name"] != action["name"]]
                    if action.get("value") is not None:
                        attributes.append({"name": action["name"], "value": copy.deepcopy(action["value"])})
                    target["masterVariant"]["attributes"] = attributes
            elif action["action"] in ("setMetaTitle", "setMetaDescription"):
                field = "metaTitle" if action["action"] == "setMetaTitle" else "metaDescription"
                for target in targets:
                    target[field] = copy.deepcopy(action.get(field))
            elif action["action"] == "publish":
                data["current"] = copy.deepcopy(data["staged"])
            else:
                raise ValueError(f"the fake has no {action['action']}")
        data["hasStagedChanges"] = data["staged"] != data["current"]
        product["version"] += 1
        product["lastModifiedAt"] = self._stamp()

    # -- Shopify -----------------------------------------------------------------------------

    def _shopify_graphql(self, body) -> dict:
        query, variables = body.get("query", ""), body.get("variables") or {}
        if query.lstrip().startswith("query"):
            product = next((p for p in self.shopify.values() if p["gid"] == variables.get("id")), None)
            if product is None:
                return {"data": {"product": None}}
            fields = {"id": product["gid"], "descriptionHtml": product["rest"]["body_html"], "updatedAt": product["rest"]["updated_at"],
                      "seo": dict(product.setdefault("seo", {"title": None, "description": None}))}
            for alias, key in re.findall(r'(\w+)\s*:\s*metafield\(namespace:\s*"copydesk",\s*key:\s*"(\w+)"\)', query):
                value = product["metafields"].get(key)
                fields[alias] = None if value is None else {"value": value, "compareDigest": digest(value)}
            return {"data": {"product": fields}}
        data: dict = {}
        self.writes.append(("shopify", "graphql", body))
        if "metafieldsSet" in query:
            errors = []
            for item in variables["metafields"]:
                product = next(p for p in self.shopify.values() if p["gid"] == item["ownerId"])
                if "compareDigest" in item and item["compareDigest"] != digest(product["metafields"].get(item["key"])):
                    errors.append({"field": ["metafields"], "message": "The resource has been updated since it was loaded.", "code": "STALE_OBJECT"})
            if not errors:
                for item in variables["metafields"]:
                    product = next(p for p in self.shopify.values() if p["gid"] == item["ownerId"])
                    product["metafields"][item["key"]] = item["value"]
                    product["rest"]["updated_at"] = self._stamp()
            data["metafieldsSet"] = {"metafields": [] if errors else [{"id": "gid://shopify/Metafield/1"}], "userErrors": errors}
        if "productUpdate" in query:
            update = variables["product"]
            product = next(p for p in self.shopify.values() if p["gid"] == update["id"])
            if "descriptionHtml" in update:
                product["rest"]["body_html"] = update["descriptionHtml"]
            if "seo" in update:  # SEOInput: only the given keys change
                product.setdefault("seo", {"title": None, "description": None}).update(update["seo"])
            product["rest"]["updated_at"] = self._stamp()
            data["productUpdate"] = {"product": {"id": product["gid"]}, "userErrors": []}
        return {"data": data}

    # -- Saleor ------------------------------------------------------------------------------

    def _saleor_graphql(self, body) -> dict:
        query, variables = body.get("query", ""), body.get("variables") or {}
        product = self.saleor.get(variables.get("id"))
        if query.lstrip().startswith("query"):
            if product is None:
                return {"data": {"product": None}}
            return {"data": {"product": copy.deepcopy(product)}}
        self.writes.append(("saleor", "graphql", body))
        data: dict = {}
        if "updatePrivateMetadata" in query:
            metadata = {item["key"]: item["value"] for item in product["privateMetadata"]}
            given = next(value for value in variables.values() if isinstance(value, list))
            metadata.update({item["key"]: item["value"] for item in given})
            product["privateMetadata"] = [{"key": k, "value": v} for k, v in metadata.items()]
            data["updatePrivateMetadata"] = {"errors": []}
        if "productUpdate" in query:
            if "description" in variables["input"]:
                product["description"] = variables["input"]["description"]
            for key, field in (("title", "seoTitle"), ("description", "seoDescription")):
                if key in (variables["input"].get("seo") or {}):
                    product[field] = variables["input"]["seo"][key]
            data["productUpdate"] = {"errors": []}
        product["updatedAt"] = self._stamp()
        return {"data": data}

    # -- Adobe Commerce ----------------------------------------------------------------------

    def _adobe(self, method: str, sku: str, body) -> tuple[int, object]:
        product = self.adobe.get(sku)
        if product is None:
            return 404, {"message": "The product that was requested doesn't exist. Verify the product and try again."}
        if method == "GET":
            return 200, copy.deepcopy(product)
        self.writes.append(("adobe-commerce", "PUT", body))
        self.adobe_set(sku, {a["attribute_code"]: a["value"] for a in body["product"].get("custom_attributes", [])})
        return 200, copy.deepcopy(product)

    def adobe_set(self, sku: str, values: dict) -> None:
        product = self.adobe[sku]
        current = {a["attribute_code"]: a["value"] for a in product["custom_attributes"]}
        current.update(values)
        product["custom_attributes"] = [{"attribute_code": k, "value": v} for k, v in current.items()]
        product["updated_at"] = self._stamp().replace("T", " ").replace("Z", "")
