"""The private journal of glimmers: a crash-safe local SQLite store, export/import, resurfacing and a report."""
