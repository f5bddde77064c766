"""The number tester: jobs, engine worker processes, results, reports. May import the
model, flows and the store, and spawns engine workers; never Qt (DESIGN.md, pyproject's
contracts)."""
