"""A dict that forgets its least recently used entries past a size: per-product memory stays bounded.

A consumer runs for months over catalogs of millions of products; anything it remembers per
product (the approval deriver's last drafts, writeback's applied event ids) must have a ceiling.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedDict(OrderedDict, Generic[K, V]):
    def __init__(self, max_entries: int = 200_000):
        super().__init__()
        self.max_entries = max_entries

    def __setitem__(self, key: K, value: V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.max_entries:
            self.popitem(last=False)
