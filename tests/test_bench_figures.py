"""How bench/run.py turns alternating rounds into a figure: round by round, so that one round the
machine stalled is one outlier among the rounds' ratios, not a weight on their mean."""

from bench.run import figure, paired


def rounds(*values: float) -> list[dict]:
    return [{"rps": value, "p95_ms": value} for value in values]


def test_a_figure_is_the_median_of_the_ratios_of_rounds_measured_side_by_side():
    measured = {"article": rounds(100, 110, 90), "trivial": rounds(1000, 1000, 1000)}

    pair = paired(measured, "article", "trivial", "rps")

    assert pair == {
        "ratio": 0.1, "low": 0.09, "high": 0.11, "rounds": 3, "measured_median": 100, "reference_median": 1000,
    }  # fmt: skip


def test_one_round_disturbed_on_one_side_is_an_outlier_of_the_spread_not_a_weight_on_the_figure():
    # The machine paused while the fourth round's article page was loaded: its p95 tripled.
    measured = {"search": rounds(300, 310, 290, 305, 295), "article": rounds(200, 200, 200, 600, 200)}

    pair = paired(measured, "search", "article", "p95_ms")

    assert pair["ratio"] == 1.475  # 295 ÷ 200: a mean of the rounds' ratios would say 1.3
    assert pair["low"] == 305 / 600
    assert figure(pair, "ms", digits=1) == "1.48 (0.51–1.55 over 5 rounds; medians 300.0 and 200.0 ms)"


def test_rounds_are_paired_in_the_order_they_ran():
    # The machine was slower in the second round, for both sides.
    measured = {"article": rounds(60, 50), "trivial": rounds(600, 1000)}

    pair = paired(measured, "article", "trivial", "rps")

    assert (pair["low"], pair["high"]) == (0.05, 0.1)  # each side's runs sorted apart would give 0.06 and 0.083
