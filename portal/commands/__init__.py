"""CLI command groups.  Each module here exposes ``command`` (a click command or group);
``portal.cli`` discovers and registers them all, so adding a module adds a command."""
