"""CLI command groups: every module here defines `register(app)` and is picked up by service.cli."""
