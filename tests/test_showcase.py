"""The fixed showcase table (helpers.evaluate.showcase): right records, right marks, real model."""

from __future__ import annotations

import pytest

from helpers.evaluate.showcase import (
    SHOWCASE,
    ShowcaseError,
    ShowcaseItem,
    expected_of,
    is_right,
    showcase_records,
    showcase_table,
)


def test_showcase_covers_what_the_lessons_compare():
    probes = {item.probe for item in SHOWCASE}
    assert {"seen family", "held-out phrasing", "held-out family", "domain fact",
            "out of scope", "letter-level"} <= probes
    assert 8 <= len(SHOWCASE) <= 14


def test_every_expected_answer_passes_its_own_checker_and_a_wrong_one_fails():
    for item, record in showcase_records():
        assert is_right(record, expected_of(record)), item
        assert not is_right(record, "I like cheese."), item


def test_showcase_records_are_fixed_test_records():
    picked = showcase_records()
    assert [r["id"] for _, r in picked] == [r["id"] for _, r in showcase_records()]
    for item, record in picked:
        assert record["split"].startswith("test"), item


def test_unknown_family_is_a_clear_error():
    with pytest.raises(ShowcaseError, match="no_such_family"):
        showcase_records((ShowcaseItem("x", "instructions/test_seen", "no_such_family"),))


def test_table_from_a_real_model_marks_each_answer(small_tokenizer):
    from tiny_models import tiny_llama

    from helpers.generate import GenerationSettings

    tok = small_tokenizer
    model = tiny_llama(tok)
    table = showcase_table(model, tok, {"base": None}, GenerationSettings(max_new_tokens=4))
    assert table.columns == ["probe", "prompt", "expected", "base"]
    assert len(table.rows) == len(SHOWCASE)
    assert all(row[3][0] in "✓✗" for row in table.rows)
    assert "| probe | prompt | expected | base |" in table.to_markdown()
