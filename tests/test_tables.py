"""helpers.tables: the one renderer behind the registry's Table, evaluate's ResultTable and the
widgets' ComparisonTable (their outputs are pinned in their own tests)."""

import pytest

from helpers.tables import Table, html_table, markdown_table, text_table


def test_text_table_pads_and_rules():
    assert text_table(["a", "bb"], [["xyz", "1"]]) == "a    bb\n---  --\nxyz  1"
    free = text_table(["v", "answer"], [["it", "a long free text"]], sep=" | ", cross="-+-",
                      last_free=True)
    assert free == "v  | answer\n---+-------\nit | a long free text"


def test_markdown_and_html_escape():
    assert markdown_table(["a"], [["x|y"]]) == "| a |\n|---|\n| x\\|y |"
    html = html_table(["<a>"], [["b&c"]], caption="q <1>", cell_style=" class='x'")
    assert html == ("<table><caption>q &lt;1&gt;</caption><thead><tr><th>&lt;a&gt;</th></tr>"
                    "</thead><tbody><tr><td class='x'>b&amp;c</td></tr></tbody></table>")


def test_markdown_alignment_per_column():
    # the build data cards render through this: number columns right-aligned (`---:`)
    assert markdown_table(["split", "n"], [["train", "12"]], align="lr") == (
        "| split | n |\n|---|---:|\n| train | 12 |")
    assert markdown_table(["a", "b"], []) == markdown_table(["a", "b"], [], align="ll")
    for bad in ("l", "lx", "lrr"):
        with pytest.raises(ValueError, match="one of l/r per column \\(2 columns\\)"):
            markdown_table(["a", "b"], [], align=bad)


def test_table_formats_values():
    t = Table(["k", "v"], [["f", 0.123456], ["n", None], ["b", True]])
    assert str(t).splitlines()[2:] == ["f  0.1235", "n  —", "b  yes"]
    assert t.to_markdown().splitlines()[0] == "| k | v |"
