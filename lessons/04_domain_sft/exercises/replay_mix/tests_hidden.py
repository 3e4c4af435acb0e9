# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 04c (replay_mix): a valid mix, then what training on it did."""

KEEP_FLOOR = 0.50  # exact match on the four families after domain SFT (1.00 before it)
DOMAIN_LOSS_CEILING = 1.45  # nats/token on the domain test questions (domain only: about 1.2)
_RUN = {}  # one training run, shared by the Q2 tests (the grader runs them in one process)


def _pools():
    from helpers.domain import load_split
    from helpers.practice import family_records

    return load_split("train"), family_records("train")


def _outcome():
    if "out" not in _RUN:
        from helpers.domain import load_split
        from helpers.practice import REPLAY_BUDGET, check_mix, family_records, replay_outcome

        domain, instructions = _pools()
        mix = build_mix(domain, instructions, REPLAY_BUDGET, 0)
        check_mix(mix, domain, instructions, REPLAY_BUDGET)
        share = sum("family" in r for r in mix) / len(mix)
        _RUN["out"] = (share, replay_outcome(mix, family_records("test_seen"), load_split("test")))
    return _RUN["out"]


@points(1, question="q1")
def test_mix_of_the_real_pools_is_valid():
    from helpers.practice import check_mix

    domain, instructions = _pools()
    for budget in (480, 100, 1):
        check_mix(build_mix(domain, instructions, budget, 3), domain, instructions, budget)


@points(1, question="q1")
def test_same_seed_same_mix():
    domain, instructions = _pools()
    first = [r["id"] for r in build_mix(domain, instructions, 200, 7)]
    again = [r["id"] for r in build_mix(domain, instructions, 200, 7)]
    other = [r["id"] for r in build_mix(domain, instructions, 200, 8)]
    assert_equal(first == again, True, "two mixes with seed 7 are the same list")
    assert_equal(first != other, True, "seeds 7 and 8 give different mixes")


@points(1, question="q1")
def test_budget_out_of_range():
    dom = [{"id": "d0", "kind": "fact"}, {"id": "d1", "kind": "fact"}]
    ins = [{"id": "i0", "family": "weather"}]
    assert_raises(lambda: build_mix(dom, ins, 0, 0), "build_mix with budget 0", must_mention=("0",))
    assert_raises(lambda: build_mix(dom, ins, 4, 0), "build_mix with budget 4 from 3 records",
                  must_mention=("4",))


@points(3, question="q2")
def test_old_skill_kept():
    share, out = _outcome()
    assert out.after.accuracy >= KEEP_FLOOR, (
        f"with {share:.0%} of the mix replayed, the four families fell from {out.before} to "
        f"{out.after} exact match on the hidden questions (floor {KEEP_FLOOR}): replay more, "
        "and from every family")


@points(3, question="q2")
def test_domain_learned():
    share, out = _outcome()
    assert out.domain_loss <= DOMAIN_LOSS_CEILING, (
        f"with {share:.0%} of the mix replayed, the domain answer loss is {out.domain_loss:.3f} "
        f"nats/token on the hidden questions (ceiling {DOMAIN_LOSS_CEILING}): too little domain data")
