"""import_faq: question,answer CSV files (as Excel saves them) become one rule each."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from autoreply.files import faq, spreadsheets
from autoreply.models import Rule
from tests.factories import text_rule

DATA = Path(__file__).resolve().parents[2] / "data" / "csv"
SAMPLE = Path(__file__).resolve().parents[3] / "fixtures" / "faq-sample.csv"


def import_faq(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_faq", str(path), "--account", "acme", *args, stdout=out)
    return out.getvalue()


def answers(account) -> dict[str, tuple[str, str, str]]:
    """{rule name: (keyword mode, keyword, reply)} of the account's rules."""
    result = {}
    for rule in account.rules.prefetch_related("keywords", "replies"):
        keyword = rule.keywords.get()
        result[rule.name] = (keyword.mode, keyword.pattern, rule.replies.get().content)
    return result


def test_utf8_with_header_quoted_commas_and_line_breaks(acme):
    out = import_faq(DATA / "faq__utf8.csv")
    assert out == "FAQ rules: 3 created, 0 changed, 0 unchanged\n"
    assert answers(acme) == {
        "FAQ: 营业时间": ("exact", "营业时间", "周一至周六 9:00-18:00, 周日休息"),
        "FAQ: How do I return an item?": (
            "exact",
            "How do I return an item?",
            'Reply "退货" with your order number.\nWe pick it up within 2 days.',
        ),
        "FAQ: 发票": ("exact", "发票", "请在订单页面申请电子发票。"),
    }


def test_utf8_with_bom_and_a_chinese_header(acme):
    import_faq(DATA / "faq__utf8_bom.csv")
    assert set(answers(acme)) == {"FAQ: 怎么退货", "FAQ: 运费"}  # no "FAQ: 问题", no BOM


def test_gb18030_without_header(acme):
    import_faq(DATA / "faq__gb18030.csv")
    assert answers(acme)["FAQ: 退货地址"][2] == "上海市浦东新区张江路88号（邮编201203）"
    assert len(answers(acme)) == 3


def test_the_sample_answers_followers(acme, bot):
    assert import_faq(SAMPLE).startswith("FAQ rules: 8 created,")
    assert bot.say("营业时间").content.startswith("门店营业时间：周一至周六")
    assert bot.say("ＯＰＥＮＩＮＧ hours ").content.startswith("Our shop is open")  # normalised
    assert bot.say("怎么退货").content.splitlines() == [
        "收到商品7天内可无理由退货：",
        "1. 在“我的订单”中申请退货；",
        "2. 快递员会在两个工作日内上门取件。",
    ]
    assert "\r" not in bot.say("怎么退货").content  # the file's CRLF line ends are not kept
    assert bot.say("营业时间是几点") is None  # exact by default


def test_contains_mode(acme, bot):
    import_faq(DATA / "faq__no_header_lf.csv", "--mode", "contains")
    assert answers(acme)["FAQ: help"][0] == "contains"
    assert bot.say("I need help please").content == "Send a question, any question."


def test_reimport_changes_nothing_and_an_edited_answer_changes_its_rule(acme, tmp_path):
    import_faq(DATA / "faq__utf8.csv")
    assert import_faq(DATA / "faq__utf8.csv") == "FAQ rules: 0 created, 0 changed, 3 unchanged\n"
    edited = tmp_path / "faq.csv"
    edited.write_text("发票,电子发票三日内发出。\n新问题,新答案\n", encoding="utf-8")
    assert import_faq(edited) == "FAQ rules: 1 created, 1 changed, 0 unchanged\n"
    assert answers(acme)["FAQ: 发票"][2] == "电子发票三日内发出。"
    assert Rule.objects.count() == 4  # rules not in the file are kept


def test_other_rules_of_the_account_are_untouched(acme):
    mine = text_rule(acme, "opening hours", "We open at nine.", ("contains", "hours"), priority=5)
    import_faq(DATA / "faq__utf8.csv")
    mine.refresh_from_db()
    assert (mine.priority, mine.replies.get().content) == (5, "We open at nine.")
    assert Rule.objects.count() == 4


def test_a_missing_answer_imports_nothing_and_names_the_row(acme):
    with pytest.raises(CommandError, match=r"faq__missing_answer.csv, row 4: the answer is empty"):
        import_faq(DATA / "faq__missing_answer.csv")
    assert not Rule.objects.exists()


def test_an_unquoted_comma_names_the_row(acme):
    with pytest.raises(CommandError, match=r"row 2: expected 2 cells .*found 3; put a cell"):
        import_faq(DATA / "faq__three_cells.csv")


def test_duplicate_questions_name_both_rows(acme):
    with pytest.raises(CommandError, match=r"rows 2 and 4: the questions 'Hours' and 'ＨＯＵＲＳ'"):
        import_faq(DATA / "faq__duplicate_question.csv")
    assert not Rule.objects.exists()


def test_blank_rows_and_padding_cells_are_skipped(acme):
    import_faq(DATA / "faq__blank_rows.csv")
    assert set(answers(acme)) == {"FAQ: 营业时间", "FAQ: 运费"}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("faq__damaged.xlsx", "is not a readable Excel workbook"),
        ("faq__utf16.csv", "is UTF-16 text"),
        ("faq__latin1.csv", "is neither UTF-8 nor GB18030 text"),
        ("no-such-file.csv", "cannot read .*no-such-file.csv: No such file"),
    ],
)
def test_a_file_that_is_not_text_is_refused(acme, name, message):
    with pytest.raises(CommandError, match=message):
        import_faq(DATA / name)
    assert not Rule.objects.exists()


def test_control_characters_mean_not_text(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"question,answer\nhi,there\x00\x01\n")
    with pytest.raises(spreadsheets.CsvFileError, match=r"not a text file .*line 2"):
        spreadsheets.read_rows(path, faq.COLUMNS)


def test_answers_are_literal_text_not_templates(acme, bot):
    import_faq(DATA / "faq__template_markers.csv")
    assert bot.say("模板").content == "Write {{ openid }} or {% now %} literally, {# too #}"


def test_a_rule_problem_names_the_row(acme, tmp_path):
    path = tmp_path / "faq.csv"
    path.write_text(f"hi,hello\n{'长' * 501},too long\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"faq.csv, row 2, keywords\[0\], pattern: .*500"):
        import_faq(path)
    assert not Rule.objects.exists()


def test_a_long_text_answer_warns_with_the_row(acme, tmp_path):
    path = tmp_path / "faq.csv"
    path.write_text(f"hi,hello\nessay,{'字' * 700}\n", encoding="utf-8")
    out = import_faq(path)
    assert "warning: " in out and "faq.csv, row 2, replies[0]: The text reply is 2100 bytes" in out


def test_unknown_account(db):
    with pytest.raises(CommandError, match="no account with slug 'acme'"):
        import_faq(DATA / "faq__utf8.csv")


def test_names_are_cut_to_fit_and_kept_unique():
    long = "x" * 120
    names = faq.rule_names([long, long + "y", "two\nlines  here"])
    assert names[0] == "FAQ: " + "x" * 95
    assert names[1] == "FAQ: " + "x" * 91 + " (2)"
    assert names[2] == "FAQ: two lines here"
    assert {len(n) for n in names[:2]} == {100}


def test_literal_renders_exactly_the_text():
    from django.template import Context

    from autoreply.templating import compile_template, literal, render

    for text in ["{{ x }}", "{%", "{{{", "a{#b#}c", "{% endverbatim %}", "}}", "plain"]:
        assert render(compile_template(literal(text)), Context()) == text
