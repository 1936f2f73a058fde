"""The quality gate: how well `ficarchive.rescue` recovers real stories.

Gold comes from ``../shared/corpus`` (never copied here).  Each antennapedia story is
degraded into four old-web shapes (`degrade`), rescued, and scored field by field
(`score`) next to two baselines (`baselines`); the usenet files are rescued as found
and scored against the collection's own descriptions (`usenet`).  Floors live in
`floors`; ``python -m benchmarks.quality`` prints the tables (`gate`), and
docs/quality.md explains the method.
"""
