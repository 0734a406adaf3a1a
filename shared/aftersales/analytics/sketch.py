"""Processing-time percentiles: a DDSketch (relative-accuracy quantiles, mergeable across buckets)
with a compact encoding of its bins of our own, so the `ddsketch` package needs no protobuf.

The sketch is built from a store we create and keep, so its bins are read through the store's
public attributes (`bins`, `offset`, `min_key`, `max_key`) and never through the sketch's own."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field

from ddsketch.ddsketch import BaseDDSketch
from ddsketch.mapping import LogarithmicMapping
from ddsketch.store import DenseStore

RELATIVE_ACCURACY = 0.01  # a 1 % error on any quantile; ~800 bins cover 1 s .. 90 days
_MAPPING = LogarithmicMapping(RELATIVE_ACCURACY)
_FORMAT = 1


@dataclass
class DurationSketch:
    """Seconds of processing time (≥ 1 s: a shorter time counts as one second)."""

    store: DenseStore = field(default_factory=DenseStore)
    sketch: BaseDDSketch = field(init=False)

    def __post_init__(self) -> None:
        self.sketch = BaseDDSketch(_MAPPING, self.store, DenseStore(), 0.0)

    def add(self, seconds: float, weight: int = 1) -> None:
        self.sketch.add(max(1.0, float(seconds)), weight)

    def merge(self, other: DurationSketch) -> None:
        if other.count:
            self.sketch.merge(other.sketch)

    @property
    def count(self) -> int:
        return round(self.sketch.count)

    def quantile(self, q: float) -> float | None:
        if not self.count:
            return None
        value = self.sketch.get_quantile_value(q)
        return None if value is None else round(float(value), 1)

    def encode(self) -> bytes:
        """zlib(JSON [format, first key, [count per key...]]) of the occupied key range."""
        if not self.count:
            return zlib.compress(json.dumps([_FORMAT, 0, []]).encode())
        first, last = self.store.min_key, self.store.max_key
        counts = [round(self.store.bins[k - self.store.offset]) for k in range(first, last + 1)]
        return zlib.compress(json.dumps([_FORMAT, first, counts], separators=(",", ":")).encode(), 9)

    @classmethod
    def decode(cls, blob: bytes | None) -> DurationSketch:
        out = cls()
        if not blob:
            return out
        fmt, first, counts = json.loads(zlib.decompress(blob))
        if fmt != _FORMAT:
            raise ValueError(f"unknown sketch format {fmt}")
        for offset, n in enumerate(counts):
            if n:
                key = first + offset
                # the bin's representative value maps back to the same key
                out.sketch.add(_MAPPING.value(key), n)
        return out
