"""gunicorn settings for the workflow host (docs/deploy.md): `gunicorn -c deploy/gunicorn.conf.py`.

Every value can be overridden on the command line or through the environment variables named below."""

from __future__ import annotations

import os

wsgi_app = "workflow_host:create_app()"
bind = os.environ.get("BIND", "127.0.0.1:8000")  # behind nginx or another TLS-terminating proxy
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # one per core is right: a step is CPU-bound Python
# Threads let a worker overlap its requests' waits on PostgreSQL (commit, locks); the engine and SQLAlchemy
# sessions are per request, and the warm-instance cache is locked, so threads are safe.
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 60  # a step that runs longer than this is stuck (the sandbox stops scripts long before)
graceful_timeout = 30
keepalive = 5
max_requests = 20000  # recycle workers now and then (fragmentation of long-lived Python processes)
max_requests_jitter = 2000
preload_app = False  # each worker opens its own database pool after the fork; never share sockets across forks
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
