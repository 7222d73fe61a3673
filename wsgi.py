"""WSGI entry point: `gunicorn -w 4 wsgi:app`, `flask --app wsgi ...`."""
import sys

from portal import ConfigError, create_app

try:
    app = create_app()
except ConfigError as exc:  # fail fast, with the reason, not a traceback
    sys.stderr.write(f"PRR portal: configuration error: {exc}\n")
    raise SystemExit(2) from None
