"""structlog JSON logs, one object per line, with event_id / product_id bound where known.

Secrets are scrubbed by key name before rendering, so a settings dump or an exception that
carries a password can't leak it into the log pipeline.
"""

from __future__ import annotations

import logging
import sys

import structlog

_SECRET_KEYS = ("password", "secret", "token", "sasl_plain_password", "api_key")


def _scrub_secrets(_, __, event_dict: dict) -> dict:
    for key in list(event_dict):
        if any(marker in key.lower() for marker in _SECRET_KEYS):
            event_dict[key] = "**********"
    return event_dict


def configure_logging(level: str = "info", stream=None) -> None:
    """JSON to stderr (stdout stays free for a command's own output, e.g. `adapt`)."""
    logging.basicConfig(level=level.upper(), stream=stream or sys.stderr, format="%(message)s")
    # kafka-python logs every reconnect attempt at WARNING/ERROR; our own log says what matters.
    logging.getLogger("kafka").setLevel(logging.CRITICAL if level != "debug" else logging.INFO)
    for noisy in ("transformers", "urllib3", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING if level != "debug" else logging.INFO)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _scrub_secrets,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(sort_keys=False, default=str),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level.upper()]),
        logger_factory=structlog.PrintLoggerFactory(stream or sys.stderr),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str | None = None, **bound):
    return structlog.get_logger(name).bind(**bound) if bound else structlog.get_logger(name)
