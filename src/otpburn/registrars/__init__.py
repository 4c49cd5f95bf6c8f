"""Registering burned tokens in identity systems: one module per system behind one small interface.

`base` holds the interface and its records, `factory` opens the registrar a registrar-file section
names, `settings` reads that file, `http` is the guarded connection every registrar uses. This
package imports nothing itself, so importing one of them loads only what that one needs.
"""
