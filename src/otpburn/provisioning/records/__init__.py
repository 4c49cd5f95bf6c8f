"""What a burn leaves behind besides the token: the audit log, exports for identity systems, batch
progress and the Molto2 attempt counts. Nothing here ever holds a secret in clear but an export."""
