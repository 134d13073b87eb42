"""Event contracts: the only shapes that cross a topic.

Every model is strict (a number sent as a string is a wrong type, not something to guess at),
forbids unknown fields (a new field means a new ``schema_version``) and bounds every free-text
field, so an oversized or malformed payload is rejected with a message that names the field
instead of being truncated silently or blowing up memory further down the pipeline.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

SCHEMA_VERSION = 3
"""The newest ProductEvent schema this build understands; newer events are dead-lettered.
2: ``product.fields`` (which copy fields to write), ``product.field_limits`` and
``product.labels`` (attribute labels in the event's locale). 3: ``writeback``, where the draft
goes back in the platform the event was read from (`copydesk backfill` sets it). An older event
is a newer one without those fields and is read as such."""

RECORD_SCHEMA_VERSION = 2
"""Version of DescriptionApproved, ModelPublished and DeadLetter (unchanged since 2)."""

OUTPUT_SCHEMA_VERSION = 3
"""Version of what copydesk writes to the descriptions topic. 2: the topic also carries
``description.skipped`` outcomes, so a reader must switch on ``event_type``. 3: a draft carries
``fields`` (lead, bullets, SEO title, meta description, HTML) and ``description`` is the lead
followed by the bullets; checks may be advisory (``blocking: false``)."""

CopyField = Literal["lead", "bullets", "seo_title", "meta_description", "description_html"]
"""The fields a draft can fill besides ``description`` (schemas/copy_fields.py builds them)."""

SkipReason = Literal["stale", "locked", "human_text", "own_write", "unchanged"]

# Size limits. Generous for real catalogs, small enough that one event can't exhaust memory.
MAX_TITLE_CHARS = 300
MAX_DESCRIPTION_CHARS = 20_000
MAX_ATTRIBUTES = 200
MAX_ATTRIBUTE_NAME_CHARS = 100
MAX_ATTRIBUTE_VALUE_CHARS = 1_000
MAX_LIST_ITEMS = 50
MAX_KEYWORDS = 20

Id = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=False)]
ShortText = Annotated[str, StringConstraints(max_length=200)]
Locale = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}([_-][A-Za-z0-9]{2,8})*$", max_length=35)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
AttributeValue = (
    Annotated[str, StringConstraints(max_length=MAX_ATTRIBUTE_VALUE_CHARS)]
    | bool
    | int
    | float
    | Annotated[
        list[Annotated[str, StringConstraints(max_length=MAX_ATTRIBUTE_VALUE_CHARS)]],
        Field(max_length=MAX_LIST_ITEMS),
    ]
)

DescriptionOrigin = Literal["human", "copydesk", "import"]


class Contract(BaseModel):
    """Base for every event: strict types, no unknown fields, immutable once parsed."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Product(Contract):
    """The product as the PIM holds it for one locale and channel: the prompt's only facts."""

    title: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TITLE_CHARS)]
    category: Annotated[str, StringConstraints(max_length=500)] | None = None
    brand: ShortText | None = None
    attributes: Annotated[dict[Annotated[str, StringConstraints(min_length=1, max_length=MAX_ATTRIBUTE_NAME_CHARS)], AttributeValue], Field(max_length=MAX_ATTRIBUTES)] = {}
    description: Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION_CHARS)] | None = None
    description_origin: DescriptionOrigin | None = None
    description_locked: bool = False
    max_chars: Annotated[int, Field(ge=40, le=MAX_DESCRIPTION_CHARS)] | None = Field(
        default=None, description="Length limit of the target description field, in characters."
    )
    tone: ShortText | None = Field(default=None, description="The shop's voice, e.g. 'friendly, concise'.")
    keywords: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=60)]], Field(max_length=MAX_KEYWORDS)] = []
    fields: list[CopyField] | None = Field(default=None, description="The copy fields to write; null: all of them.")
    field_limits: dict[Literal["lead", "bullet", "seo_title", "meta_description"], Annotated[int, Field(ge=20, le=5_000)]] = Field(
        default={}, description="Characters per field (a bullet's is per bullet); unset ones use the defaults (docs/copy.md).")
    labels: Annotated[dict[Annotated[str, StringConstraints(min_length=1, max_length=MAX_ATTRIBUTE_NAME_CHARS)],
                           Annotated[str, StringConstraints(min_length=1, max_length=MAX_ATTRIBUTE_NAME_CHARS)]],
                      Field(max_length=MAX_ATTRIBUTES)] = Field(
        default={}, description="Attribute code -> its label in the event's locale, as the PIM shows it to shoppers.")

    @property
    def has_protected_description(self) -> bool:
        """Text a person wrote or locked must never be replaced by a generated draft."""
        return bool(self.description_locked or (self.description and self.description_origin == "human"))


Platform = Literal["akeneo", "commercetools", "shopify", "saleor", "adobe-commerce"]


class WritebackTarget(Contract):
    """The product in its platform, as the platform's adapter read it: write-back writes the draft there."""

    platform: Platform
    context: dict = Field(description="The adapter's target (ids, locale keys, version), opaque to everyone but write-back.")


class ProductEvent(Contract):
    """product.created / product.updated, as emitted by the PIM (key: product_id)."""

    schema_version: int = Field(default=SCHEMA_VERSION, ge=1)
    event_id: Id
    event_type: Literal["product.created", "product.updated"]
    occurred_at: AwareDatetime
    source: ShortText = Field(description="Which PIM / connection emitted the event.")
    product_id: Id
    sequence: int = Field(ge=0, description="Per-product counter that grows with every change.")
    locale: Locale = "en_US"
    channel: ShortText = "default"
    changed_fields: Annotated[list[ShortText], Field(max_length=MAX_ATTRIBUTES)] | None = None
    product: Product
    writeback: WritebackTarget | None = Field(
        default=None, description="Where the draft goes back, for events read from a platform's API (copydesk backfill); "
        "null: serve's adapter knows it (platform payloads) or there is none (canonical events)."
    )

    @field_validator("schema_version")
    @classmethod
    def _known_schema_version(cls, value: int) -> int:
        if value > SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {value} is newer than this copydesk understands ({SCHEMA_VERSION}); "
                "upgrade the consumer before the producer"
            )
        return value


class CheckResult(Contract):
    """One guard's verdict on a generated text."""

    name: Literal["grounding", "length", "loops", "markup", "empty", "injection", "language", "limits", "keywords", "tone", "lead"]
    passed: bool
    reason: str | None = None
    blocking: bool = Field(default=True, description="False: advisory (keywords, tone); a failure does not make the draft needs_review.")


class CopyFields(Contract):
    """The fields of a product page, each within its limit; a field not asked for is null."""

    lead: Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION_CHARS)] | None = None
    bullets: list[Annotated[str, StringConstraints(max_length=1_000)]] | None = None
    seo_title: Annotated[str, StringConstraints(max_length=1_000)] | None = None
    meta_description: Annotated[str, StringConstraints(max_length=5_000)] | None = None
    description_html: Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION_CHARS * 2)] | None = None


class Timings(Contract):
    """Where the time went, in seconds (Prometheus base units)."""

    queue_seconds: float = Field(ge=0, description="Event occurred_at to the start of its batch.")
    generation_seconds: float = Field(ge=0, description="The batch's generation, all attempts.")
    batch_size: int = Field(ge=1)


class DescriptionGenerated(Contract):
    """A draft for the PIM to show (key: product_id). Never applied over human text."""

    schema_version: int = OUTPUT_SCHEMA_VERSION
    event_type: Literal["description.generated"] = "description.generated"
    event_id: Id = Field(description="uuid5(causation_id, model_version): a redelivery yields the same id.")
    causation_id: Id = Field(description="event_id of the ProductEvent this answers.")
    product_id: Id
    sequence: int = Field(ge=0)
    locale: Locale
    channel: ShortText
    source: ShortText
    description: Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION_CHARS)] = Field(
        description="The lead, then the bullets as '- ' lines, within the product's max_chars.")
    fields: CopyFields | None = Field(default=None, description="Each copy field, checked like the description.")
    status: Literal["draft", "needs_review"]
    checks: list[CheckResult]
    attempts: int = Field(ge=1, description="Decoding attempts (a failed guard triggers one retry).")
    model_version: ShortText
    input_hash: Sha256
    generated_at: AwareDatetime
    timings: Timings
    writeback: dict | None = Field(
        default=None, description="The change in the source platform's own terms, when an adapter knows it."
    )

    @staticmethod
    def derive_event_id(causation_id: str, model_version: str) -> str:
        """Same input event + same model -> same output id, so redeliveries collapse downstream."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"copydesk:{causation_id}:{model_version}"))


class DescriptionSkipped(Contract):
    """An event that needed no draft, and why (key: product_id): every input has a visible outcome.

    Without it a PIM can't tell a skip from a loss. A redelivered event gets the same id
    (uuid5 of its event id), so repeats collapse downstream like drafts do.
    """

    schema_version: int = OUTPUT_SCHEMA_VERSION
    event_type: Literal["description.skipped"] = "description.skipped"
    event_id: Id = Field(description="uuid5(causation_id, 'skipped'): a redelivery yields the same id.")
    causation_id: Id = Field(description="event_id of the ProductEvent this answers.")
    product_id: Id
    sequence: int = Field(ge=0)
    locale: Locale
    channel: ShortText
    source: ShortText
    reason: SkipReason
    skipped_at: AwareDatetime

    @staticmethod
    def derive_event_id(causation_id: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"copydesk:{causation_id}:skipped"))


class DescriptionApproved(Contract):
    """What a person did with a draft (key: product_id); the trainer learns from these."""

    schema_version: int = RECORD_SCHEMA_VERSION
    event_id: Id
    occurred_at: AwareDatetime
    product_id: Id
    locale: Locale
    causation_id: Id | None = Field(description="The draft's event_id, or null when written from scratch.")
    model_version: ShortText | None = None
    product: Product
    generated_text: Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION_CHARS)] | None = None
    approved_text: Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION_CHARS)] | None = None
    editor: ShortText
    action: Literal["approved_unchanged", "approved_edited", "written_by_human", "rejected"]

    @model_validator(mode="after")
    def _text_matches_action(self) -> DescriptionApproved:
        if self.action != "rejected" and not self.approved_text:
            raise ValueError(f"approved_text is required when action is {self.action!r}")
        if self.action in ("approved_unchanged", "approved_edited", "rejected") and self.generated_text is None:
            raise ValueError(f"generated_text is required when action is {self.action!r}")
        return self


class OffsetRange(Contract):
    """Half-open [start_offset, end_offset) of one partition: what a dataset was built from."""

    topic: ShortText
    partition: int = Field(ge=0)
    start_offset: int = Field(ge=0)
    end_offset: int = Field(ge=0)


class ModelPublished(Contract):
    """A trained version (key: model_version); consumers load it when ``promoted``."""

    schema_version: int = RECORD_SCHEMA_VERSION
    model_version: ShortText
    parent_version: ShortText | None = None
    base_model: ShortText
    artifact_uri: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    sha256: Sha256
    trained_on: list[OffsetRange] = []
    metrics: dict[ShortText, float] = {}
    promoted: bool
    reason: Annotated[str, StringConstraints(max_length=2000)]
    created_at: AwareDatetime


class DeadHeader(Contract):
    key: str
    value: str | None = Field(description="base64 of the raw header bytes")


class DeadLetter(Contract):
    """A record the consumer could not process, kept whole with the reason (key: original key)."""

    schema_version: int = RECORD_SCHEMA_VERSION
    event_type: Literal["record.dead_lettered"] = Field(
        "record.dead_lettered", description="Names the contract, so a reader need not know it from the topic."
    )
    original_topic: str
    original_partition: int = Field(ge=0)
    original_offset: int = Field(ge=0)
    original_key: str | None = Field(description="UTF-8 key, or base64 when key_encoding says so")
    key_encoding: Literal["utf-8", "base64"] = "utf-8"
    original_headers: list[DeadHeader] = []
    value: str | None = Field(description="The raw value: UTF-8 text, or base64 when value_encoding says so")
    value_encoding: Literal["utf-8", "base64"] = "utf-8"
    error_type: Literal[
        "invalid_json", "invalid_utf8", "validation", "unsupported_schema", "oversized", "adapter", "fetch", "processing", "writeback"
    ]
    error_message: Annotated[str, StringConstraints(max_length=10_000)]
    failed_at: AwareDatetime


ALL_CONTRACTS: dict[str, type[Contract]] = {
    "ProductEvent": ProductEvent,
    "DescriptionGenerated": DescriptionGenerated,
    "DescriptionSkipped": DescriptionSkipped,
    "DescriptionApproved": DescriptionApproved,
    "ModelPublished": ModelPublished,
    "DeadLetter": DeadLetter,
}
