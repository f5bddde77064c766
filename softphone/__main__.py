import sys

if sys.argv[1:] == ["--version"]:
    # Answered before the command line's grammar is even imported (issue 16: < 60 ms);
    # the same text as the parser's --version action.
    from softphone import __version__

    print(f"softphone {__version__}")
    sys.exit(0)

from softphone.cli import main

sys.exit(main())
