"""copydesk's event contracts and topic layout, shared by the consumer and the trainer."""

from schemas.errors import describe_validation_error
from schemas.events import (
    SCHEMA_VERSION,
    CheckResult,
    CopyFields,
    DeadLetter,
    DescriptionApproved,
    DescriptionGenerated,
    DescriptionSkipped,
    ModelPublished,
    OffsetRange,
    Product,
    ProductEvent,
    Timings,
)

__all__ = [
    "SCHEMA_VERSION",
    "CheckResult",
    "CopyFields",
    "DeadLetter",
    "DescriptionApproved",
    "DescriptionGenerated",
    "DescriptionSkipped",
    "ModelPublished",
    "OffsetRange",
    "Product",
    "ProductEvent",
    "Timings",
    "describe_validation_error",
]
