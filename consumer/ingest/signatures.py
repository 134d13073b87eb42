"""Each platform's documented webhook signature, checked before a byte of the body is trusted.

Every check takes the raw body exactly as received (a re-serialised JSON body would not match)
and the request headers (lower-cased names), and raises SignatureError naming what is wrong.
Comparisons are constant-time (``hmac.compare_digest``).

- Shopify: ``X-Shopify-Hmac-Sha256`` = base64(HMAC-SHA256(app secret, body)).
- Saleor: ``Saleor-Signature`` is a detached JWS (RS256, unencoded payload ``b64: false``)
  checked against the shop's JWKS (``/.well-known/jwks.json``, mounted as a file); webhooks that
  still have a ``secretKey`` sign with hex HMAC-SHA256(secret, body) instead (deprecated by Saleor).
- Akeneo Events API: ``X-Akeneo-Request-Signature`` = hex HMAC-SHA256(secret,
  "{X-Akeneo-Request-Timestamp}.{body}"); a timestamp older than ``max_age_seconds`` is a replay.
- Adobe I/O Events (Adobe Commerce): ``x-adobe-digital-signature-1`` / ``-2`` = base64
  RSA-SHA256 (PKCS#1 v1.5) of the body, verified with Adobe's public key (a mounted PEM file);
  either signature passing is enough, as Adobe documents for key rotation.
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
from cryptography.hazmat.primitives.asymmetric import padding, rsa
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


def _jwk_public_key(jwk: dict) -> rsa.RSAPublicKey:
    numbers = rsa.RSAPublicNumbers(int.from_bytes(_b64url_decode(jwk["e"]), "big"), int.from_bytes(_b64url_decode(jwk["n"]), "big"))
    return numbers.public_key()


def verify_saleor(body: bytes, headers: dict[str, str], jwks: dict | None = None, secret: str | None = None) -> None:
    given = headers.get("saleor-signature") or headers.get("x-saleor-signature")
    if not given:
        raise SignatureError("missing Saleor-Signature header")
    if given.count(".") != 2:  # a webhook with a secretKey: hex HMAC of the body (Saleor's deprecated mode)
        if not secret:
            raise SignatureError("Saleor-Signature is an HMAC but no Saleor webhook secret is configured (or configure the JWKS)")
        if not hmac.compare_digest(given.strip().lower(), hmac_sha256(secret, body).hex()):
            raise SignatureError("Saleor-Signature (HMAC) does not match the body")
        return
    if not jwks:
        raise SignatureError("Saleor-Signature is a JWS but no Saleor JWKS is configured")
    protected, _, signature = given.split(".")
    try:
        header = json.loads(_b64url_decode(protected))
        raw_signature = _b64url_decode(signature)
    except (ValueError, binascii.Error) as error:
        raise SignatureError("Saleor-Signature is not a readable JWS") from error
    if header.get("alg") != "RS256":
        raise SignatureError(f"Saleor-Signature uses {header.get('alg')!r}; only RS256 is accepted")
    payload = body if header.get("b64") is False else base64.urlsafe_b64encode(body).rstrip(b"=")
    signing_input = protected.encode() + b"." + payload
    keys = [key for key in jwks.get("keys", []) if key.get("kty") == "RSA" and key.get("kid", header.get("kid")) == header.get("kid")]
    for key in keys:
        try:
            _jwk_public_key(key).verify(raw_signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
            return
        except InvalidSignature:
            continue
    raise SignatureError(f"Saleor-Signature does not verify with any of {len(keys)} matching JWKS key(s) (kid {header.get('kid')!r})")


def verify_adobe(body: bytes, headers: dict[str, str], public_keys_pem: list[bytes]) -> None:
    signatures = [headers[name] for name in ("x-adobe-digital-signature-1", "x-adobe-digital-signature-2") if headers.get(name)]
    if not signatures:
        raise SignatureError("missing x-adobe-digital-signature-1/-2 headers")
    for pem in public_keys_pem:
        key = load_pem_public_key(pem)
        for signature in signatures:
            try:
                key.verify(base64.b64decode(signature), body, padding.PKCS1v15(), hashes.SHA256())
                return
            except (InvalidSignature, binascii.Error, ValueError):
                continue
    raise SignatureError("no x-adobe-digital-signature verifies the body with the configured Adobe public key(s)")
