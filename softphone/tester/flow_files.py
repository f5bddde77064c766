"""Which flow each number runs: the list's ``flow`` column (relative to the list file), else
the run's ``--flow``. Every flow is loaded here, before any call, so a flow that does not
load refuses the run in one line naming the row (and the flow's own error)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from softphone.flows import FlowError, load_flow
from softphone.tester.jobs import Job, ListError


def with_flows(jobs: list[Job], list_dir: Path | None, default: str | None) -> list[Job]:
    """``jobs`` with ``flow`` as the absolute path each one runs ("" = none); ListError."""
    loaded: dict[Path, str] = {}  # path -> error ("" = loads)

    def check(path: Path) -> str:
        if path not in loaded:
            try:
                load_flow(path)
                loaded[path] = ""
            except FlowError as exc:
                loaded[path] = str(exc)
        return loaded[path]

    fallback = Path(default).expanduser().resolve() if default else None
    if fallback is not None and (problem := check(fallback)):
        raise ListError(f"--flow: {problem}")
    out: list[Job] = []
    for job in jobs:
        path = fallback
        if job.flow:
            written = Path(job.flow).expanduser()
            if not written.is_absolute():
                written = (list_dir or Path.cwd()) / written
            path = written.resolve()
            if problem := check(path):
                raise ListError(f"{job.where or job.target}, column flow: {problem}")
        out.append(dataclasses.replace(job, flow=str(path) if path else ""))
    return out


def needs_flow(jobs: list[Job]) -> Job | None:
    """The first job that expects an AMD verdict but runs no flow (it could never get one)."""
    return next((j for j in jobs if j.expect and j.expect.kind == "amd" and not j.flow), None)
