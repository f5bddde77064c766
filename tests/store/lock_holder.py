"""Hold a SQLite file's write lock from another process, as a second program would.

Usage: python lock_holder.py DB. Takes ``BEGIN IMMEDIATE``, prints "locked" on stdout,
and keeps the lock until a line (or end of file) arrives on stdin.
"""

import sqlite3
import sys

con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("PRAGMA journal_mode = WAL")
con.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
con.execute("ROLLBACK")
con.close()
