"""`copydesk ingest`: documented signatures, then the real app on loopback in front of a real broker."""

from __future__ import annotations

import base64
import json
import time
import uuid

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from kafka import KafkaConsumer, TopicPartition

from consumer.ingest.records import to_records
from consumer.ingest.settings import IngestSettings
from consumer.ingest.signatures import (SaleorKeys, SignatureError, hmac_sha256, verify_adobe, verify_akeneo, verify_saleor,
                                        verify_shopify, verify_shopify_replay)
from consumer.kafka.broker import EmbeddedBroker, free_port
from tests.ingest_server import IngestServer
from tests.test_adapters import TENT_UUID, payload

# -- signatures: known-good values --------------------------------------------------------
# The expected values were computed outside this code with OpenSSL, e.g.
#   printf '%s' "$BODY" | openssl dgst -sha256 -hmac hush -binary | base64
SHOPIFY_BODY = b'{"id":788032119674292922,"title":"Example T-Shirt"}'
SHOPIFY_HMAC = "PChQV/s9qVvLuYZx4s3CvtPkNn5M2k1OrvTkc0qHHSM="
# Akeneo's documented secret and timestamp (Events API "How to check the request signature?")
AKENEO_SECRET, AKENEO_TIMESTAMP = "3ha6eonoa9icsckw8kccos084w0c0000g08g40oo4kww0gc8w4", "1602565368"
AKENEO_BODY, AKENEO_SIGNATURE = b'{"events":[]}', "fe41d2feee323768ef042dda20fcdb2a5aa1d3ed5effc985f3ec65c52a48aac1"
SALEOR_BODY = b'{"product":{"id":"UHJvZHVjdDo3Mg==","name":"Juice"}}'
SALEOR_HMAC = "bd872a98feedd95b90a95d3ec7b7681e6ed467997bc3fdf30cf796cba625d908"


def test_shopify_hmac_matches_openssl_and_refuses_a_changed_body():
    verify_shopify(SHOPIFY_BODY, {"x-shopify-hmac-sha256": SHOPIFY_HMAC}, "hush")
    with pytest.raises(SignatureError, match="does not match"):
        verify_shopify(SHOPIFY_BODY.replace(b"T-Shirt", b"T-Shirts"), {"x-shopify-hmac-sha256": SHOPIFY_HMAC}, "hush")
    with pytest.raises(SignatureError, match="missing"):
        verify_shopify(SHOPIFY_BODY, {}, "hush")


def test_akeneo_signature_covers_timestamp_and_body_and_refuses_replays():
    headers = {"x-akeneo-request-signature": AKENEO_SIGNATURE, "x-akeneo-request-timestamp": AKENEO_TIMESTAMP}
    verify_akeneo(AKENEO_BODY, headers, AKENEO_SECRET, now=float(AKENEO_TIMESTAMP) + 10)
    with pytest.raises(SignatureError, match="replay"):
        verify_akeneo(AKENEO_BODY, headers, AKENEO_SECRET, now=float(AKENEO_TIMESTAMP) + 3600)
    with pytest.raises(SignatureError, match="does not match"):  # same signature, other timestamp
        verify_akeneo(AKENEO_BODY, {**headers, "x-akeneo-request-timestamp": "1602565369"}, AKENEO_SECRET, now=1602565369.0)


def saleor_keys(kid: str = "saleor-1"):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return key, {"keys": [{**jwk, "kid": kid, "use": "sig"}]}


def saleor_signature(key, body: bytes, kid: str = "saleor-1") -> str:
    """Signed as Saleor signs: RS256, detached, unencoded payload (PyJWT, independent of our verifier)."""
    return jwt.api_jws.encode(body, key, algorithm="RS256", headers={"kid": kid, "b64": False, "crit": ["b64"]},
                              is_payload_detached=True)


def test_saleor_jws_and_deprecated_hmac():
    key, jwks = saleor_keys()
    keys = SaleorKeys(jwks=jwks)
    verify_saleor(SALEOR_BODY, {"saleor-signature": saleor_signature(key, SALEOR_BODY)}, keys=keys)
    with pytest.raises(SignatureError, match="does not verify"):
        verify_saleor(SALEOR_BODY + b" ", {"saleor-signature": saleor_signature(key, SALEOR_BODY)}, keys=keys)
    other_key, _ = saleor_keys()
    with pytest.raises(SignatureError, match="does not verify"):
        verify_saleor(SALEOR_BODY, {"saleor-signature": saleor_signature(other_key, SALEOR_BODY)}, keys=keys)
    verify_saleor(SALEOR_BODY, {"saleor-signature": SALEOR_HMAC}, secret="saleor-secret")
    with pytest.raises(SignatureError):
        verify_saleor(SALEOR_BODY, {"saleor-signature": SALEOR_HMAC}, secret="another")


def test_a_saleor_key_rotation_is_accepted_after_one_jwks_refresh():
    """The keys come from the shop's /.well-known/jwks.json; a new kid makes PyJWKClient fetch it again."""
    from tests.platform_api import PlatformAPI

    old_key, old_jwks = saleor_keys("2026-1")
    new_key, new_jwks = saleor_keys("2026-2")
    with PlatformAPI() as shop:
        shop.answer("GET", "/.well-known/jwks.json", (200, old_jwks))
        keys = SaleorKeys(url=f"{shop.url}/.well-known/jwks.json", refresh_cooldown_seconds=0)
        verify_saleor(SALEOR_BODY, {"saleor-signature": saleor_signature(old_key, SALEOR_BODY, "2026-1")}, keys=keys)
        verify_saleor(SALEOR_BODY, {"saleor-signature": saleor_signature(old_key, SALEOR_BODY, "2026-1")}, keys=keys)
        assert len(shop.calls("GET", "/.well-known/jwks.json")) == 1  # cached
        shop.answer("GET", "/.well-known/jwks.json", (200, {"keys": old_jwks["keys"] + new_jwks["keys"]}))  # Saleor rotates
        verify_saleor(SALEOR_BODY, {"saleor-signature": saleor_signature(new_key, SALEOR_BODY, "2026-2")}, keys=keys)
        assert len(shop.calls("GET", "/.well-known/jwks.json")) == 2  # one refresh for the unknown kid
        forged_key, _ = saleor_keys("2026-2")
        with pytest.raises(SignatureError, match="does not verify"):
            verify_saleor(SALEOR_BODY, {"saleor-signature": saleor_signature(forged_key, SALEOR_BODY, "2026-2")}, keys=keys)


def test_shopify_and_saleor_deliveries_older_than_their_window_are_replays():
    now = time.time()
    verify_shopify_replay({"x-shopify-triggered-at": "2026-12-06T10:00:00Z"}, 3600, now=1796551200.0 + 60)
    with pytest.raises(SignatureError, match="replay"):
        verify_shopify_replay({"x-shopify-triggered-at": "2026-12-06T10:00:00Z"}, 3600, now=1796551200.0 + 7200)
    verify_shopify_replay({}, 3600, now=now)  # no header: nothing to check (the HMAC still is)
    body = json.dumps({"issuedAt": "2026-12-06T10:00:00+00:00", "product": {"id": "x"}}).encode()
    verify_saleor(body, {"saleor-signature": hmac_sha256("s", body).hex()}, secret="s", max_age_seconds=3600, now=1796551200.0 + 60)
    with pytest.raises(SignatureError, match="replay"):
        verify_saleor(body, {"saleor-signature": hmac_sha256("s", body).hex()}, secret="s", max_age_seconds=3600, now=1796551200.0 + 7200)


def adobe_signed(body: bytes):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode(), pem


def test_adobe_io_signature_either_of_two_and_only_for_this_client_id():
    body = json.dumps({**payload("adobe_commerce_io_event"), "recipient_client_id": "our-client"}).encode()
    good, pem = adobe_signed(body)
    verify_adobe(body, {"x-adobe-digital-signature-1": "AAAA", "x-adobe-digital-signature-2": good}, [pem], client_id="our-client")
    with pytest.raises(SignatureError):
        verify_adobe(body + b"\n", {"x-adobe-digital-signature-1": good}, [pem], client_id="our-client")
    # Adobe signs every tenant's events with the same key pair: a valid signature is not enough
    other = json.dumps({**payload("adobe_commerce_io_event"), "recipient_client_id": "another-tenant"}).encode()
    signature, same_pem = adobe_signed(other)
    with pytest.raises(SignatureError, match="another tenant"):
        verify_adobe(other, {"x-adobe-digital-signature-1": signature}, [same_pem], client_id="our-client")


def test_an_akeneo_batch_becomes_one_record_per_product_without_the_batch_signature():
    body = json.dumps({"events": [payload("akeneo_events_api")["events"][0],
                                  {"action": "product.updated", "event_id": "e2", "data": {"resource": {"uuid": "u-2"}}}]}).encode()
    records = to_records("akeneo", body, {"x-akeneo-request-signature": "s", "x-akeneo-request-timestamp": "1", "authorization": "x"})
    assert [key for key, _, _ in records] == [TENT_UUID.encode(), b"u-2"]
    assert all(json.loads(value)["events"][0]["event_id"] for _, value, _ in records)
    assert records[0][2] == [("x-akeneo-request-timestamp", b"1")]  # no signature of another body, no Authorization


# -- the app, for real: uvicorn on loopback, the embedded broker ---------------------------


def read_all(broker_config: dict, topic: str, settle_s: float = 1.5) -> list:
    consumer = KafkaConsumer(**broker_config, group_id=None, enable_auto_commit=False)
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    found, deadline = [], time.monotonic() + settle_s
    while time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=200).values():
            found.extend(records)
    consumer.close()
    return found


def signed_shopify(body: bytes, secret: str = "hush") -> dict:
    return {"X-Shopify-Hmac-Sha256": base64.b64encode(hmac_sha256(secret, body)).decode(),
            "X-Shopify-Topic": "products/update", "X-Shopify-Webhook-Id": str(uuid.uuid4()), "Content-Type": "application/json"}


@pytest.mark.kafka
def test_ingest_stores_signed_webhooks_and_refuses_the_rest(broker, new_topic):
    topic = new_topic(partitions=1)
    settings = IngestSettings(bootstrap_servers=broker.bootstrap_servers, topic=topic, shopify_webhook_secret="hush",
                              akeneo_webhook_secret=AKENEO_SECRET, max_body_bytes=64 * 1024, produce_timeout_seconds=10)
    shopify_body = json.dumps(payload("shopify_products_update")).encode()
    with IngestServer(settings) as ingest:
        ok = requests.post(f"{ingest.url}/webhooks/shopify", data=shopify_body, headers=signed_shopify(shopify_body), timeout=30)
        bad = requests.post(f"{ingest.url}/webhooks/shopify", data=shopify_body, headers=signed_shopify(shopify_body, "wrong"), timeout=30)
        unsigned = requests.post(f"{ingest.url}/webhooks/shopify", data=shopify_body, timeout=30)
        closed = requests.post(f"{ingest.url}/webhooks/saleor", data=SALEOR_BODY, headers={"Saleor-Signature": SALEOR_HMAC}, timeout=30)
        huge = b'{"x": "' + b"a" * 70_000 + b'"}'
        oversized = requests.post(f"{ingest.url}/webhooks/shopify", data=huge, headers=signed_shopify(huge), timeout=30)
        junk = b"not json"
        unreadable = requests.post(f"{ingest.url}/webhooks/shopify", data=junk, headers=signed_shopify(junk), timeout=30)
        stamp = str(int(time.time()))
        akeneo_body = json.dumps(payload("akeneo_events_api")).encode()
        akeneo = requests.post(f"{ingest.url}/webhooks/akeneo", data=akeneo_body, timeout=30, headers={
            "X-Akeneo-Request-Timestamp": stamp,
            "X-Akeneo-Request-Signature": hmac_sha256(AKENEO_SECRET, stamp.encode() + b"." + akeneo_body).hex()})
        challenge = requests.get(f"{ingest.url}/webhooks/adobe-commerce", params={"challenge": "abc"}, timeout=30)
        ready = requests.get(f"{ingest.url}/readyz", timeout=30)
        metrics = requests.get(f"{ingest.url}/metrics", timeout=30).text
    assert (ok.status_code, bad.status_code, unsigned.status_code, closed.status_code) == (200, 401, 401, 401)
    assert "COPYDESK_SALEOR_JWKS_URL" in closed.json()["message"]  # says which setting opens the route
    assert (oversized.status_code, unreadable.status_code, akeneo.status_code) == (413, 400, 200)
    assert challenge.json() == {"challenge": "abc"} and ready.status_code == 200
    records = read_all(broker.client_config, topic)
    assert len(records) == 3  # the Shopify body and the two Akeneo events; nothing refused was stored
    shopify, akeneo_record, removed = records
    assert shopify.value == shopify_body and shopify.key == b"9007199254740993"
    assert dict(shopify.headers)["x-shopify-topic"] == b"products/update"
    assert akeneo_record.key == TENT_UUID.encode() and removed.key == b"0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
    assert 'copydesk_ingest_requests_total{platform="shopify",status="401"} 2.0' in metrics
    assert 'copydesk_ingest_signature_failures_total{platform="shopify"} 2.0' in metrics
    # every status the routes answer exists from 0 (400 and 413 appeared only once they happened)
    assert 'copydesk_ingest_requests_total{platform="adobe-commerce",status="413"} 0.0' in metrics
    assert 'copydesk_ingest_requests_total{platform="adobe-commerce",status="400"} 0.0' in metrics


@pytest.mark.kafka
def test_ingest_answers_503_while_kafka_is_down_and_stores_on_the_retry():
    port = free_port()
    settings = IngestSettings(bootstrap_servers=f"127.0.0.1:{port}", topic="copydesk.product-events",
                              shopify_webhook_secret="hush", produce_timeout_seconds=3)
    body = json.dumps(payload("shopify_products_update")).encode()
    headers = signed_shopify(body)
    with IngestServer(settings) as ingest:
        down = requests.post(f"{ingest.url}/webhooks/shopify", data=body, headers=headers, timeout=60)
        not_ready = requests.get(f"{ingest.url}/readyz", timeout=60)
        with EmbeddedBroker(port=port) as late_broker:
            retried = None
            for _ in range(10):  # the platform's retry schedule, compressed
                retried = requests.post(f"{ingest.url}/webhooks/shopify", data=body, headers=headers, timeout=60)
                if retried.status_code == 200:
                    break
                time.sleep(1)
            stored = read_all(late_broker.client_config, "copydesk.product-events", settle_s=3)
    assert down.status_code == 503 and "retry" in down.json()["message"] and not_ready.status_code == 503
    assert retried.status_code == 200
    assert [r.value for r in stored] == [body]
