"""Reported figures: value, unit and what they count; years and conversions are not figures."""

import pytest

from nlp.figures import find_figures, parse_chinese_number


def figures(text):
    return find_figures(text, [(0, len(text))])


def test_million_people_with_subject():
    (figure,) = figures("Some 3.2 million people have been barred from buying plane tickets since 2015.")
    assert (figure.value, figure.unit, figure.subject) == (3_200_000, "people", "barred from buying plane tickets")
    assert figure.start_char == len("Some ")


def test_currency_with_bracketed_conversion_counted_once():
    found = figures("He was fined 1,850 yuan (about $260) for ignoring the ruling.")
    assert [(f.value, f.unit) for f in found] == [(1850, "CNY")]
    assert found[0].subject == "He was fined"


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("Regulators fined the platform US$1.5 billion last year.", 1.5e9, "USD"),
        ("The company paid HK$300 million in penalties.", 3e8, "HKD"),
        ("Brussels imposed a €20m penalty on the firm.", 2e7, "EUR"),
        ("The debt of RMB 50,000 was never repaid.", 50_000, "CNY"),
        ("The list shrank by 11.6 percent over the year.", 11.6, "percent"),
        ("Repayments rose 8% in the quarter.", 8, "percent"),
        ("Courts listed 4,300 online accounts in total.", 4300, "accounts"),
        ("法院对该公司罚款1.2亿元。", 1.2e8, "CNY"),
        ("全国共有三百万人被限制乘坐飞机。", 3e6, "people"),
    ],
)
def test_units_and_values(text, value, unit):
    found = figures(text)
    assert [(f.value, f.unit) for f in found] == [(value, unit)]


def test_subject_from_clause_before_when_noun_has_only_a_prepositional_phrase():
    (figure,) = figures("Purchases of high-speed rail tickets were blocked about 610,000 times over the same period.")
    assert (figure.value, figure.unit) == (610_000, "times")
    assert figure.subject == "Purchases of high-speed rail tickets were blocked"


def test_years_dates_and_bare_numbers_are_not_figures():
    assert figures("The rules took effect on May 1, 2019, and Article 5 applies since 2015.") == []
    assert figures("In 2024 courts reviewed the list.") == []


def test_chinese_numerals():
    assert parse_chinese_number("三百万") == 3_000_000
    assert parse_chinese_number("一亿二千万") == 120_000_000
    assert parse_chinese_number("十五") == 15
    assert parse_chinese_number("两千") == 2000


def test_identifiers_are_not_figures():
    assert figures("His ID 110105194912310021 and code 0571 appear, phone 13812345678 too.") == []
