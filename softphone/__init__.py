"""softphone: a desktop SIP softphone whose calls are VoIPBIN-shaped Call objects."""

__version__ = "0.1.0"
