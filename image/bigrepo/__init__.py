"""A synthetic, Fedora-sized RPM repository for scale measurements.

The repository metadata describes ~20,000 packages with a layered, power-law dependency graph,
but only the packages that the `scale-core` comps group pulls in exist as real (tiny) RPMs:
enough for dnf to load, depsolve and actually install a realistic closure, cheaply.
Entry point: `image.bigrepo.generate.ensure_bigrepo`.
"""
