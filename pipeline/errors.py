"""Errors shared by every stage.

Problems in the data are collected, never raised one by one: bad cells as
`validate.Rejection`, audit breaches as `audit.Finding`. `PipelineError`
subclasses are for problems that stop a whole file or run; `__main__` turns
them into one clear line (no traceback reaches the user).
"""

from __future__ import annotations


class PipelineError(Exception):
    """Something the user can fix; printed as one line without a traceback."""


class ConfigError(PipelineError):
    """A configuration file or key is wrong."""


class InputError(PipelineError):
    """A workbook or sheet cannot be read at all."""


class ValueParseError(ValueError):
    """A cell value cannot be read as the type its column needs.

    The message is the reason in Chinese, written for a union officer.
    """
