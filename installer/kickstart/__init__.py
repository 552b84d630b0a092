"""The kickstart engine: loading (with %pre), validation, scripts, secrets, write-out."""
from installer.kickstart.deferred_load import install as _defer_pykickstart_load

_defer_pykickstart_load()
