"""HTTP client library, CLI and menu."""
