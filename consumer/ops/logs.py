"""structlog JSON logs, one object per line; lines about one event carry its event_id and product_id.

Secrets are scrubbed by key name before rendering, so a settings dump or an exception that
carries a password can't leak it into the log pipeline.
"""

from __future__ import annotations

import logging
import os
import sys

import structlog

_SECRET_KEYS = ("password", "secret", "token", "sasl_plain_password", "api_key")


def _scrub_secrets(_, __, event_dict: dict) -> dict:
    for key in list(event_dict):
        if any(marker in key.lower() for marker in _SECRET_KEYS):
            event_dict[key] = "**********"
    return event_dict


def configure_logging(level: str = "info", stream=None) -> None:
    """JSON, one object per line, to stream (stderr by default: stdout stays free for a command's
    own output, e.g. `adapt`; `serve` logs to stdout, where its log is its output).

    Everything that would otherwise land between the JSON lines is routed through the same
    renderer: the standard library's loggers (kafka-python, transformers) and Python warnings
    (a dependency's DeprecationWarning, a FutureWarning). Progress bars are switched off.
    """
    stream = stream or sys.stderr
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_log_level, structlog.stdlib.add_logger_name,
                               structlog.processors.TimeStamper(fmt="iso", utc=True), _scrub_secrets],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, structlog.processors.JSONRenderer(default=str)],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.captureWarnings(True)
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
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str | None = None, **bound):
    return structlog.get_logger(name).bind(**bound) if bound else structlog.get_logger(name)
