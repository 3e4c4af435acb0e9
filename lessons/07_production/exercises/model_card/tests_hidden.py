# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 07a (model_card). Cards are graded by parsing, never by exact text."""

import copy

import yaml

BASE = {
    "name": "support-bot",
    "base_model": "Qwen/Qwen2.5-0.5B",
    "license": "mit",
    "tags": ["tunelab", "peft", "lora", "tunelab"],
    "datasets": ["support.jsonl"],
    "results": [
        {"metric": "accuracy", "value": 0.75, "dataset": "support test"},
        {"metric": "exact_match", "value": 0.5, "dataset": "tasks"},
        {"metric": "refusal_rate", "value": 1, "dataset": "support test"},
    ],
    "intended_use": "Support answers for one product.",
    "limitations": ["English only."],
}
EXPECTED_META = {
    "base_model": "Qwen/Qwen2.5-0.5B",
    "library_name": "peft",
    "license": "mit",
    "pipeline_tag": "text-generation",
    "tags": ["peft", "tunelab", "lora"],
    "datasets": ["support.jsonl"],
    "model-index": [{"name": "support-bot", "results": [
        {"task": {"type": "text-generation"}, "dataset": {"name": "support test", "type": "support test"},
         "metrics": [{"type": "accuracy", "value": 0.75}, {"type": "refusal_rate", "value": 1}]},
        {"task": {"type": "text-generation"}, "dataset": {"name": "tasks", "type": "tasks"},
         "metrics": [{"type": "exact_match", "value": 0.5}]},
    ]}],
}


def _info(**changes):
    info = copy.deepcopy(BASE)
    info.update(changes)
    return info


def _plain(value):
    """JSON-like copy (tuples -> lists) so a student's tuples compare equal to lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _parse(card):
    """(front matter dict, list of body lines) of a rendered card."""
    assert isinstance(card, str), f"render_card must return a str, got {type(card).__name__}"
    lines = card.split("\n")
    assert lines[0] == "---", f"the first line must be '---', got {lines[0]!r}"
    assert "---" in lines[1:], "the front matter is not closed by a second '---' line"
    end = lines.index("---", 1)
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as e:
        raise AssertionError(f"the front matter is not valid YAML: {str(e)[:150]}") from None
    return meta, lines[end + 1:]


def _section(body, title):
    """Non-empty lines of the section '## title'."""
    heading = f"## {title}"
    assert heading in body, f"the card has no '{heading}' line"
    out = []
    for line in body[body.index(heading) + 1:]:
        if line.startswith(("## ", "# ")):
            break
        if line.strip():
            out.append(line.strip())
    return out


@points(2, question="q1")
def test_metadata_groups_results_by_dataset():
    assert_equal(_plain(card_metadata(_info())), EXPECTED_META,
                 "card_metadata (tags deduplicated with 'peft' first; results grouped by dataset)")


@points(1, question="q1")
def test_metadata_key_order():
    assert_equal(list(card_metadata(_info())),
                 ["base_model", "library_name", "license", "pipeline_tag", "tags", "datasets", "model-index"],
                 "the order of the metadata keys")


@points(1, question="q1")
def test_metadata_without_datasets_or_results():
    meta = _plain(card_metadata(_info(datasets=[], results=[], tags=[])))
    assert "datasets" not in meta, "with no datasets, leave the 'datasets' key out"
    assert_equal(meta["tags"], ["peft"], "tags when info has none")
    assert_equal(meta["model-index"], [{"name": "support-bot", "results": []}], "model-index with no results")


@points(1, question="q1")
def test_metadata_required_keys():
    for key in ("name", "base_model", "license"):
        info = _info()
        del info[key]
        assert_raises(lambda info=info: card_metadata(info), f"card_metadata without {key!r}",
                            must_mention=(key,))


@points(1, question="q1")
def test_metadata_rejects_non_numeric_values():
    for bad in (True, "0.8", None):
        info = _info(results=[{"metric": "accuracy", "value": bad, "dataset": "d"}])
        assert_raises(lambda info=info: card_metadata(info), f"a result with value {bad!r}",
                            must_mention=("accuracy",))


@points(2, question="q2")
def test_card_front_matter_parses_to_metadata():
    meta, _ = _parse(render_card(_info()))
    assert_equal(_plain(meta), EXPECTED_META, "the card's parsed front matter")


@points(1, question="q2")
def test_card_survives_yaml_special_characters():
    name = "support-bot: v2 #1"
    meta, body = _parse(render_card(_info(name=name, license="other", tags=["a: b", "- c"])))
    assert_equal(meta["model-index"][0]["name"], name, "model-index name with ': ' and ' #' in it")
    assert_equal(meta["tags"], ["peft", "a: b", "- c"], "tags with YAML special characters")
    assert f"# {name}" in body, f"the title line '# {name}' is missing"


@points(2, question="q2")
def test_card_results_table():
    _, body = _parse(render_card(_info()))
    rows = [line for line in _section(body, "Evaluation results") if line.startswith("|")]
    assert len(rows) >= 2, "the results section needs a header row and a separator row"
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    assert_equal(cells[0], ["metric", "value", "dataset"], "the table's header row")
    data = [c for c in cells[2:]]
    assert_equal(len(data), 3, "number of result rows")
    got = [(c[0], float(c[1]), c[2]) for c in data]
    assert_equal(got, [("accuracy", 0.75, "support test"), ("exact_match", 0.5, "tasks"),
                       ("refusal_rate", 1.0, "support test")], "result rows (metric, value, dataset), in input order")


@points(1, question="q2")
def test_card_title_and_intended_use():
    _, body = _parse(render_card(_info()))
    assert "# support-bot" in body, "the title line '# support-bot' is missing"
    assert_equal(_section(body, "Intended use"), ["Support answers for one product."], "the Intended use section")


@points(1, question="q2")
def test_card_limitations():
    _, body = _parse(render_card(_info(limitations=["English only.", "No prices after 2024."])))
    assert_equal(_section(body, "Limitations"), ["- English only.", "- No prices after 2024."], "Limitations bullets")
    _, body = _parse(render_card(_info(limitations=[])))
    assert_equal(_section(body, "Limitations"), ["None known."], "Limitations when there are none")
