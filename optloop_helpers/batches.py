"""Mini-batches: the shuffled batches of one epoch, in exactly the order a ``DataLoader`` yields them.

``fit(..., batch_size=k)`` trains on these. They are the batches of
``DataLoader(TensorDataset(X, y), batch_size=k, shuffle=True, generator=generator)``, drawn from the same
random numbers (tested bit for bit), without building a ``DataLoader`` every epoch.

Example::

    >>> import torch
    >>> generator = torch.Generator().manual_seed(0)
    >>> [batch.tolist() for batch in shuffled_batches(5, 2, generator)]
    [[3, 1], [0, 4], [2]]
    >>> check_batch_size(50, 40)
    Traceback (most recent call last):
    ...
    ValueError: batch_size must be None (the full batch) or an integer between 1 and 40 (the number of training samples), got 50
"""

from __future__ import annotations

from typing import Any

import torch


def check_batch_size(batch_size: Any, n: int) -> int | None:
    """Return ``batch_size``: None (the full batch) or an integer from 1 to ``n``, the number of samples."""
    allowed = f"None (the full batch) or an integer between 1 and {n} (the number of training samples)"
    if batch_size is None:
        return None
    if not isinstance(batch_size, int) or isinstance(batch_size, bool):
        raise TypeError(f"batch_size must be {allowed}, got {batch_size!r} of type {type(batch_size).__name__}")
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be {allowed}, got {batch_size!r}")
    return batch_size


def check_generator(generator: Any) -> torch.Generator | None:
    """Return ``generator``: a ``torch.Generator`` (e.g. ``torch.Generator().manual_seed(0)``) or None."""
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError("generator must be a torch.Generator (e.g. torch.Generator().manual_seed(0)) or None "
                        f"(shuffle with torch's global random numbers), got {generator!r}")
    return generator


def shuffled_batches(n: int, batch_size: int, generator: torch.Generator | None = None) -> list[torch.Tensor]:
    """The sample indices of one epoch's batches, as ``DataLoader(..., shuffle=True, generator=generator)`` draws them.

    Every epoch a ``DataLoader`` iterator first draws a base seed for its workers, then ``RandomSampler`` draws a
    random permutation of the ``n`` samples and, once it is used up, one more that it drops; all from
    ``generator`` (without one: the base seed from torch's global random numbers, the permutations from a fresh
    generator seeded from them). The last batch is smaller when ``batch_size`` does not divide ``n``.
    """
    torch.empty((), dtype=torch.int64).random_(generator=generator)  # the DataLoader iterator's base seed
    if generator is None:  # RandomSampler without a generator: one seeded from the global random numbers
        seed = int(torch.empty((), dtype=torch.int64).random_().item())
        generator = torch.Generator()
        generator.manual_seed(seed)
    order = torch.randperm(n, generator=generator)
    torch.randperm(n, generator=generator)  # RandomSampler draws (and drops) one more at the end of each pass
    return list(order.split(batch_size))
