"""lessons/: every lesson has a complete README, and every graded exercise is sound.

Sound means: the solution source gets full marks and the released student copy zero
(`helpers.grading.validate`); the released copy holds no solution text and no hidden tests; and
plausible wrong solutions (MUTANTS: a real mistake a student makes, appended as a cell that
redefines one function, so the grader picks it up by name) lose points on the tests written to
catch them, with an assertion message as the reason, while keeping the points they deserve.
All grading runs in real sandboxed processes, two at a time.
"""

from __future__ import annotations

import ast
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from helpers.grading import grade, load_exercise, release, validate
from helpers.grading.source import HIDDEN_TESTS, cell_source, find_regions
from helpers.paths import DATA_DIR

LESSONS_DIR = Path(__file__).resolve().parent.parent / "lessons"
LESSONS = ("00_setup", "01_base_model", "02_data", "03_instruction_tuning", "04_domain_sft",
           "05_evaluation", "06_compare_live", "07_production", "08_retrieval")
SECTIONS = ("Learning objectives", "Concepts", "Reading", "Time", "Exercises")
EXERCISES = sorted(LESSONS_DIR.glob("*/exercises/*/"))
EX_IDS = [p.name for p in EXERCISES]
# What an exercise may import: it must grade in a second and need no model.
LIGHT_MODULES = {"json", "math", "re", "yaml", "copy", "time", "statistics", "collections",
                 "itertools", "random"}
# Exercises that need ML judgement train the micro model in their hidden tests (issue 16): they
# may import the practice runs and the domain set, and get a minute or two and torch's memory.
# Seconds one grading of each takes (1 thread in the sandbox; the other exercises take < 1 s):
# the grading pool starts the longest first.
TRAINING_SECONDS = {"replay_mix": 85, "qlora_recipe": 35}
MODEL_EXERCISES = set(TRAINING_SECONDS)
MODEL_MODULES = {"helpers.practice", "helpers.domain"}
# --- Plausible wrong solutions: (exercise, the redefined function(s), tests that must fail) ----
F00, F01 = "00_setup/exercises/fit_check", "01_base_model/exercises/perplexity"
F02A, F02B, F02C = ("02_data/exercises/label_mask", "02_data/exercises/sharegpt",
                    "02_data/exercises/leakage")
F03, F04A, F04B = ("03_instruction_tuning/exercises/lora_params",
                   "04_domain_sft/exercises/never_stops", "04_domain_sft/exercises/forgetting")
F05, F06 = "05_evaluation/exercises/ship_decision", "06_compare_live/exercises/preferences"
F07A, F07B = "07_production/exercises/model_card", "07_production/exercises/governance"
F08 = "08_retrieval/exercises/rag_check"
F05B = "05_evaluation/exercises/answer_checker"
F03B, F04C = "03_instruction_tuning/exercises/qlora_recipe", "04_domain_sft/exercises/replay_mix"


def _m(exercise: str, name: str, code: str, *fails: str) -> dict:
    return {"exercise": exercise, "name": name, "code": code, "fails": fails}


MUTANTS = [
    _m(F00, "fit_ignores_gqa", """
def count_params(config):
    h, heads = config["hidden_size"], config["num_attention_heads"]
    head_dim = config.get("head_dim") or h // heads
    block = 4 * h * heads * head_dim + 3 * h * config["intermediate_size"] + 2 * h
    emb = config["vocab_size"] * h
    return emb + config["num_hidden_layers"] * block + h + (0 if config.get("tie_word_embeddings") else emb)
""", "q1_visible", "test_count_params_llama_8b_grouped_query_untied"),
    _m(F00, "fit_qlora_half_byte_everywhere", """
def weight_bytes(config, method):
    n = count_params(config)
    return {"full": 4 * n, "lora": 2 * n, "qlora": n // 2}[method]
""", "test_weight_bytes_qlora_8b", "test_weight_bytes_qlora_keeps_embedding_16bit",
       "test_weight_bytes_unknown_method_names_the_choices"),
    _m(F00, "fit_lora_r_in_out", """
def fits(config, method, lora_r=16, activation_gib=1.0, budget_gib=16.0):
    total = weight_bytes(config, method) + activation_gib * GIB
    if method == "full":
        total += 12 * count_params(config)
    else:
        total += 16 * config["num_hidden_layers"] * sum(lora_r * a * b for a, b in linear_shapes(config).values())
    return {"needed_gib": round(total / GIB, 2), "fits": total <= budget_gib * GIB}
""", "test_fits_8b_lora_versus_qlora", "test_fits_rank_counts_r_times_in_plus_out"),
    _m(F01, "ppl_sum_not_mean", """
def perplexity(logprobs):
    if not logprobs or any(lp > 0 for lp in logprobs):
        raise ValueError("bad input")
    return math.exp(-sum(logprobs))
""", "q1_visible", "test_perplexity_is_exp_of_mean_nll", "test_perplexity_uniform_over_vocab"),
    _m(F01, "ppl_mean_of_texts", """
def corpus_perplexity(texts):
    values = [perplexity(t) for t in texts if t]
    if not values:
        raise ValueError("no tokens")
    return sum(values) / len(values)
""", "test_corpus_perplexity_weights_by_tokens"),
    _m(F01, "ppl_no_shift", """
def next_token_logprobs(distributions, token_ids):
    if len(distributions) != len(token_ids):
        raise ValueError("one row per token")
    return [math.log(distributions[k][token_ids[k]]) for k in range(1, len(token_ids))]
""", "q2_visible", "test_next_token_logprobs_shift"),
    _m(F02A, "mask_without_im_end", """
def assistant_spans(tokens):
    spans, k = [], 0
    while k < len(tokens):
        if tokens[k : k + 3] == ["<|im_start|>", "assistant", "\\n"]:
            end = k + 3
            while end < len(tokens) and tokens[end] != "<|im_end|>":
                end += 1
            spans.append((k + 3, end))
            k = end
        k += 1
    return spans
""", "q2_visible", "test_spans_include_im_end_not_newline", "test_spans_multi_turn_with_system"),
    _m(F02A, "mask_keeps_untrainable", """
def truncate(input_ids, labels, max_length):
    if len(input_ids) != len(labels) or max_length < 1:
        raise ValueError("bad input")
    return list(input_ids[:max_length]), list(labels[:max_length])
""", "q3_visible", "test_truncate_drops_when_nothing_trained_is_left"),
    _m(F02B, "sharegpt_no_order_check", """
def to_messages(record, line):
    turns = record.get("conversations") if isinstance(record, dict) else None
    if not isinstance(turns, list) or not turns:
        raise RecordError(line, "conversations", "expected turns")
    messages = []
    if "system" in record:
        if not isinstance(record["system"], str):
            raise RecordError(line, "system", "expected a string")
        messages.append({"role": "system", "content": record["system"]})
    for i, turn in enumerate(turns):
        if not isinstance(turn, dict) or turn.get("from") not in ROLES:
            raise RecordError(line, f"conversations[{i}].from", "unknown speaker")
        if not isinstance(turn.get("value"), str) or not turn["value"].strip():
            raise RecordError(line, f"conversations[{i}].value", "empty")
        messages.append({"role": ROLES[turn["from"]], "content": turn["value"]})
    if messages[-1]["role"] != "assistant":
        raise RecordError(line, "conversations", "must end with an answer")
    return {"messages": messages, **{k: v for k, v in record.items() if k not in ("conversations", "system")}}
""", "test_two_user_turns_in_a_row", "test_conversation_starting_with_assistant",
       "test_system_turn_in_the_middle_or_twice"),
    _m(F02B, "sharegpt_lines_skip_blanks", """
def load_lenient(lines):
    records, errors = [], []
    for number, text in enumerate([t for t in lines if t.strip()], start=1):
        try:
            records.append(to_messages(json.loads(text), number))
        except json.JSONDecodeError:
            errors.append((number, "json"))
        except RecordError as e:
            errors.append((e.line, e.field))
    return records, errors
""", "test_lenient_mixed_lines", "test_lenient_shipped_file"),
    _m(F02C, "leak_lower_not_casefold", """
def normalize(text):
    return " ".join(text.lower().split())
""", "test_normalize_casefold_not_lower"),
    _m(F02C, "leak_whole_conversation", """
def find_leaks(train, test):
    def key(record):
        return "\\n".join(f"{m['role']}: {normalize(m['content'])}" for m in record["messages"])
    seen = {}
    for i, r in enumerate(train):
        seen.setdefault(key(r), []).append(i)
    return sorted((i, j) for j, r in enumerate(test) for i in seen.get(key(r), []))
""", "q2_visible", "test_leak_with_different_answers_and_formatting"),
    _m(F03, "lora_r_times_in_times_out", """
def lora_param_count(shapes, targets, r, num_layers):
    names = list(shapes) if targets == "all-linear" else list(dict.fromkeys(targets))
    if r < 1 or any(t not in shapes for t in names):
        raise ValueError(f"bad target or rank; available: {sorted(shapes)} {targets}")
    return num_layers * sum(r * shapes[t][0] * shapes[t][1] for t in names)
""", "q1_visible", "test_all_linear_llama_8b", "test_attention_only_smollm2"),
    _m(F03, "lora_all_params_without_adapters", """
def trainable_line(trainable, frozen):
    return f"trainable params: {trainable:,d} || all params: {frozen:,d} || trainable%: {100 * trainable / frozen:.4f}"
""", "q2_visible", "test_trainable_line_exact", "test_trainable_line_small_numbers"),
    _m(F03, "lora_merge_unscaled", """
def merge_weight(W, A, B, alpha, r):
    return [[W[i][j] + sum(B[i][k] * A[k][j] for k in range(r)) for j in range(len(W[0]))] for i in range(len(W))]
""", "test_merge_non_square", "test_merge_uses_alpha_over_r"),
    _m(F04A, "stops_ignores_assistant_mask", """
def safe_labels(input_ids, attention_mask, assistant_mask):
    if not len(input_ids) == len(attention_mask) == len(assistant_mask):
        raise ValueError("lengths differ")
    return [t if a == 1 else IGNORE_INDEX for t, a in zip(input_ids, attention_mask)]
""", "q2_visible", "test_safe_labels_keeps_eos_with_pad_equal_eos", "test_safe_labels_prompt_and_padding_masked"),
    _m(F04A, "stops_checks_last_label_only", """
def eos_is_trained(labels, eos_id):
    trained = [x for x in labels if x != IGNORE_INDEX]
    return bool(trained) and trained[-1] == eos_id
""", "test_eos_check_one_turn_missing_eos"),
    _m(F04A, "stops_fix_in_place", """
def fix_pad_token(config):
    if config.get("pad_token") in (None, config.get("eos_token")):
        config["pad_token"] = "<|pad|>"
        extra = config.setdefault("additional_special_tokens", [])
        if "<|pad|>" not in extra:
            extra.append("<|pad|>")
    return config
""", "test_fix_pad_no_duplicate_no_mutation"),
    _m(F04B, "forget_boundary_counts", """
def forgotten(before, after, tolerance=0.05):
    return sorted(f for f, d in drops(before, after).items() if d >= tolerance)
""", "q2_visible", "test_forgotten_boundary_is_not_forgotten"),
    _m(F04B, "forget_unrounded", """
def drops(before, after):
    if set(before) != set(after):
        raise ValueError(f"families differ: {sorted(set(before) ^ set(after))}")
    return {f: before[f] - after[f] for f in before}
""", "q1_visible", "test_drops_rounded_and_signed"),
    _m(F05, "ship_population_std", """
def mean_std(values):
    if not values:
        raise ValueError("no values")
    mean = sum(values) / len(values)
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
""", "q1_visible", "test_mean_std_is_sample_std", "test_summarize_shipped_results"),
    _m(F05, "ship_float_boundary", """
def decide(table, thresholds, max_regression, baseline, primary):
    if baseline not in table:
        raise ValueError(f"baseline {baseline!r} missing")
    rejected, passing = {}, []
    for v, metrics in table.items():
        reasons = [f"{m}:threshold" for m, lo in thresholds.items() if m not in metrics or metrics[m]["mean"] < lo]
        reasons += [f"{m}:regression" for m, d in max_regression.items()
                    if m not in metrics or table[baseline][m]["mean"] - metrics[m]["mean"] > d]
        if reasons:
            rejected[v] = sorted(reasons)
        else:
            passing.append(v)
    ranked = sorted(passing, key=lambda v: (-table[v][primary]["mean"], table[v][primary]["std"], v))
    return {"ship": ranked[0] if ranked else None, "rejected": rejected}
""", "test_decide_regression_boundary_uses_rounding"),
    _m(F05, "ship_ignores_regressions", """
def decide(table, thresholds, max_regression, baseline, primary):
    if baseline not in table:
        raise ValueError(f"baseline {baseline!r} missing")
    rejected = {v: sorted(f"{m}:threshold" for m, lo in thresholds.items()
                          if m not in ms or ms[m]["mean"] < lo) for v, ms in table.items()}
    passing = [v for v in table if not rejected[v]]
    ranked = sorted(passing, key=lambda v: (-table[v][primary]["mean"], table[v][primary]["std"], v))
    return {"ship": ranked[0] if ranked else None, "rejected": {v: r for v, r in rejected.items() if r}}
""", "q3_visible", "test_decide_on_shipped_results"),
    _m(F06, "votes_ties_not_judged", """
def win_rates(votes):
    stats = {}
    for i, vote in enumerate(votes):
        if vote["winner"] != TIE and vote["winner"] not in vote["answers"]:
            raise ValueError(f"vote {i}: unknown winner")
        for name in vote["answers"]:
            s = stats.setdefault(name, {"wins": 0, "losses": 0, "ties": 0, "judged": 0})
            if vote["winner"] == TIE:
                s["ties"] += 1
                continue
            s["judged"] += 1
            s["wins" if vote["winner"] == name else "losses"] += 1
    for s in stats.values():
        s["win_rate"] = s["wins"] / s["judged"] if s["judged"] else 0.0
    return stats
""", "q1_visible", "test_three_way_votes_and_ties"),
    _m(F06, "votes_one_pair_per_vote", """
def preference_pairs(votes):
    pairs = []
    for vote in votes:
        if vote["winner"] == TIE:
            continue
        loser = next(n for n in vote["answers"] if n != vote["winner"])
        pairs.append({"prompt": vote["prompt"], "chosen": vote["answers"][vote["winner"]],
                      "rejected": vote["answers"][loser], "chosen_variant": vote["winner"],
                      "rejected_variant": loser})
    return pairs
""", "test_pairs_three_way_in_shown_order"),
    _m(F07A, "card_hand_written_yaml", """
import json


def render_card(info):
    meta = card_metadata(info)
    out = ["---"]
    for key, value in meta.items():
        if key == "model-index":
            out += ["model-index:", f"- name: {info['name']}", "  results: " + json.dumps(value[0]["results"])]
        elif isinstance(value, list):
            out += [f"{key}:"] + [f"- {v}" for v in value]
        else:
            out.append(f"{key}: {value}")
    out += ["---", "", f"# {info['name']}", "", "## Intended use", "", info["intended_use"], "",
            "## Evaluation results", "", "| metric | value | dataset |", "|---|---|---|"]
    out += [f"| {r['metric']} | {r['value']} | {r['dataset']} |" for r in info["results"]]
    out += ["", "## Limitations", ""] + ([f"- {x}" for x in info["limitations"]] or ["None known."])
    return "\\n".join(out) + "\\n"
""", "test_card_survives_yaml_special_characters"),
    _m(F07A, "card_results_not_grouped", """
def card_metadata(info):
    for key in ("name", "base_model", "license"):
        if not info.get(key):
            raise ValueError(f"model card info needs {key!r}")
    results = []
    for r in info.get("results", []):
        if isinstance(r["value"], bool) or not isinstance(r["value"], (int, float)):
            raise ValueError(f"result {r['metric']!r} is not a number")
        results.append({"task": {"type": "text-generation"}, "dataset": {"name": r["dataset"], "type": r["dataset"]},
                        "metrics": [{"type": r["metric"], "value": r["value"]}]})
    meta = {"base_model": info["base_model"], "library_name": "peft", "license": info["license"],
            "pipeline_tag": "text-generation", "tags": list(dict.fromkeys(["peft", *info.get("tags", [])]))}
    if info.get("datasets"):
        meta["datasets"] = list(info["datasets"])
    meta["model-index"] = [{"name": info["name"], "results": results}]
    return meta
""", "q1_visible", "test_metadata_groups_results_by_dataset", "test_card_front_matter_parses_to_metadata"),
    _m(F07B, "rollback_remembers_one_step", """
def production_after(events):
    current = previous = None
    for i, event in enumerate(events):
        if event["action"] == "promote":
            if event["run"] != current:
                previous, current = current, event["run"]
        elif event["action"] == "rollback":
            if previous is None:
                raise ValueError(f"event {i}: nothing to roll back to")
            current, previous = previous, None
        else:
            raise ValueError(f"event {i}: unknown action")
    return current
""", "test_two_rollbacks_go_back_two_steps"),
    _m(F07B, "luhn_doubles_from_the_left", """
def luhn_ok(number):
    digits = number.replace(" ", "").replace("-", "")
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0
""", "test_luhn_doubles_from_the_right", "test_luhn_separators_and_invalid"),
    _m(F07B, "redact_by_string", """
def redact(text):
    cards = find_cards(text)
    for card in cards:
        text = text.replace(card, "[CARD]")
    return text, len(cards)
""", "test_redact_by_position_not_by_string"),
    _m(F05B, "checker_finds_the_number_anywhere", """
def number_matches(expected, generated):
    return str(expected) in generated
""", "test_numbers_written_many_ways", "test_numbers_more_than_one_or_hidden_in_words"),
    _m(F05B, "checker_yes_prefix", """
def yes_no_matches(expected, generated):
    return answer_line(generated).lower().startswith(expected)
""", "test_yes_no_first_word_only"),
    _m(F08, "recall_counts_questions_needing_nothing", """
def recall_at_k(ranked, needed, k):
    if len(ranked) != len(needed) or k < 1:
        raise ValueError(f"k={k}, lengths {len(ranked)} and {len(needed)}")
    return sum(w in ids[:k] for ids, w in zip(ranked, needed)) / len(needed) if needed else 0.0
""", "test_recall_ignores_questions_without_a_needed_fact"),
    # ML judgement (issue 16): these train the micro model, so one mutant each, with two mistakes.
    _m(F03B, "recipe_hub_rate_and_relative_stall", """
def recipe():
    return {"learning_rate": 2e-4, "r": 16, "max_steps": 60}

def diagnose(losses):
    if len(losses) < 2:
        raise ValueError("need two losses")
    if any(not math.isfinite(x) for x in losses) or losses[-1] > losses[0]:
        return "diverged"
    if any(x > min(losses[:i]) + 1.0 for i, x in enumerate(losses) if i):
        return "too_high"
    return "too_low" if losses[-1] > losses[0] / 2 else "good"
""", "test_recipe_clears_the_floor_on_the_hidden_split", "test_recipe_run_fits_its_training_data",
       "test_real_curves_too_low_and_too_high"),
    _m(F04C, "replay_nothing_domain_only", """
def build_mix(domain, instructions, budget, seed):
    if not 1 <= budget <= len(domain) + len(instructions):
        raise ValueError(f"budget {budget} out of range")
    rng = random.Random(seed)
    take = min(budget, len(domain))
    return rng.sample(domain, take) + rng.sample(instructions, budget - take)
""", "q2_visible", "test_old_skill_kept"),
    _m(F08, "stale_by_substring", """
def stale_answers(answers, changes):
    return sorted(i for i, a in enumerate(answers) if any(old.lower() in a.lower() for old in changes))
""", "q3_visible", "test_stale_whole_values_only", "test_stale_case_and_mixed"),
]

ROW = re.compile(r"^\|\s*(?:(?P<lesson>\d\d_\w+)\s*\|\s*)?`(?P<id>\w+)`\s*\|\s*(?P<title>[^|]+?)\s*\|"
                 r"\s*(?P<difficulty>easy|medium|hard)\s*\|\s*(?P<points>\d+)\s*\|$")


def _grade_mutant(mutant: dict, root: Path):
    src = LESSONS_DIR / mutant["exercise"]
    nb = json.loads((src / "exercise.ipynb").read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "mutant",
                        "metadata": {}, "outputs": [], "source": mutant["code"]})
    path = root / f"{mutant['name']}.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return grade(path, src, name=mutant["name"])


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    """Every exercise validated and every mutant graded, in ONE pool of two workers, longest
    job first: each grading runs sandboxed on one thread, and with a pool per fixture one core
    sat idle while the last ~85 s trainer of each pool finished."""
    root = tmp_path_factory.mktemp("mutants")
    jobs = [(("validate", p), p.name, lambda p=p: validate(p)) for p in EXERCISES]
    jobs += [(("mutant", m["name"]), Path(m["exercise"]).name,
              lambda m=m: _grade_mutant(m, root)) for m in MUTANTS]
    jobs.sort(key=lambda job: -TRAINING_SECONDS.get(job[1], 0))
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(run) for key, _, run in jobs}
        return {key: future.result() for key, future in futures.items()}


@pytest.fixture(scope="module")
def validations(graded):
    return {p: graded[("validate", p)] for p in EXERCISES}


@pytest.fixture(scope="module")
def mutant_grades(graded):
    return {m["name"]: graded[("mutant", m["name"])] for m in MUTANTS}


def _section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    return match.group(1).strip() if match else ""


def _rows(text: str) -> set[tuple]:
    return {(m["lesson"], m["id"], m["title"], m["difficulty"], int(m["points"]))
            for m in map(ROW.match, text.splitlines()) if m}


def _expected_row(path: Path, with_lesson: bool) -> tuple:
    ex = load_exercise(path)
    lesson = path.parent.parent.name if with_lesson else None
    return (lesson, ex.meta["id"], ex.meta["title"], ex.meta["difficulty"], int(ex.max_score))


def test_lesson_folders_are_the_notebook_sequence():
    assert tuple(sorted(p.name for p in LESSONS_DIR.iterdir() if p.is_dir())) == LESSONS
    # notebooks/ is written lesson by lesson; those present must match
    present = {p.stem for p in (LESSONS_DIR.parent / "notebooks").glob("*.ipynb")}
    # a lettered notebook (04b_real_model_sft) is an optional extra of its numbered lesson
    extras = {n for n in present if re.match(r"\d\d[a-z]_", n)}
    assert all(n in LESSONS for n in present - extras), sorted(present)
    assert all(any(lesson[:2] == n[:2] for lesson in LESSONS) for n in extras), sorted(extras)


@pytest.mark.parametrize("lesson", LESSONS)
def test_readme_has_every_section_with_content(lesson):
    text = (LESSONS_DIR / lesson / "README.md").read_text(encoding="utf-8")
    for title in SECTIONS:
        assert len(_section(text, title)) > 80, f"{lesson}/README.md: section '## {title}' is missing or thin"
    objectives = [ln for ln in _section(text, "Learning objectives").splitlines() if ln.startswith("- ")]
    assert len(objectives) >= 3, f"{lesson}: at least three learning objectives"
    reading = [ln for ln in _section(text, "Reading").splitlines() if ln.startswith("- ")]
    assert len(reading) >= 4, f"{lesson}: at least four references"
    assert sum(bool(re.search(r"\((?:19|20)\d\d\)", ln)) for ln in reading) >= 3, (
        f"{lesson}: papers are cited with authors and (year)")
    assert "minutes" in _section(text, "Time"), f"{lesson}: say how long it takes"
    assert "http://" not in text and "https://" not in text, (
        f"{lesson}: cite titles, authors, years and doc page names, not URLs")


@pytest.mark.parametrize("lesson", LESSONS)
def test_readme_exercise_table_matches_the_exercises(lesson):
    text = (LESSONS_DIR / lesson / "README.md").read_text(encoding="utf-8")
    expected = {_expected_row(p, False) for p in EXERCISES if p.parent.parent.name == lesson}
    assert expected, f"{lesson} has no graded exercise"
    assert _rows(_section(text, "Exercises")) == expected


def test_index_lists_every_exercise_with_its_points():
    text = (LESSONS_DIR / "README.md").read_text(encoding="utf-8")
    assert _rows(text) == {_expected_row(p, True) for p in EXERCISES}
    assert all(f"[{lesson}]({lesson}/README.md)" in text for lesson in LESSONS)


def test_enough_exercises_with_difficulty_and_partial_credit():
    assert len(EXERCISES) >= 8
    for path in EXERCISES:
        ex = load_exercise(path)
        assert ex.meta["difficulty"] in ("easy", "medium", "hard")
        assert (path / HIDDEN_TESTS).is_file()
        limits = ex.meta.get("limits", {})
        if path.name in MODEL_EXERCISES:  # the hidden tests train: under ~2 min on a laptop CPU
            assert limits.get("time_limit_s", 99) <= 60 and limits.get("test_timeout_s", 999) <= 300
            assert limits.get("memory_mb", 99999) <= 8192, path.name
        else:
            assert limits.get("time_limit_s", 99) <= 30 and limits.get("memory_mb", 9999) <= 1024, path.name
        for qid, q in ex.meta["questions"].items():
            assert q["difficulty"] in ("easy", "medium", "hard") and q["title"], f"{path.name} {qid}"
            kinds = [t.kind for t in ex.tests if t.question == qid]
            assert "visible" in kinds and kinds.count("hidden") >= 2, (
                f"{path.name} {qid}: a visible test and at least two hidden tests (partial credit)")


@pytest.mark.parametrize("path", EXERCISES, ids=EX_IDS)
def test_exercises_import_nothing_heavy(path):
    nb = json.loads((path / "exercise.ipynb").read_text(encoding="utf-8"))
    sources = [cell_source(c) for c in nb["cells"] if c["cell_type"] == "code"]
    sources.append((path / HIDDEN_TESTS).read_text(encoding="utf-8"))
    for src in sources:
        for node in ast.walk(ast.parse(src)):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                # helpers.grading: visible tests compare with its assert_equal (no torch behind it)
                allowed = name.split(".")[0] in LIGHT_MODULES or name == "helpers.grading" or (
                    path.name in MODEL_EXERCISES and name in MODEL_MODULES)
                assert allowed, f"{path.name} imports {name}"


@pytest.mark.slow
@pytest.mark.parametrize("path", EXERCISES, ids=EX_IDS)
def test_solution_full_marks_and_student_copy_zero(path, validations):
    report = validations[path]
    assert report.ok, "\n".join(report.problems)
    assert report.solution.score == report.solution.max_score > 0
    assert report.released.score == 0
    assert report.trick.score == 0  # functions returning an object equal to everything earn nothing
    # An honest submission is not sent to manual review (the visible-test cells it carries
    # import helpers.grading, but the grader never runs those cells from the submission).
    assert not [n for n in report.solution.notes if n.startswith("review:")], report.solution.notes


@pytest.mark.parametrize("path", EXERCISES, ids=EX_IDS)
def test_released_copy_has_no_solution_and_no_hidden_tests(path, tmp_path):
    ex = load_exercise(path)
    nb_path = release(path, tmp_path / "release")
    shipped = {p.relative_to(tmp_path / "release").as_posix() for p in (tmp_path / "release").rglob("*") if p.is_file()}
    assert shipped == {"exercise.ipynb", *ex.files}
    released = json.loads(nb_path.read_text(encoding="utf-8"))
    text = "\n".join(cell_source(c) for c in released["cells"])
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    released_lines = {ln.strip() for ln in text.splitlines()}
    outside, inside = [], []
    for cell in ex.nb["cells"]:
        lines = cell_source(cell).splitlines()
        spans = [(r.begin, r.end) for r in find_regions(cell_source(cell), "cell")]
        for i, line in enumerate(lines):
            (inside if any(b < i < e for b, e in spans) else outside).append(line.strip())
    secret = [ln for ln in inside if len(ln) >= 12 and ln not in outside]
    assert secret, f"{path.name}: no solution lines found (regions missing?)"
    leaked = [ln for ln in secret if ln in released_lines]
    assert not leaked, f"{path.name}: solution lines in the student copy: {leaked[:3]}"
    hidden = [t.function for t in ex.tests if t.kind == "hidden"]
    assert not [f for f in hidden if f in text], "hidden test names in the student copy"
    for cell in released["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
            ast.parse(cell_source(cell))  # stubs keep every cell valid Python


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m["name"] for m in MUTANTS])
def test_plausible_wrong_solutions_lose_points_for_the_right_reason(mutant, mutant_grades):
    result = mutant_grades[mutant["name"]]
    assert result.status == "graded", result.notes
    failed = {t.name: t.reason for t in result.tests if not t.passed}
    missing = [name for name in mutant["fails"] if name not in failed]
    assert not missing, f"{mutant['name']} should fail {missing}; it failed {sorted(failed)}"
    for name in mutant["fails"]:
        assert failed[name] and "is not defined" not in failed[name], (name, failed[name])
    assert 0 < result.score < result.max_score, "the rest of the exercise keeps its points"


def test_mutants_cover_every_exercise():
    assert {m["exercise"].split("/")[-1] for m in MUTANTS} == set(EX_IDS)


def test_fit_check_ships_the_repo_configs_unchanged():
    ex = LESSONS_DIR / "00_setup" / "exercises" / "fit_check"
    for copy, original in (("smollm2_135m_config.json", "SmolLM2-135M"),
                           ("llama_3_1_8b_config.json", "Llama-3.1-8B")):
        assert json.loads((ex / copy).read_text()) == json.loads(
            (DATA_DIR / "configs" / original / "config.json").read_text())


def test_grader_passes_private_helpers_to_the_tests(tmp_path):
    """Regression (helpers.grading fix): a solution calling its own `_helper` keeps its points."""
    code = "_FACTOR = 2\n\ndef _double(x):\n    return _FACTOR * x\n\ndef quadruple(x):\n    return _double(_double(x))\n"
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"grading": {
        "id": "private", "title": "private helpers", "difficulty": "easy"}},
        "cells": [{"cell_type": "code", "id": "c1", "metadata": {}, "outputs": [],
                   "execution_count": None, "source": code}]}
    (tmp_path / "exercise.ipynb").write_text(json.dumps(nb))
    (tmp_path / HIDDEN_TESTS).write_text("def test_q():\n    assert_equal(quadruple(3), 12, 'quadruple(3)')\n")
    result = grade(tmp_path / "exercise.ipynb", tmp_path)
    assert result.score == result.max_score == 1.0, [t.reason for t in result.tests]
