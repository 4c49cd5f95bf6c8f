"""The burn a user can trust: reader choice, preflight, the burn steps, read-back, verification."""
