"""Storage: the blivet device tree, kickstart storage, planning and execution."""
