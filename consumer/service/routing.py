"""Route: decide, before spending any GPU time, whether an event needs a new draft at all.

Skip reasons (each counted in copydesk_events_skipped_total{reason} and logged):
- ``stale``: a lower sequence than one already handled for this product/locale/channel;
- ``human_text`` / ``locked``: a person wrote or locked the description - never overwrite it;
- ``own_write``: our own draft coming back after the PIM applied it, prompt inputs unchanged;
- ``unchanged``: the prompt inputs are the same as for the last draft (e.g. only stock changed);
- ``duplicate``: the very event already handled (a redelivery): its outcome exists, none is added;
- ``ignored``: (set by the consumer) a platform record that is no product create/update at all,
  e.g. a deletion or a price message on a shared subscription.

The state is one small entry per product/locale/channel, bounded by an LRU, and rebuilt on
start from the descriptions topic (see state_store.py), so a restart routes the same way.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from schemas import ProductEvent
from schemas.prompt import input_hash

Key = tuple[str, str, str]

SKIP_REASONS = ("stale", "locked", "human_text", "own_write", "unchanged", "duplicate", "ignored")


@dataclass
class Seen:
    sequence: int
    input_hash: str | None


@dataclass(frozen=True)
class Route:
    generate: bool
    reason: str
    input_hash: str


class RouteState:
    """Last handled sequence and last drafted input hash per (product_id, locale, channel)."""

    def __init__(self, max_entries: int = 200_000):
        self.max_entries = max_entries
        self._seen: OrderedDict[Key, Seen] = OrderedDict()
        self._handled: OrderedDict[str, None] = OrderedDict()  # event ids with an outcome, newest last

    def __len__(self) -> int:
        return len(self._seen)

    def get(self, key: Key) -> Seen | None:
        seen = self._seen.get(key)
        if seen is not None:
            self._seen.move_to_end(key)
        return seen

    def handled(self, event_id: str) -> bool:
        return event_id in self._handled

    def mark_handled(self, event_id: str) -> None:
        """This event has (or is getting) an outcome: a redelivery of it must not add another."""
        self._handled[event_id] = None
        self._handled.move_to_end(event_id)
        while len(self._handled) > self.max_entries:
            self._handled.popitem(last=False)

    def remember(self, key: Key, sequence: int, drafted_hash: str | None = None, event_id: str | None = None) -> None:
        """Record a handled event; keep the drafted hash unless this one produced a draft."""
        if event_id is not None:
            self.mark_handled(event_id)
        previous = self._seen.get(key)
        if previous is not None and sequence < previous.sequence:
            return
        keep_hash = drafted_hash if drafted_hash is not None else (previous.input_hash if previous else None)
        self._seen[key] = Seen(sequence, keep_hash)
        self._seen.move_to_end(key)
        while len(self._seen) > self.max_entries:
            self._seen.popitem(last=False)


    def forget_event(self, key: Key, event_id: str) -> None:
        """An event handed over unfinished (a rebalance): no outcome exists, so its redelivery must generate."""
        self._handled.pop(event_id, None)
        self.forget_draft(key)

    def forget_draft(self, key: Key) -> None:
        """The draft for this key was never published (generation failed): allow a new one."""
        if key in self._seen:
            self._seen[key].input_hash = None


def state_key(event: ProductEvent) -> Key:
    return (event.product_id, event.locale, event.channel)


def route(event: ProductEvent, state: RouteState) -> Route:
    """Decide and record in one step, so a duplicate later in the same poll routes as unchanged."""
    key = state_key(event)
    digest = input_hash(event.product, event.locale, event.channel)
    seen = state.get(key)
    product = event.product
    if state.handled(event.event_id):
        return Route(False, "duplicate", digest)
    if seen is not None and event.sequence < seen.sequence:
        state.mark_handled(event.event_id)
        return Route(False, "stale", digest)
    if product.description_locked:
        decision = Route(False, "locked", digest)
    elif product.description and product.description_origin == "human":
        decision = Route(False, "human_text", digest)
    elif seen is not None and seen.input_hash == digest:
        decision = Route(False, "own_write" if product.description_origin == "copydesk" else "unchanged", digest)
    else:
        decision = Route(True, "generate", digest)
    state.remember(key, event.sequence, digest if decision.generate else None, event.event_id)
    return decision
