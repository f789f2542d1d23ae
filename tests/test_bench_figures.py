"""How bench/run.py turns alternating rounds into a figure: round by round, so one bad round moves
the spread it reports, not the figure."""

from bench.run import figure, paired


def rounds(*values: float) -> list[dict]:
    return [{"rps": value, "p95_ms": value} for value in values]


def test_a_figure_is_the_median_of_the_ratios_of_rounds_measured_side_by_side():
    measured = {"article": rounds(100, 110, 90), "trivial": rounds(1000, 1000, 1000)}

    pair = paired(measured, "article", "trivial", "rps")

    assert pair == {"ratio": 0.1, "low": 0.09, "high": 0.11, "rounds": 3, "ours": 100, "theirs": 1000}


def test_one_round_disturbed_on_one_side_moves_the_spread_not_the_figure():
    # The machine paused while the fourth round's article page was loaded: its p95 tripled.
    measured = {"search": rounds(300, 310, 290, 305, 295), "article": rounds(200, 200, 200, 600, 200)}

    pair = paired(measured, "search", "article", "p95_ms")

    assert pair["ratio"] == 1.475  # 295 ÷ 200: a mean of the rounds' ratios would say 1.3
    assert pair["low"] == 305 / 600
    assert figure(pair, "ms", digits=1) == "1.48 (0.51–1.55 over 5 rounds; 300.0 ÷ 200.0 ms)"


def test_rounds_are_paired_in_the_order_they_ran():
    measured = {"article": rounds(50, 200), "trivial": rounds(100, 400)}

    assert paired(measured, "article", "trivial", "rps")["high"] == 0.5  # not 200 ÷ 100
