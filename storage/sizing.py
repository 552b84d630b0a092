"""Sizes Anaconda users know: the recommended swap and the default autopart requests."""
from __future__ import annotations

from blivet.size import ROUND_DOWN, Size

GiB = Size("1 GiB")
#: Swap never takes more than this share of the disk space (Anaconda's ratio).
MAX_SWAP_DISK_RATIO = 0.1


def recommended_swap(memory: Size, disk_space: Size | None = None, hibernation: bool = False) -> Size:
    """2x RAM below 2 GiB, RAM up to 8 GiB, half of it up to 64 GiB, 4 GiB above;
    plus RAM with hibernation; at most a tenth of the disk space."""
    if memory < 2 * GiB:
        swap = memory * 2
    elif memory < 8 * GiB:
        swap = memory
    elif memory < 64 * GiB:
        swap = memory / 2
    else:
        swap = 4 * GiB
    if hibernation:
        swap += memory
    if disk_space is not None:
        swap = min(swap, Size(int(disk_space) * MAX_SWAP_DISK_RATIO))
    return swap.round_to_nearest(Size("1 MiB"), rounding=ROUND_DOWN)


ROOT_MIN, ROOT_MAX = Size("1 GiB"), Size("70 GiB")
HOME_MIN = Size("500 MiB")
HOME_NEEDS = Size("50 GiB")  # /home only gets its own volume with this much room
BOOT_SIZE = Size("1 GiB")
EFI_SIZE = Size("600 MiB")
BIOSBOOT_SIZE = Size("1 MiB")
