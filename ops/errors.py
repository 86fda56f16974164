"""Errors an operator reads, and the exit codes of `python -m ops` (docs/deploy.md, "ops exit codes")."""

from __future__ import annotations

OK = 0
FAILED = 1  # the operation failed (AWS refused or is unreachable, unexpected error); see the message
USAGE = 2  # wrong arguments or an input file that cannot be read at all
NO_TARGET = 3  # the stack or the local runtime was not found, or lacks what the command needs
INCOMPLETE = 4  # done, but with rejected input rows or failed checks (listed in the output)


class OpsError(Exception):
    """A failure explained to the operator in one sentence (English), with the exit code it maps to."""

    def __init__(self, message: str, exit_code: int = FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code
