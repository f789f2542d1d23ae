"""Mention detection per article with a registry of 10,000 people ÷ with 20 (goal ≤ 1.5).

    .venv/bin/python bench/detection.py

The 20 are the sample registry's 19 and one synthetic person; the 10,000 add synthetic people with Latin and Chinese
names and aliases. The article is the seed. Building the matcher happens once per
registry change and is reported apart.
"""

import random
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articles.folding import fold  # noqa: E402
from articles.parsing import parse_document  # noqa: E402
from people.detection import AliasEntry, Matcher  # noqa: E402

GIVEN = "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara".split()
FAMILY = "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Lopez".split()
HAN = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"


def sample_entries() -> list[AliasEntry]:
    registry = yaml.safe_load((ROOT / "samples" / "people.yaml").read_text(encoding="utf-8"))
    return [
        AliasEntry(fold(alias["text"]), number, alias.get("ambiguous", False), alias["text"].isascii())
        for number, person in enumerate(registry)
        for alias in person["aliases"]
    ]


def synthetic_entries(count: int, first_id: int) -> list[AliasEntry]:
    rng = random.Random(7)
    entries = []
    for number in range(count):
        person = first_id + number
        given, family = rng.choice(GIVEN), f"{rng.choice(FAMILY)}{number}"
        han = "".join(rng.choice(HAN) for _ in range(3)) + str(number)
        entries += [
            AliasEntry(fold(f"{given} {family}"), person, False, True),
            AliasEntry(fold(family), person, False, True),
            AliasEntry(fold(given), person, True, False),
            AliasEntry(fold(han), person, False, False),
        ]
    return entries


def time_per_article(matcher: Matcher, text: str, rounds: int) -> float:
    matcher.detect(text)  # warm up
    started = time.perf_counter()
    for _ in range(rounds):
        matcher.detect(text)
    return (time.perf_counter() - started) / rounds


def main():
    body = parse_document((ROOT / "samples" / "000_5ed6fe22a0f5a53e.txt").read_bytes(), "seed").body
    small_entries = sample_entries() + synthetic_entries(1, first_id=100)  # 19 + 1 = 20 people
    large_entries = small_entries + synthetic_entries(10_000 - 20, first_id=101)
    started = time.perf_counter()
    small = Matcher(small_entries)
    large = Matcher(large_entries)
    built = time.perf_counter() - started
    rounds = 200
    # Interleave the two measurements so machine noise hits both alike.
    small_times, large_times = [], []
    for _ in range(5):
        small_times.append(time_per_article(small, body, rounds))
        large_times.append(time_per_article(large, body, rounds))
    small_ms, large_ms = min(small_times) * 1000, min(large_times) * 1000
    print(f"registry of 20 people ({len(small_entries)} aliases):        {small_ms:.2f} ms per article")
    print(f"registry of 10,000 people ({len(large_entries)} aliases): {large_ms:.2f} ms per article")
    print(f"ratio 10,000 ÷ 20: {large_ms / small_ms:.2f} (goal ≤ 1.5); building both matchers took {built:.2f} s")


if __name__ == "__main__":
    main()
