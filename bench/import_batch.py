"""Import N generated articles with `manage.py import_article` in a fresh process and database;
report the time and the peak memory (RSS) of that process.

    .venv/bin/python bench/import_batch.py 1000 [10000 …]
    DATABASE_URL=postgres://… .venv/bin/python bench/import_batch.py 1000   # that database, emptied first

Each article is the seed with its own title, link identity and a line of its own, so every
file is a real create through the whole pipeline (parse, persist, link).
"""

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import reset  # noqa: E402

SEED = (ROOT / "samples" / "000_5ed6fe22a0f5a53e.txt").read_text(encoding="utf-8")


def write_corpus(folder: Path, count: int, first: int = 0) -> None:
    for number in range(first, first + count):
        text = SEED.replace("mid=2455853887", f"mid={3_000_000_000 + number}", 1)
        text = text.replace("# OpenAI 联创", f"# 第 {number} 篇：OpenAI 联创", 1)
        text = text.replace("前天，", f"（第 {number} 篇）前天，", 1)
        (folder / f"{number:06d}.md").write_text(text, encoding="utf-8")


PYTHON = sys.executable


def import_corpus(folder: Path, var_dir: Path) -> tuple[float, float]:
    """Time and peak RSS of one import, measured by a fresh child so runs do not mix."""
    env = {**os.environ, "ARCHIVE_VAR_DIR": str(var_dir), "DJANGO_SECRET_KEY": "bench", "DJANGO_ALLOWED_HOSTS": "x"}
    reset(env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'db.sqlite3'}", env)
    measured = subprocess.run(
        [PYTHON, __file__, "--measure", str(folder)], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    elapsed, peak_mb = measured.stdout.split()
    return float(elapsed), float(peak_mb)


def measure(folder: str) -> None:
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "manage.py", "import_article", "-v", "0", folder], cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )
    elapsed = time.perf_counter() - started
    print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def main():
    if sys.argv[1:2] == ["--measure"]:
        return measure(sys.argv[2])
    counts = [int(arg) for arg in sys.argv[1:] if arg.isdigit()] or [1000]
    print(f"{'files':>7} {'seconds':>8} {'files/s':>8} {'peak RSS MB':>12}")
    for count in counts:
        with tempfile.TemporaryDirectory() as corpus, tempfile.TemporaryDirectory() as var_dir:
            write_corpus(Path(corpus), count)
            elapsed, peak_mb = import_corpus(Path(corpus), Path(var_dir))
            print(f"{count:>7} {elapsed:8.1f} {count / elapsed:8.1f} {peak_mb:12.1f}", flush=True)


if __name__ == "__main__":
    main()
