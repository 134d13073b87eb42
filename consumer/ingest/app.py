"""The webhook receiver: verify the signature, store in Kafka, only then answer 2xx.

One route per platform (``POST /webhooks/{platform}``). The order of checks is the answer
table of docs/platforms.md: 413 for a body over the limit (read no further), 401 for a missing or
bad signature (nothing is parsed or stored), 400 for a body that is not the documented JSON,
503 when Kafka does not acknowledge in time (the platform retries), 200 once it has. Adobe I/O
Events' registration challenge (``GET ?challenge=``) is answered; Shopify, Saleor and Akeneo
have no handshake beyond a first signed delivery.
"""

from __future__ import annotations

import contextlib
import time

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from consumer.ingest import signatures
from consumer.ingest.records import UnreadableBody, to_records
from consumer.ingest.settings import PLATFORMS, IngestSettings
from consumer.ingest.store import KafkaStore, StoreUnavailable
from consumer.ops.logs import get_logger

log = get_logger("copydesk.ingest")

ANSWERED_STATUSES = ("200", "400", "401", "413", "503")
REQUESTS = Counter("copydesk_ingest_requests_total", "Webhook requests answered, by platform and HTTP status.", ["platform", "status"])
SIGNATURE_FAILURES = Counter("copydesk_ingest_signature_failures_total", "Webhook requests refused for their signature.", ["platform"])
PRODUCE_SECONDS = Histogram(
    "copydesk_ingest_produce_seconds", "From a verified request to Kafka's acknowledgement of all its records.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


def _verify(platform: str, settings: IngestSettings, body: bytes, headers: dict[str, str], saleor_keys) -> None:
    missing = settings.missing(platform)
    if missing:
        raise signatures.SignatureError(f"{platform} webhooks are not enabled: set {missing}")
    if platform == "shopify":
        signatures.verify_shopify(body, headers, settings.secret("shopify"))
        signatures.verify_shopify_replay(headers, settings.shopify_max_age_seconds)
    elif platform == "akeneo":
        signatures.verify_akeneo(body, headers, settings.secret("akeneo"), settings.akeneo_max_age_seconds)
    elif platform == "saleor":
        signatures.verify_saleor(body, headers, keys=saleor_keys, secret=settings.secret("saleor"), max_age_seconds=settings.saleor_max_age_seconds)
    else:
        signatures.verify_adobe(body, headers, settings.adobe_public_keys(), client_id=settings.adobe_client_id)


def saleor_keys_of(settings: IngestSettings) -> signatures.SaleorKeys | None:
    """One key source per app: the URL's keys are cached across requests."""
    import json

    if settings.saleor_jwks_url:
        return signatures.SaleorKeys(url=settings.saleor_jwks_url)
    if settings.saleor_jwks_file:
        return signatures.SaleorKeys(jwks=json.loads(settings.saleor_jwks_file.read_text()))
    return None


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None once it passes the limit (stop reading: a huge body costs nothing)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _closing(store: KafkaStore):
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        store.close()  # flushes what is in flight: an acknowledged body is never dropped on shutdown

    return lifespan


def create_app(settings: IngestSettings, store: KafkaStore | None = None) -> Starlette:
    store = store or KafkaStore(settings.client_config(), settings.topic, settings.produce_timeout_seconds)
    saleor_keys = saleor_keys_of(settings)

    def answer(platform: str, status: int, message: str, **fields) -> JSONResponse:
        REQUESTS.labels(platform, str(status)).inc()
        return JSONResponse({"status": status, "message": message, **fields}, status_code=status)

    async def webhook(request: Request) -> Response:
        platform = request.path_params["platform"]
        if platform not in PLATFORMS:
            return JSONResponse({"status": 404, "message": f"no route for {platform!r}; routes: {', '.join(PLATFORMS)}"}, 404)
        body = await _read_body(request, settings.max_body_bytes)
        if body is None:
            return answer(platform, 413, f"body larger than {settings.max_body_bytes} bytes")
        headers = {name.lower(): value for name, value in request.headers.items()}
        try:
            await run_in_threadpool(_verify, platform, settings, body, headers, saleor_keys)
        except signatures.SignatureError as error:
            SIGNATURE_FAILURES.labels(platform).inc()
            log.warning("webhook_signature_refused", platform=platform, reason=str(error))
            return answer(platform, 401, str(error))
        try:
            records = to_records(platform, body, headers)
        except UnreadableBody as error:
            return answer(platform, 400, str(error))
        started = time.perf_counter()
        try:
            await run_in_threadpool(store.store, records)
        except StoreUnavailable as error:
            log.warning("webhook_not_stored", platform=platform, reason=str(error))
            return answer(platform, 503, f"not stored, retry later: {error}")
        PRODUCE_SECONDS.observe(time.perf_counter() - started)
        log.info("webhook_stored", platform=platform, records=len(records), product_id=(records[0][0] or b"").decode() if records else None)
        return answer(platform, 200, "stored", records=len(records))

    async def adobe_challenge(request: Request) -> Response:
        challenge = request.query_params.get("challenge")
        if challenge is None:
            return JSONResponse({"status": 400, "message": "Adobe I/O Events registration sends ?challenge="}, 400)
        return JSONResponse({"challenge": challenge})

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok\n")

    async def readyz(request: Request) -> Response:
        enabled = [p for p in PLATFORMS if not settings.missing(p)]
        if not await run_in_threadpool(store.ready):
            return PlainTextResponse(f"kafka unavailable (topic {settings.topic})\n", 503)
        return PlainTextResponse(f"ready; platforms enabled: {', '.join(enabled) or 'none'}\n")

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    for platform in PLATFORMS:  # every status `answer` can give, from 0: alerts and rates see no gap on a quiet day
        for status in ANSWERED_STATUSES:
            REQUESTS.labels(platform, status)
        SIGNATURE_FAILURES.labels(platform)
    app = Starlette(routes=[
        Route("/webhooks/adobe-commerce", adobe_challenge, methods=["GET"]),
        Route("/webhooks/{platform}", webhook, methods=["POST"]),
        Route("/healthz", healthz), Route("/readyz", readyz), Route("/metrics", metrics),
    ], lifespan=_closing(store))
    app.state.store = store
    return app


def run_ingest(settings: IngestSettings) -> int:
    import uvicorn

    enabled = [p for p in PLATFORMS if not settings.missing(p)]
    log.info("ingest_starting", host=settings.host, port=settings.port, topic=settings.topic, platforms=enabled)
    if not enabled:
        log.warning("ingest_no_platform_enabled", hint="set a webhook secret, e.g. COPYDESK_SHOPIFY_WEBHOOK_SECRET_FILE")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning", access_log=False)
    return 0
