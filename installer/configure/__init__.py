"""Configuration of the installed system from the kickstart model."""
