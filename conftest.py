# Loaded before pytest-django configures Django: tests always run in test mode.
import os

os.environ.setdefault("VPCASE_ENV", "test")
