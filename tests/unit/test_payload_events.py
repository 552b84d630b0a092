"""The worker's event lines: a line that is no event is a clear payload error, not a crash."""
from __future__ import annotations

import pytest

from payload.events import MalformedEvent, PayloadEvent


def test_round_trip():
    event = PayloadEvent("install", "Installing a (1/2)", done=0.5, count=1, total=2)
    assert PayloadEvent.from_line(event.to_line()) == event


@pytest.mark.parametrize("line, why", [
    ("Traceback (most recent call last):\n", "Expecting value"),
    ('["install"]\n', "a JSON list, not an object"),
    ('{"kind": "install", "colour": "red"}\n', "unexpected keyword argument 'colour'"),
    ('{"message": "no kind"}\n', "kind"),
    ('{"kind": "install", "message": \n', "Expecting value"),
])
def test_malformed_lines_say_what_came(line, why):
    with pytest.raises(MalformedEvent) as caught:
        PayloadEvent.from_line(line)
    message = str(caught.value)
    assert message.startswith("the package installer process sent a malformed event")
    assert repr(line.strip()) in message and why in message and "packaging.log" in message


def test_a_long_line_is_shortened():
    with pytest.raises(MalformedEvent) as caught:
        PayloadEvent.from_line("x" * 5000)
    assert len(str(caught.value)) < 400
