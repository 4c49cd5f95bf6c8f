"""A token's own administration, each step in the audit log whichever front end asked: a Molto2's
profiles, customer key, factory reset and clocks; an OATH applet's credentials."""
