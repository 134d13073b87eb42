"""Each platform's documented webhook signature, checked before a byte of the body is trusted.

Every check takes the raw body exactly as received (a re-serialised JSON body would not match)
and the request headers (lower-cased names), and raises SignatureError naming what is wrong.
Comparisons are constant-time (``hmac.compare_digest``).

- Shopify: ``X-Shopify-Hmac-Sha256`` = base64(HMAC-SHA256(app secret, body)).
- Saleor: ``Saleor-Signature`` is a detached JWS (RS256, unencoded payload ``b64: false``),
  verified with PyJWT against the shop's JWKS, fetched from ``/.well-known/jwks.json`` and cached
  (PyJWKClient fetches it again when a signature names a key id it does not hold: a key rotation
  costs one refresh, not an outage) or read from a mounted file; webhooks that still have a
  ``secretKey`` sign with hex HMAC-SHA256(secret, body) instead (deprecated by Saleor).
- Replays: Akeneo's signed timestamp, Shopify's ``X-Shopify-Triggered-At`` and Saleor's
  ``issuedAt`` (when the subscription asks for it) must be within the configured age; Shopify
  and Saleor retry a delivery for hours with the same time, so their windows are wide, and the
  event ids downstream make a replay inside the window a duplicate, never a second draft.
- Akeneo Events API: ``X-Akeneo-Request-Signature`` = hex HMAC-SHA256(secret,
  "{X-Akeneo-Request-Timestamp}.{body}"); a timestamp older than ``max_age_seconds`` is a replay.
- Adobe I/O Events (Adobe Commerce): ``x-adobe-digital-signature-1`` / ``-2`` = base64
  RSA-SHA256 (PKCS#1 v1.5) of the body, verified with Adobe's public key (a mounted PEM file);
  either signature passing is enough, as Adobe documents for key rotation. Adobe signs every
  tenant's events with the same key pair, so the body's ``recipient_client_id`` must also be
  this project's client id: another tenant's event verifies, but is not for us.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import load_pem_public_key


class SignatureError(ValueError):
    """The request is not provably from the platform; the message says why (never the secret)."""


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def verify_shopify(body: bytes, headers: dict[str, str], secret: str) -> None:
    given = headers.get("x-shopify-hmac-sha256")
    if not given:
        raise SignatureError("missing X-Shopify-Hmac-Sha256 header")
    expected = base64.b64encode(hmac_sha256(secret, body)).decode()
    if not hmac.compare_digest(given.strip(), expected):
        raise SignatureError("X-Shopify-Hmac-Sha256 does not match the body")


def verify_akeneo(body: bytes, headers: dict[str, str], secret: str, max_age_seconds: float = 300.0, now: float | None = None) -> None:
    given, timestamp = headers.get("x-akeneo-request-signature"), headers.get("x-akeneo-request-timestamp")
    if not given or not timestamp:
        raise SignatureError("missing X-Akeneo-Request-Signature or X-Akeneo-Request-Timestamp header")
    try:
        age = (time.time() if now is None else now) - float(timestamp)
    except ValueError as error:
        raise SignatureError(f"X-Akeneo-Request-Timestamp {timestamp[:20]!r} is not a Unix time") from error
    if abs(age) > max_age_seconds:
        raise SignatureError(f"X-Akeneo-Request-Timestamp is {age:.0f} s from now (more than {max_age_seconds:.0f} s: a replay?)")
    expected = hmac_sha256(secret, timestamp.encode() + b"." + body).hex()
    if not hmac.compare_digest(given.strip().lower(), expected):
        raise SignatureError("X-Akeneo-Request-Signature does not match the timestamp and body")


class SaleorKeys:
    """Saleor's signing keys: a JWKS URL (fetched, cached, refreshed on an unknown kid) or a fixed JWKS."""

    def __init__(self, url: str | None = None, jwks: dict | None = None, refresh_cooldown_seconds: float = 30.0):
        import jwt

        # An unknown kid refetches the set, but at most once per cooldown: a flood of forged kids
        # can't make us hammer the shop. A rotation lands within it; Saleor retries a 401 later.
        self._client = jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, cooldown_duration=refresh_cooldown_seconds) if url else None
        self._fixed = jwt.PyJWKSet.from_dict(jwks) if jwks else None

    def key_for(self, token: str):
        import jwt

        kid = jwt.get_unverified_header(token).get("kid")
        if self._client is not None:
            return self._client.get_signing_key(kid).key  # refetches the set once when kid is unknown
        matching = [key for key in self._fixed.keys if key.key_id in (kid, None)] if self._fixed else []
        if not matching:
            raise SignatureError(f"no Saleor JWKS key has kid {kid!r}")
        return matching[0].key


def verify_saleor(body: bytes, headers: dict[str, str], keys: SaleorKeys | None = None, secret: str | None = None,
                  max_age_seconds: float | None = None, now: float | None = None) -> None:
    given = headers.get("saleor-signature") or headers.get("x-saleor-signature")
    if not given:
        raise SignatureError("missing Saleor-Signature header")
    if given.count(".") != 2:  # a webhook with a secretKey: hex HMAC of the body (Saleor's deprecated mode)
        if not secret:
            raise SignatureError("Saleor-Signature is an HMAC but no Saleor webhook secret is configured (or configure the JWKS)")
        if not hmac.compare_digest(given.strip().lower(), hmac_sha256(secret, body).hex()):
            raise SignatureError("Saleor-Signature (HMAC) does not match the body")
    else:
        _verify_saleor_jws(given, body, keys)
    if max_age_seconds is not None:
        issued = _json_field(body, "issuedAt")
        if isinstance(issued, str):
            _check_age(issued, "issuedAt", max_age_seconds, now)


def _verify_saleor_jws(given: str, body: bytes, keys: SaleorKeys | None) -> None:
    import jwt

    if keys is None:
        raise SignatureError("Saleor-Signature is a JWS but no Saleor JWKS is configured")
    try:
        header = jwt.get_unverified_header(given)
    except jwt.exceptions.DecodeError as error:
        raise SignatureError("Saleor-Signature is not a readable JWS") from error
    if header.get("alg") != "RS256":
        raise SignatureError(f"Saleor-Signature uses {header.get('alg')!r}; only RS256 is accepted")
    try:
        key = keys.key_for(given)
        jwt.api_jws.PyJWS().decode_complete(given, key, algorithms=["RS256"], detached_payload=body)
    except jwt.exceptions.PyJWKClientError as error:
        raise SignatureError(f"no Saleor signing key for kid {header.get('kid')!r}: {error}") from error
    except jwt.exceptions.InvalidSignatureError as error:
        raise SignatureError(f"Saleor-Signature does not verify with the key of kid {header.get('kid')!r}") from error
    except jwt.exceptions.PyJWTError as error:
        raise SignatureError(f"Saleor-Signature is not valid: {error}") from error


def _json_field(body: bytes, name: str):
    try:
        document = json.loads(body)
    except ValueError:
        return None
    return document.get(name) if isinstance(document, dict) else None


def _check_age(stamp: str, what: str, max_age_seconds: float, now: float | None) -> None:
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError as error:
        raise SignatureError(f"{what} {stamp[:40]!r} is not an ISO 8601 time") from error
    age = (time.time() if now is None else now) - moment
    if age > max_age_seconds or age < -300:
        raise SignatureError(f"{what} is {age:.0f} s from now (the window is {max_age_seconds:.0f} s: a replay?)")


def verify_shopify_replay(headers: dict[str, str], max_age_seconds: float, now: float | None = None) -> None:
    """X-Shopify-Triggered-At within the window (a delivery and its retries share it)."""
    stamp = headers.get("x-shopify-triggered-at")
    if stamp:
        _check_age(stamp, "X-Shopify-Triggered-At", max_age_seconds, now)


def verify_adobe(body: bytes, headers: dict[str, str], public_keys_pem: list[bytes], client_id: str | None = None) -> None:
    signatures = [headers[name] for name in ("x-adobe-digital-signature-1", "x-adobe-digital-signature-2") if headers.get(name)]
    if not signatures:
        raise SignatureError("missing x-adobe-digital-signature-1/-2 headers")
    for pem in public_keys_pem:
        key = load_pem_public_key(pem)
        for signature in signatures:
            try:
                key.verify(base64.b64decode(signature), body, padding.PKCS1v15(), hashes.SHA256())
            except (InvalidSignature, binascii.Error, ValueError):
                continue
            recipient = _json_field(body, "recipient_client_id")
            if client_id is not None and recipient != client_id:
                raise SignatureError(f"recipient_client_id {str(recipient)[:60]!r} is not this project's client id: an event for another tenant")
            return
    raise SignatureError("no x-adobe-digital-signature verifies the body with the configured Adobe public key(s)")
