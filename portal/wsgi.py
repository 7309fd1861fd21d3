"""WSGI entry point for production servers: ``gunicorn -w 4 -b 127.0.0.1:5000 portal.wsgi:app``."""

from .app import create_app

app = create_app()
