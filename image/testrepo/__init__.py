"""Builder of the bundled test repository: Debian 12 packages rewrapped as RPMs."""
