"""The kickstart engine: loading (with %pre), validation, scripts, secrets, write-out."""
