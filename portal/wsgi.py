"""WSGI entry point of the installed portal: `gunicorn -w 4 portal.wsgi:app`, `flask --app portal.wsgi ...`
(in a checkout `wsgi:app` and `--app wsgi` are the same, through ../wsgi.py)."""

import sys

from . import ConfigError, create_app

try:
    app = create_app()
except ConfigError as exc:  # fail fast, with the reason, not a traceback
    sys.stderr.write(f"PRR portal: configuration error: {exc}\n")
    raise SystemExit(2) from None
