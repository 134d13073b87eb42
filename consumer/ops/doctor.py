"""`copydesk doctor`: check a deployment's setup the way a new user gets it wrong, one line per finding.

It reads the same COPYDESK_* settings as serve, ingest and writeback, so what it checks is what
they will use: the broker is reachable and copydesk's topics exist; the model loads; each
configured PIM answers a read of one product with the credentials given; every platform that
sends webhooks has the secret ingest verifies them with; the attributes write-back writes exist
in the PIM. Each problem is one line that ends with the fix. Nothing is written anywhere.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from pydantic import Field

from consumer.adapters.common import REVIEW_FIELDS
from consumer.ingest.settings import IngestSettings
from consumer.ops.settings import ModelSettings
from consumer.writeback.settings import PlatformAPISettings
from schemas import topics

WEBHOOK_PLATFORMS = ("shopify", "saleor", "akeneo", "adobe-commerce")
"""Platforms that deliver by signed webhook to `copydesk ingest` (commercetools delivers through a Subscription's queue)."""

CT_REVIEW_ATTRIBUTES = ("copydesk-description-draft", "copydesk-draft-info")


class DoctorSettings(IngestSettings, PlatformAPISettings, ModelSettings):
    """`copydesk doctor`: check the broker, the model, each configured PIM and its webhook secret; print the fix for each problem."""

    required_topics: str = Field(",".join(topics.ALL_TOPICS), description="Topics that must exist, comma-separated.")
    platforms: str = Field("", description="Platforms you connect, comma-separated (default: those whose API URL is configured).")
    check_model: bool = Field(True, description="Load the model (--model) as serve would (a few seconds); --no-check-model skips it.")
    broker_timeout_seconds: float = Field(5.0, gt=0, description="How long the broker may take to answer.")
    log_level: Literal["debug", "info", "warning", "error"] = Field("warning", description="Log level of the JSON logs (the findings are plain lines).")

    def connected_platforms(self) -> list[str]:
        named = [item.strip() for item in self.platforms.split(",") if item.strip()]
        return named or self.configured_platforms()


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str
    fix: str | None = None

    def line(self) -> str:
        if self.ok:
            return f"ok    {self.check}: {self.detail}"
        return f"FAIL  {self.check}: {self.detail} -> fix: {self.fix}"


# -- the broker -------------------------------------------------------------------------------


def check_broker(settings: DoctorSettings) -> list[Finding]:
    from kafka.errors import KafkaError

    from consumer.kafka.broker import existing_topics

    servers = settings.bootstrap_servers
    timeout_ms = int(settings.broker_timeout_seconds * 1000)
    if not any(_reachable(server, settings.broker_timeout_seconds) for server in servers.split(",")):
        return [Finding("broker", False, f"nothing listens at {servers}",
                        "start one (`copydesk broker` for a local run) or set COPYDESK_BOOTSTRAP_SERVERS to your cluster's host:port list")]
    try:
        present = existing_topics(settings.client_config(), timeout_ms)
    except (KafkaError, OSError, ValueError) as error:
        return [Finding("broker", False, f"{servers} does not answer ({type(error).__name__}: {str(error)[:120]})",
                        "start one (`copydesk broker` for a local run) or set COPYDESK_BOOTSTRAP_SERVERS (and COPYDESK_SECURITY_PROTOCOL / SASL settings)")]
    findings = [Finding("broker", True, f"{servers} answers ({len(present)} topics)")]
    wanted = [name.strip() for name in settings.required_topics.split(",") if name.strip()]
    missing = [name for name in wanted if name not in present]
    if missing:
        commands = "; ".join(f"kafka-topics.sh --create --topic {name} --partitions {topics.ALL_TOPICS.get(name, 3)}" for name in missing)
        findings.append(Finding("topics", False, f"missing: {', '.join(missing)}",
                                f"create them ({commands}), or `copydesk broker`, which creates them on the embedded broker"))
    else:
        findings.append(Finding("topics", True, f"all {len(wanted)} present"))
    return findings


def _reachable(server: str, timeout_s: float) -> bool:
    """A TCP connect to host:port: fails in a second where kafka-python's bootstrap retries for 30."""
    host, _, port = server.strip().rpartition(":")
    try:
        socket.create_connection((host.strip("[]") or "localhost", int(port)), timeout=timeout_s).close()
    except (OSError, ValueError):
        return False
    return True


# -- the model --------------------------------------------------------------------------------


def check_model(settings: DoctorSettings) -> list[Finding]:
    from consumer.service.serve import load_generator

    started = time.perf_counter()
    try:
        generator = load_generator(settings)
    except Exception as error:  # whatever stops serve from loading it is the finding
        return [Finding("model", False, f"--model {settings.model!r} does not load ({type(error).__name__}: {str(error)[:200]})",
                        "use --model default (the shipped adapter), base, or a folder with adapter_config.json and adapter_model.safetensors; "
                        "`copydesk model prepare --force` rebuilds the prepared base model")]
    return [Finding("model", True, f"{generator.version} on {generator.device} ({generator.engine_name} engine), loaded in {time.perf_counter() - started:.1f}s")]


# -- the PIMs ---------------------------------------------------------------------------------

CREDENTIALS = {
    "akeneo": "COPYDESK_AKENEO_CLIENT_ID, _SECRET, _USERNAME, _PASSWORD (or COPYDESK_AKENEO_TOKEN)",
    "commercetools": "COPYDESK_COMMERCETOOLS_CLIENT_ID and _CLIENT_SECRET (scopes view_products, manage_products), COPYDESK_COMMERCETOOLS_AUTH_URL",
    "shopify": "COPYDESK_SHOPIFY_ADMIN_TOKEN_FILE (an Admin API token with read_products, write_products)",
    "saleor": "COPYDESK_SALEOR_TOKEN (an app token with MANAGE_PRODUCTS)",
    "adobe-commerce": "COPYDESK_ADOBE_COMMERCE_TOKEN_FILE (an integration token with Catalog > Products)",
}


def check_platform(settings: DoctorSettings, platform: str, client) -> list[Finding]:
    """A read of one product through the listing backfill uses, then the attributes write-back writes."""
    from consumer.adapters.listing import CatalogLister
    from consumer.writeback.client import Gone, PlatformUnavailable, Refused

    missing = client.missing(platform)
    if missing:
        return [Finding(f"{platform} api", False, "no API URL", f"set {missing}")]
    try:
        page = CatalogLister(platform, client, page_size=1, channel=settings.channel).page(None)
    except Refused as error:
        refused = any(f"HTTP {code}" in str(error) for code in (401, 403))
        fix = f"check the credentials: {CREDENTIALS[platform]}" if refused else f"check the API URL and version ({str(error)[:160]})"
        return [Finding(f"{platform} api", False, "the product listing was refused" + (" (credentials)" if refused else ""), fix)]
    except (PlatformUnavailable, Gone) as error:
        if "refused the credentials" in str(error):  # the OAuth token endpoint said no
            return [Finding(f"{platform} api", False, "the token endpoint refused the credentials", f"check {CREDENTIALS[platform]}")]
        return [Finding(f"{platform} api", False, f"no answer from {client.base_url(platform)} ({str(error)[:160]})",
                        "check the URL and that this pod may reach it (egress, proxy)")]
    except Exception as error:  # a token endpoint refusing, a body that is not JSON
        return [Finding(f"{platform} api", False, f"{type(error).__name__}: {str(error)[:160]}", f"check the URL and {CREDENTIALS[platform]}")]
    seen = "read one product" if page.resources else "answered (the catalog is empty)"
    findings = [Finding(f"{platform} api", True, seen)]
    return findings + check_writeback_fields(settings, platform, client)


def check_writeback_fields(settings: DoctorSettings, platform: str, client) -> list[Finding]:
    """The attributes write-back writes must exist (Shopify metafields and Saleor metadata need no definition)."""
    description = settings.description_attribute or "description"
    codes = [*REVIEW_FIELDS, description, *(c for c in (settings.origin_attribute, settings.locked_attribute) if c)]
    if platform == "akeneo":
        absent = [code for code in codes if not _exists(client, platform, {"method": "GET", "path": f"/api/rest/v1/attributes/{quote(code)}"})]
        fix = ("create them in Akeneo (Settings > Attributes): text area attributes, localizable and scopable like the description, "
               "in the families of the products copydesk describes")
    elif platform == "adobe-commerce":
        absent = [code for code in codes if not _exists(client, platform, {"method": "GET", "path": f"/rest/all/V1/products/attributes/{quote(code)}"})]
        fix = "create them (Stores > Attributes > Product: Text Area, store view scope) and add them to the attribute sets"
    elif platform == "commercetools":
        types = client.read(platform, {"method": "GET", "path": "/{projectKey}/product-types?limit=500"}).get("results") or []
        lacking = [t.get("key") or t.get("id") for t in types
                   if not set(CT_REVIEW_ATTRIBUTES) <= {a.get("name") for a in t.get("attributes") or []}]
        if not lacking:
            return [Finding(f"{platform} write-back fields", True, f"{', '.join(CT_REVIEW_ATTRIBUTES)} on all {len(types)} product types")]
        return [Finding(f"{platform} write-back fields", False, f"product types without {' / '.join(CT_REVIEW_ATTRIBUTES)}: {', '.join(map(str, lacking[:10]))}",
                        "add both as ltext attributes (attributeConstraint None, isSearchable false) with addAttributeDefinition")]
    else:
        return []
    if absent:
        return [Finding(f"{platform} write-back fields", False, f"missing attributes: {', '.join(absent)}", fix)]
    return [Finding(f"{platform} write-back fields", True, ", ".join(codes))]


def _exists(client, platform: str, change: dict) -> bool:
    from consumer.writeback.client import Gone

    try:
        client.read(platform, change)
    except Gone:
        return False
    return True


def check_webhook_secrets(settings: DoctorSettings, platforms: list[str]) -> list[Finding]:
    findings = []
    for platform in platforms:
        if platform not in WEBHOOK_PLATFORMS:
            continue
        missing = settings.missing(platform)
        if missing:
            findings.append(Finding(f"{platform} webhooks", False, "ingest cannot verify them (answers 503)", f"set {missing}"))
        else:
            findings.append(Finding(f"{platform} webhooks", True, "a signing secret is configured"))
    return findings


# -- all of it --------------------------------------------------------------------------------


def run_doctor(settings: DoctorSettings, out=print) -> int:
    """Every check, one line each; exit status 1 when any failed."""
    from consumer.writeback.client import PlatformClient

    findings: list[Finding] = []

    def report(new: list[Finding]) -> None:
        for finding in new:
            out(finding.line())
        findings.extend(new)

    report(check_broker(settings))
    if settings.check_model:
        report(check_model(settings))
    platforms = settings.connected_platforms()
    if not platforms:
        report([Finding("pim", True, "no platform API configured (set COPYDESK_AKENEO_URL, COPYDESK_SHOPIFY_SHOP_URL, ... to check one)")])
    client = PlatformClient(settings, settings.fetcher(), backoff_seconds=0.2)
    for platform in platforms:
        try:
            report(check_platform(settings, platform, client))
        except Exception as error:  # one platform's surprise must not hide the others' findings
            report([Finding(f"{platform} api", False, f"{type(error).__name__}: {str(error)[:160]}", f"check the URL and {CREDENTIALS.get(platform, 'credentials')}")])
    report(check_webhook_secrets(settings, platforms))
    failed = [finding for finding in findings if not finding.ok]
    out(f"{len(findings) - len(failed)} ok, {len(failed)} to fix")
    return 1 if failed else 0
