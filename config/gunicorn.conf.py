"""gunicorn settings; every value can be overridden on the command line or with GUNICORN_CMD_ARGS.

Synchronous workers: each handles one request at a time, so the database connections stay
few and a worker that dies costs at most the one request it held (the master starts
another). Behind a reverse proxy (README "Deploy") that buffers slow clients and keeps
their connections alive, that is all a Django site like this one needs.
"""

import os


def _cores() -> int:
    # The cores this process may run on (a container's or taskset's limit), not the host's.
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The usual rule for synchronous workers; capped so a large host does not open more database
# connections than PostgreSQL allows by default.
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * _cores() + 1, 9)))
# A request still running after this long is stuck: its worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
# On SIGTERM (a deploy, a restart) requests in flight get this long to finish.
graceful_timeout = 20
# Workers are recycled after about this many requests, at staggered times, so that whatever
# a process accumulates (memory fragmentation, a slow leak in a library) never builds up.
max_requests = 2000
max_requests_jitter = 200
# Both logs to the console, for systemd's journal or the container runtime; the access log
# ends with the time taken in milliseconds.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
# The workers' heartbeat files on tmpfs: on a busy disk a slow write can make the master
# take a healthy worker for a stuck one.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn's control socket has one default path per user: several servers on one host
# would take it from each other. Processes are managed with signals (systemd, kill -HUP).
control_socket_disable = True
wsgi_app = "config.wsgi:application"
