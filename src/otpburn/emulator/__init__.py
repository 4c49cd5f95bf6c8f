"""Card-side emulated tokens, fault injection, and the bridge to pcscd through vpcd.

The emulator is an independent implementation of the card side: it never imports
`otpburn.tokens`.
"""
