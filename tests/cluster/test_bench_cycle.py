"""The benchmark's simulated cycle really finishes both directions through the real steps (no timing)."""

from __future__ import annotations

from bench.cluster_cycle import FOLLOW_UP_S, original, ours


def test_simulated_cycle_finishes_with_a_few_invocations_each_way() -> None:
    result = ours(0.0)

    assert result["down"]["final"] == "done (gone)"
    assert result["up"]["final"] == "done (up)"
    # 10 minutes each way at one call every 5 minutes: a handful of invocations, not a busy loop.
    assert result["down"]["invocations"] <= 600 // FOLLOW_UP_S + 2
    # The rebuild is two runs (cluster, then full): one more call to start the second.
    assert result["up"]["invocations"] <= 600 // FOLLOW_UP_S + 3
    assert original()["down"]["invocations"] == 1
