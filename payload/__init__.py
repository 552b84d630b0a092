"""The DNF payload: sources, %packages, depsolve, download and the RPM transaction."""
