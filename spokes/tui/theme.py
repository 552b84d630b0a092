"""Palette and geometry. Every entry has a monochrome form (the 4th field) for serial
terminals without colours: there focus is reverse video and marks are bold."""
from __future__ import annotations

MIN_COLS, MIN_ROWS = 80, 24

PALETTE = [
    # name, foreground, background, monochrome
    ("header", "white", "dark blue", "standout"),
    ("footer", "black", "light gray", "standout"),
    ("focus", "black", "light cyan", "standout"),
    ("category", "bold", "", "bold"),
    ("mandatory", "light red", "", "bold"),
    ("complete", "light green", "", ""),
    ("error", "light red", "", "bold"),
    ("warning", "yellow", "", "bold"),
    ("dim", "dark gray", "", ""),
    ("dialog", "black", "light gray", ""),
]
