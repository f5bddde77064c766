"""Errors a flow reports: one line each, naming where it went wrong."""

from __future__ import annotations


class FlowError(ValueError):
    """A flow file that cannot run (its path, the action's index and field in the text)."""


class ActionFailed(RuntimeError):
    """An action could not do its work on this call (no voice for talk, a missing file)."""
