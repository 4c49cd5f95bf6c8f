"""Many tokens from one seed file, one after another, or many accounts into one Molto2's profiles."""
