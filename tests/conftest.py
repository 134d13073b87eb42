"""Shared fixtures: a real Tansu broker on loopback, the real prepared base model, the catalog."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from consumer.kafka.broker import EmbeddedBroker, create_topics  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CATALOG = Path(os.environ.get("COPYDESK_CATALOG_DIR", REPO.parent / "shared" / "data" / "catalog"))
FIXTURES = Path(__file__).parent / "fixtures"

# Tansu finishes group joins quickly only with a short session timeout (DEVELOPERS.md).
FAST_GROUP = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 2000}


@pytest.fixture(scope="session")
def broker():
    with EmbeddedBroker() as running:
        yield running


@pytest.fixture
def new_topic(broker):
    """A fresh topic per call, so tests never see each other's records."""

    def make(partitions: int = 1, prefix: str = "t") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        create_topics(broker.client_config, {name: partitions})
        return name

    return make


@pytest.fixture(scope="session")
def base_model_dir(tmp_path_factory) -> Path:
    from consumer.models.base_model import prepare_base_model
    from consumer.ops.settings import default_cache_dir

    cache = Path(os.environ.get("COPYDESK_CACHE_DIR", default_cache_dir()))
    return prepare_base_model(cache).path


@pytest.fixture(scope="session")
def catalog_dir() -> Path:
    if not (CATALOG / "valid.jsonl").is_file():
        pytest.skip(f"the product catalog is not at {CATALOG} (only CI and the workplace have ../shared)")
    return CATALOG


def product_event(product_id: str = "p-1", sequence: int = 1, **product) -> dict:
    """A valid ProductEvent as a plain dict; override product fields with keyword arguments."""
    body = {
        "title": "Trail bottle 750 ml",
        "brand": "Hydra",
        "category": "Outdoor > Bottles",
        "attributes": {"capacity": "750 ml", "material": "stainless steel", "weight_g": 320},
        "max_chars": 300,
    }
    body.update(product)
    return {
        "schema_version": 1,
        "event_id": f"evt-{uuid.uuid4().hex}",
        "event_type": "product.updated",
        "occurred_at": datetime.now(UTC).isoformat(),
        "source": "test-pim",
        "product_id": product_id,
        "sequence": sequence,
        "locale": "en_US",
        "channel": "ecommerce",
        "product": body,
    }
