"""Front ends: the urwid hub and spokes, and the cmdline front end."""
