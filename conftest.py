"""Root pytest configuration: shared fixtures every package's tests may use (pytest only reads
`pytest_plugins` from the top-level conftest)."""

pytest_plugins = ["fitjourney_common.testing.pytest_plugin"]
