"""The deployment samples' tests use the app's fixtures (the test database, settings)."""

from tests.autoreply.conftest import _in_process, static_root  # noqa: F401
