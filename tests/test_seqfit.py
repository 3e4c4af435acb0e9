"""helpers.bench.seqfit: the search for the longest trainable length, and one real probe (a
fresh process training the micro model with the kit) so the GPU run's plumbing is exercised."""

from __future__ import annotations

import pytest

from helpers.bench.seqfit import long_record, longest_that_fits, probe_case, run_probe


@pytest.mark.parametrize("limit", [0, 100, 256, 700, 1024, 5000, 8192, 10_000])
def test_search_finds_the_largest_fitting_multiple_of_step(limit):
    calls = []

    def fits(n):
        calls.append(n)
        return n <= limit

    longest, tried = longest_that_fits(fits, step=256, max_len=8192)
    assert longest == min(limit, 8192) // 256 * 256
    assert all(tried[n] == (n <= limit) for n in tried)
    assert len(calls) == len(set(calls)) <= 12  # each length once, logarithmically many


@pytest.mark.parametrize("step, max_len", [(0, 8192), (-256, 8192), (512, 256)])
def test_bad_search_bounds_are_a_clear_error(step, max_len):
    with pytest.raises(ValueError, match="need 0 < step <= max_len"):
        longest_that_fits(lambda n: True, step=step, max_len=max_len)


def test_bad_budget_is_refused_before_any_probe(capsys):
    from helpers.bench.seqfit import main

    with pytest.raises(SystemExit):
        main(["--model", "micro", "--budget-gib", "0"])
    assert "--budget-gib must be positive" in capsys.readouterr().err


def test_long_record_really_has_the_tokens(small_tokenizer):
    from helpers.chat import ChatEncodingConfig, encode_records

    record = long_record(small_tokenizer, 600)
    n = len(encode_records(small_tokenizer, [record], ChatEncodingConfig(max_length=10**6))
            .examples[0]["input_ids"])
    assert n >= 600 and sum(m["role"] == "assistant" for m in record["messages"]) > 3


@pytest.mark.slow
def test_probe_trains_in_a_fresh_process_and_reports_its_peak(tmp_path):
    result = run_probe(probe_case("micro", "kit", 128), 64 * 2**30, tmp_path)
    assert result["fits"] and result["error"] is None
    assert 50 * 2**20 < result["peak_bytes"] < 64 * 2**30  # a real process's peak, in bytes
