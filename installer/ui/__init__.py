"""What the interactive front end edits and asks the installer for, kept out of spokes/.

spokes/ may import only installer/ (DESIGN.md layering), so everything a spoke needs from
storage, payload or the system (disk listings, comps, depsolve, language tables, time
zones) is offered here as plain data and functions.
"""
