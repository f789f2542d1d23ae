"""Fresh, empty databases for benchmarks: a new SQLite file, or a PostgreSQL database dropped and created again."""

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def reset(url: str, env: dict) -> None:
    """Make the database at ``url`` exist, empty, and migrated (``env`` is the environment to migrate with)."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path[1:] if parts.path.startswith("//") else parts.path)
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
    else:
        import psycopg

        name = parts.path.lstrip("/")
        maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env={**env, "DATABASE_URL": url}, check=True)


def reachable(url: str) -> bool:
    if urlsplit(url).scheme.startswith("sqlite"):
        return True
    import psycopg

    parts = urlsplit(url)
    try:
        psycopg.connect(urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True
