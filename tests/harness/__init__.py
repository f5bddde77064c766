"""The test suite's own strictness: pytest hooks and helpers shared by every test."""
