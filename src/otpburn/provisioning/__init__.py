"""The use cases: a burn a user can trust, and what follows it.

Rooms, in the order of the job:
- `access`: readers, the per-user reader lock, and the token session every front end opens.
- `burn`: the family-neutral step core, one family burn per token family, the resilient burn that
  survives a dropped link, the checks before a write, and `flow` — the one burn every front end
  (burn, batch, fill, the window) goes through.
- `records`: the audit log, exports for identity systems, batch progress, Molto2 attempt counts.
- `enrollment`: registering a burned token in an identity system (`otpburn.registrars` does the talking).
- `batches`: many tokens (or a Molto2's profiles) from one seed file.
- `admin`: the Molto2's and OATH applets' own administration (delete, key change, reset, clocks).
- `verification`: a typed code checked against the seed, with its diagnosis, audited.

Nothing is imported here: a front end loads only the rooms it uses.
"""
