"""The draft as a ready-to-apply change in the source platform's own API terms.

A thin connector in the PIM applies ``DescriptionGenerated.writeback`` as it is (method, path,
body) without knowing copydesk's contract. Where the platform has optimistic concurrency
(commercetools' ``version``), the version copydesk read is sent, so a product changed since
answers 409 instead of being overwritten; the connector re-reads and decides.
"""

from __future__ import annotations

import html
import json
from urllib.parse import quote

from consumer.adapters.common import ORIGIN_COPYDESK, Writeback
from schemas import ProductEvent


def _paragraphs_html(text: str) -> str:
    return "".join(f"<p>{html.escape(part)}</p>" for part in text.split("\n") if part.strip())


def akeneo(context: dict, event: ProductEvent, text: str) -> dict:
    values = {context["attribute"]: [{"locale": event.locale, "scope": event.channel, "data": text}]}
    if context.get("origin_attribute"):
        values[context["origin_attribute"]] = [{"locale": event.locale, "scope": event.channel, "data": ORIGIN_COPYDESK}]
    if context.get("uuid"):
        path = f"/api/rest/v1/products-uuid/{quote(context['uuid'])}"
    else:
        path = f"/api/rest/v1/products/{quote(str(context['identifier']), safe='')}"
    return {"method": "PATCH", "path": path, "body": {"values": values}}


def commercetools(context: dict, event: ProductEvent, text: str) -> dict:
    # setDescription replaces the whole LocalizedString: keep the other locales' texts.
    description = dict(context.get("description") or {})
    description[context.get("locale_key") or event.locale.replace("_", "-")] = text
    return {
        "method": "POST",
        "path": f"/{{projectKey}}/products/{quote(context['id'])}",
        "body": {"version": context["version"], "actions": [{"action": "setDescription", "description": description, "staged": True}]},
    }


def shopify(context: dict, event: ProductEvent, text: str) -> dict:
    return {
        "method": "PUT",
        "path": f"/admin/api/{{apiVersion}}/products/{context['id']}.json",
        "body": {"product": {"body_html": _paragraphs_html(text)}},
        "graphql": {
            "query": "mutation ($product: ProductUpdateInput!) { productUpdate(product: $product) { userErrors { field message } } }",
            "variables": {"product": {"id": context["admin_graphql_api_id"], "descriptionHtml": _paragraphs_html(text)}},
        },
    }


def saleor(context: dict, event: ProductEvent, text: str) -> dict:
    blocks = [{"type": "paragraph", "data": {"text": html.escape(part)}} for part in text.split("\n") if part.strip()]
    return {
        "graphql": {
            "query": "mutation ($id: ID!, $input: ProductInput!) { productUpdate(id: $id, input: $input) { errors { field message } } }",
            "variables": {"id": context["id"], "input": {"description": json.dumps({"blocks": blocks, "version": "2.24.3"})}},
        }
    }


def adobe_commerce(context: dict, event: ProductEvent, text: str) -> dict:
    return {
        "method": "PUT",
        "path": f"/rest/{{storeCode}}/V1/products/{quote(str(context['sku']), safe='')}",
        "store_id": context["store_id"],
        "body": {"product": {"sku": context["sku"], "custom_attributes": [{"attribute_code": context["attribute"], "value": _paragraphs_html(text)}]}},
    }


RENDERERS = {"akeneo": akeneo, "commercetools": commercetools, "shopify": shopify, "saleor": saleor, "adobe-commerce": adobe_commerce}


def render(writeback: Writeback | None, event: ProductEvent, text: str) -> dict | None:
    """``{"platform": ..., ...}`` for DescriptionGenerated.writeback, or None for canonical events."""
    if writeback is None:
        return None
    return {"platform": writeback.platform, "locale": event.locale, "channel": event.channel,
            **RENDERERS[writeback.platform](writeback.context, event, text)}
