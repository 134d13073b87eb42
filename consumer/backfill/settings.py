"""`copydesk backfill` options: what to read, which products, how fast, where to remember progress."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import CliPositionalArg

from consumer.ops.settings import KafkaSettings
from consumer.writeback.settings import PlatformAPISettings
from schemas import topics

PLATFORM_SOURCES = ("akeneo", "shopify", "saleor", "commercetools", "adobe-commerce")


class BackfillSettings(KafkaSettings, PlatformAPISettings):
    """`copydesk backfill SOURCE`: send existing products to serve as events, resumable and rate-limited."""

    source: CliPositionalArg[str] = Field(description="A .jsonl or .csv export, or a platform whose API lists the catalog: "
                        "akeneo, shopify, saleor, commercetools, adobe-commerce (its URL and credentials as for writeback).")
    columns: str = Field("", description="How an export's columns map to the product, as FIELD=COLUMN pairs, e.g. "
                         "'id=sku,title=name,description=body_html,category=type'; fields: id, title, description, category, brand, "
                         "locale, channel. Other columns (JSONL: the 'attributes' object) become attributes.")
    description_origin: Literal["human", "import"] = Field(
        "human", description="Who wrote the descriptions in an export: 'human' (never replaced, as serve rules) or 'import' "
        "(a feed's text: replaced when the filters select it).")
    topic: str = Field(topics.PRODUCT_EVENTS, description="Topic the events go to (serve must read it: the product events topic, "
                       "or a backfill topic added to serve's --input-topic).")
    group_id: str = Field(topics.CONSUMER_GROUP, description="serve's consumer group, whose lag --max-lag caps.")
    only_empty: bool = Field(False, description="Only products whose description is empty.")
    shorter_than: int | None = Field(None, ge=1, description="Only products whose description is shorter than this many characters (empty included).")
    categories: str = Field("", description="Only products in these categories (comma-separated, case-insensitive, as the event names them).")
    rate: float = Field(2.0, gt=0, description="Products per second at most (serve writes about 1-4 descriptions/s per CPU replica).")
    max_lag: int = Field(64, ge=1, description="Wait while serve's group has more than this many records left on the topic, "
                         "so a live event never queues behind more than this many backfill events.")
    lag_check_seconds: float = Field(1.0, gt=0, description="How often the lag is read while waiting.")
    checkpoint: Path | None = Field(None, description="Where progress is kept (default: ~/.cache/copydesk/backfill/<source>-<topic>.json).")
    restart: bool = Field(False, description="Ignore the checkpoint and start from the beginning (events already drafted are no-ops in serve).")
    checkpoint_every: int = Field(50, ge=1, description="Products between checkpoints (each one flushes the producer first).")
    page_size: int = Field(100, ge=1, le=500, description="Products per listing page (platform sources).")
    adobe_store_id: str = Field("0", description="Adobe Commerce: the store view to list (its locale from --store-locales, its code from --adobe-store-codes).")
    dry_run: bool = Field(False, description="Read and filter everything, send nothing: print what would be sent, the time and the tokens it would take.")
    descriptions_per_second: float | None = Field(None, gt=0, description="The dry run's throughput (default: measured for this CPU engine; "
                                                  "on a GPU give what your serve replicas reach, copydesk_drafts_published_total's rate).")
    engine: Literal["auto", "cached", "generate"] = Field("auto", description="The dry run: serve's engine (COPYDESK_ENGINE), whose measured throughput it assumes.")
    device: str = Field("auto", description="The dry run: serve's device (COPYDESK_DEVICE); on 'cuda' give --descriptions-per-second.")
    replicas: int = Field(1, ge=1, description="The dry run: how many serve replicas share the work.")
    metrics_port: int = Field(0, ge=0, le=65535, description="Serve /metrics on this port while running (0: off).")
    progress: bool = Field(True, description="A progress bar on stderr (done/total, rate, ETA).")

    def column_map(self) -> dict[str, str]:
        pairs = dict(item.strip().split("=", 1) for item in self.columns.split(",") if "=" in item)
        unknown = set(pairs) - {"id", "title", "description", "category", "brand", "locale", "channel"}
        if unknown:
            raise ValueError(f"--columns: unknown field(s) {sorted(unknown)}; use id, title, description, category, brand, locale, channel")
        return pairs

    def category_filter(self) -> set[str]:
        return {item.strip().casefold() for item in self.categories.split(",") if item.strip()}

    def is_platform(self) -> bool:
        return self.source in PLATFORM_SOURCES
