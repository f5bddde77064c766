"""Exit codes and the one-line error every command ends with when it cannot do its work."""

import sys

EXIT_OK = 0
EXIT_FAILURE = 1  # the engine, the history or an account could not work
# `softphone test`: a number's expectation did not hold (0: every expectation held).
EXIT_EXPECTATION_FAILED = 1
EXIT_USAGE = 2  # bad input: a target, an option, an account's values
EXIT_INTERRUPTED = 130  # Ctrl+C / SIGTERM; the call was ended by us and stored


def fail(message: str, code: int = EXIT_FAILURE) -> int:
    sys.stderr.write(f"softphone: error: {message}\n")
    return code
