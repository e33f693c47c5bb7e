"""The random source of a pick: bytes from BLAKE2b over the pick's seed and
a block counter, drawn 32 bits at a time.

Why not Python's own ``random.Random``: seeding its Mersenne Twister fills
624 words from the seed (4 µs natively, about 90,000 Wasm instructions in a
component). Why not an arithmetic generator in Python (SplitMix64 was
tried): in a 32-bit Wasm build of CPython every 64-bit multiply and mask is
a multi-digit integer operation, and a thread id's 128 bits cost 53,000
instructions. BLAKE2b is C inside the interpreter: one call gives 64 bytes,
enough for a whole pick, and a draw is a slice and ``int.from_bytes``. The
same seed gives the same draws on every platform."""
from __future__ import annotations

import hashlib
from typing import MutableSequence, Sequence, TypeVar

_MASK = (1 << 64) - 1
_BLOCK = 64
T = TypeVar("T")


class PickRng:
    """Draws for one pick: ``random()``, ``randrange(n)``, ``getrandbits(k)``,
    ``randbytes(n)``, ``choice(seq)``, ``shuffle(list)``."""

    __slots__ = ("_key", "_counter", "_block", "_at")

    def __init__(self, seed: int) -> None:
        self._key = (seed & _MASK).to_bytes(8, "little")
        self._counter = 0
        self._block = b""
        self._at = _BLOCK

    def _refill(self) -> None:
        counter = self._counter.to_bytes(8, "little")
        self._block = hashlib.blake2b(self._key + counter, digest_size=_BLOCK).digest()
        self._counter += 1
        self._at = 0

    def randbytes(self, n: int) -> bytes:
        """``n`` random bytes (at most 64 a call)."""
        if self._at + n > _BLOCK:
            self._refill()
        at = self._at
        self._at = at + n
        return self._block[at:at + n]

    def next_u32(self) -> int:
        """The next 32 random bits."""
        return int.from_bytes(self.randbytes(4), "little")

    # The two draws every pick makes read the block themselves: a Python
    # call costs thousands of instructions in a component.
    def random(self) -> float:
        """A float uniformly in [0, 1), in steps of 2**-32."""
        at = self._at
        if at > _BLOCK - 4:
            self._refill()
            at = 0
        self._at = at + 4
        return int.from_bytes(self._block[at:at + 4], "little") * 2.3283064365386963e-10

    def randrange(self, n: int) -> int:
        """An int uniformly in [0, n) (n below 2**16 for a bias under
        2**-16; the kit's draws are over lists of personas and deckies)."""
        if n <= 0:
            raise ValueError("empty range for randrange()")
        at = self._at
        if at > _BLOCK - 4:
            self._refill()
            at = 0
        self._at = at + 4
        return (int.from_bytes(self._block[at:at + 4], "little") * n) >> 32

    def getrandbits(self, k: int) -> int:
        """An int of ``k`` random bits."""
        value = int.from_bytes(self.randbytes((k + 7) // 8), "little") if k <= 512 else 0
        return value >> ((k + 7) // 8 * 8 - k)

    def choice(self, items: Sequence[T]) -> T:
        """One of ``items``, uniformly."""
        return items[self.randrange(len(items))]

    def shuffle(self, items: MutableSequence[T]) -> None:
        """Shuffles ``items`` in place (Fisher-Yates)."""
        for i in range(len(items) - 1, 0, -1):
            j = self.randrange(i + 1)
            items[i], items[j] = items[j], items[i]
