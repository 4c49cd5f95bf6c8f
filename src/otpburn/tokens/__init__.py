"""Token drivers, one module per family, each a session over a transport Channel."""
