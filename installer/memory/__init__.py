"""The memory subsystem: low-memory levels, zRAM swap, OOM protection, the memory log.

One job per module: `levels` (how much RAM, which level, refuse below the minimum),
`zram` (compressed swap in RAM on small machines), `oom` (the installer's own OOM
score and peak RSS), `sampler` (memory.log through the install), `phases` (the install's
phases and the per-phase peaks the log ends with) and `startup` (the order main.py runs
them in). Nothing here imports more than the standard library.
"""
