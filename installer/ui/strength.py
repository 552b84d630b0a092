"""A small password strength estimate shared by the disk passphrase and account dialogs.

Anaconda asks libpwquality; the boot image has no such binding, and a crude estimate that
names *why* a password is weak helps more than a bare score. The estimate is bits of
guessing work: the alphabet the characters come from, to the power of the length, with
repeats, runs ("abcd", "4321"), keyboard rows and well-known passwords counted as the one
guess they are. The thresholds follow common guidance (NIST SP 800-63B's minimum of 8
characters, about 60 bits for "good" against offline guessing).
"""
from __future__ import annotations

import math
import string
from dataclasses import dataclass

LABELS = ("Weak", "Weak", "Fair", "Good", "Strong")
#: Bits needed for scores 1..4.
THRESHOLDS = (20, 40, 60, 80)
MIN_LENGTH = 8

#: Passwords every guessing list starts with; a password made only of these counts as one.
COMMON = frozenset((
    "password", "passw0rd", "p@ssw0rd", "123456", "12345678", "123456789", "1234567890",
    "qwerty", "qwertyuiop", "asdfgh", "asdfghjkl", "zxcvbnm", "letmein", "welcome", "admin",
    "root", "toor", "iloveyou", "monkey", "dragon", "master", "secret", "changeme", "fedora",
    "linux", "redhat", "anaconda", "default", "abc123", "111111", "000000", "trustno1",
))
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")


@dataclass(frozen=True)
class Strength:
    score: int  # 0 (empty or trivial) .. 4
    label: str  # "Weak", "Fair", "Good", "Strong"
    reason: str  # what makes it weak, or why it is fine

    @property
    def acceptable(self) -> bool:
        """Good enough to take without asking "use it anyway?"."""
        return self.score >= 2


def _alphabet(password: str) -> int:
    size = 0
    if any(c in string.ascii_lowercase for c in password):
        size += 26
    if any(c in string.ascii_uppercase for c in password):
        size += 26
    if any(c in string.digits for c in password):
        size += 10
    if any(c in string.punctuation or c == " " for c in password):
        size += 33
    if any(ord(c) > 127 for c in password):
        size += 100
    return max(size, 1)


def _is_run(chunk: str) -> bool:
    """Consecutive characters up or down ("abc", "987") or along a keyboard row."""
    if len(chunk) < 3:
        return False
    steps = {ord(b) - ord(a) for a, b in zip(chunk, chunk[1:])}
    if steps in ({1}, {-1}):
        return True
    lowered = chunk.lower()
    return any(lowered in row or lowered in row[::-1] for row in KEYBOARD_ROWS)


def _effective_length(password: str) -> tuple[float, str]:
    """Length counting repeats and runs as one character each, and the pattern found."""
    effective, found = 0.0, ""
    i = 0
    while i < len(password):
        j = i + 1
        while j < len(password) and password[j] == password[i]:
            j += 1
        if j - i >= 3:
            effective, found, i = effective + 1, found or "repeated characters", j
            continue
        j = i + 3
        if j <= len(password) and _is_run(password[i:j]):
            while j < len(password) and _is_run(password[i:j + 1]):
                j += 1
            effective, found, i = effective + 1, found or "a sequence like abc or 123", j
            continue
        effective, i = effective + 1, i + 1
    return effective, found


def password_strength(password: str) -> Strength:
    """Score 0-4 with a label and a reason a person can act on."""
    if not password:
        return Strength(0, LABELS[0], "empty")
    lowered = password.lower()
    stripped = lowered.rstrip(string.digits + string.punctuation)
    if lowered in COMMON or stripped in COMMON:
        return Strength(0, LABELS[0], "a well-known password")
    effective, pattern = _effective_length(password)
    bits = effective * math.log2(_alphabet(password))
    score = sum(bits >= t for t in THRESHOLDS)
    if len(password) < MIN_LENGTH:
        score = min(score, 1)
        reason = f"shorter than {MIN_LENGTH} characters"
    elif pattern and score < 4:
        reason = f"contains {pattern}"
    elif score < 3:
        reason = "add more characters, or mix letters, digits and symbols"
    else:
        reason = f"about {int(bits)} bits of guessing work"
    return Strength(score, LABELS[score], reason)
