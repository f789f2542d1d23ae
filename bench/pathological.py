"""Time to import each pathological document (goal: under 2 s each, importing or failing cleanly).

.venv/bin/python bench/pathological.py
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django

django.setup()

from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402

from articles.importer import import_document  # noqa: E402
from tests.pathological import documents  # noqa: E402


def main():
    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        worst = 0.0
        print(f"{'document':24} {'bytes':>9} {'seconds':>8}  outcome")
        for name, data in documents():
            started = time.perf_counter()
            result = import_document(data, filename=name)
            elapsed = time.perf_counter() - started
            worst = max(worst, elapsed)
            print(f"{name:24} {len(data):>9,} {elapsed:8.2f}  {result.outcome}")
        print(f"slowest: {worst:.2f} s (goal: under 2 s)")
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
