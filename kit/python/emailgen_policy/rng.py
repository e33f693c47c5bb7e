"""The random source of a pick: SplitMix64, seeded from the pick's seed.

Python's own ``random.Random`` spends most of a Python policy's fixed cost
per pick on seeding (its Mersenne Twister fills 624 words from the seed:
4 µs natively, about 40,000 Wasm instructions in a component); SplitMix64
seeds by assignment and draws with a few integer operations. The same seed
gives the same draws on every platform."""
from __future__ import annotations

from typing import MutableSequence, Sequence, TypeVar

_MASK = (1 << 64) - 1
T = TypeVar("T")


class PickRng:
    """Draws for one pick: ``random()``, ``randrange(n)``, ``getrandbits(k)``,
    ``choice(seq)``, ``shuffle(list)``."""

    __slots__ = ("_state",)

    def __init__(self, seed: int) -> None:
        self._state = seed & _MASK

    def next_u64(self) -> int:
        """The next 64 random bits."""
        self._state = z = (self._state + 0x9E3779B97F4A7C15) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def random(self) -> float:
        """A float uniformly in [0, 1)."""
        return (self.next_u64() >> 11) * (1.0 / (1 << 53))

    def randrange(self, n: int) -> int:
        """An int uniformly in [0, n) (n below 2**32: the bias of taking the
        high bits of a 64-bit product is under 2**-32)."""
        if n <= 0:
            raise ValueError("empty range for randrange()")
        return (self.next_u64() * n) >> 64

    def getrandbits(self, k: int) -> int:
        """An int of ``k`` random bits."""
        bits, value = 0, 0
        while bits < k:
            value = (value << 64) | self.next_u64()
            bits += 64
        return value >> (bits - k)

    def choice(self, items: Sequence[T]) -> T:
        """One of ``items``, uniformly."""
        return items[self.randrange(len(items))]

    def shuffle(self, items: MutableSequence[T]) -> None:
        """Shuffles ``items`` in place (Fisher-Yates)."""
        for i in range(len(items) - 1, 0, -1):
            j = self.randrange(i + 1)
            items[i], items[j] = items[j], items[i]
