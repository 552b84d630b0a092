"""The installer core: start-up, boot options, kickstart, task queue, logging."""

__version__ = "0.1.0"
