"""WSGI entry point in a checkout: `gunicorn -w 4 wsgi:app`, `flask --app wsgi ...` (portal/wsgi.py)."""

from portal.wsgi import app  # noqa: F401
