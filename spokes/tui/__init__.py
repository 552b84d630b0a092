"""The interactive text UI on urwid: hub, spokes, dialogs, progress screen."""
