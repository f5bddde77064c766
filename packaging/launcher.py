"""Entry point frozen by PyInstaller: the same `softphone` command as the pip-installed one."""

import multiprocessing
import sys

from softphone.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
