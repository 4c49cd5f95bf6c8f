"""Command-line front end: parses input, calls the layers below, renders results."""
