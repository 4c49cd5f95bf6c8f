"""The burn: the family-neutral step core (`steps`), one family burn each (`token2`, `oath`, `molto2`),
clock writes on the second (`clock_write`), the burn that survives a dropped link (`resilient`), the
checks before anything is written (`checks`, `pc_clock`), and the one flow every front end uses (`flow`)."""
