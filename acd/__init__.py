"""The controller: ARI client, call sessions, wiring, HTTP API, CLI."""
