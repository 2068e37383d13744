"""Reported figures: value, unit and what they count; years and codes are not figures, a
conversion is a figure linked to the amount it restates."""

import pytest

from nlp.figures import find_figures, parse_chinese_number


def figures(text):
    return find_figures(text, [(0, len(text))])


def test_million_people_with_subject():
    (figure,) = figures("Some 3.2 million people have been barred from buying plane tickets since 2015.")
    assert (figure.value, figure.unit, figure.subject) == (3_200_000, "people", "people barred from buying plane tickets")
    assert figure.start_char == len("Some ")


def test_a_bracketed_conversion_is_a_figure_linked_to_its_original():
    found = figures("He was fined 1,850 yuan (about $260) for ignoring the ruling.")
    assert [(f.value, f.unit, f.converted_from) for f in found] == [(1850, "CNY", None), (260, "USD", found[0].start_char)]
    assert found[0].subject == found[1].subject == "He was fined"


@pytest.mark.parametrize(
    "text, original, conversion, subject",
    [
        ("The clinic billed her a 3,420 yuan (around $480) fee for one night.", (3420, "CNY"), (480, "USD"),
         "fee for one night"),
        ("Developers missed RMB 62 billion ($8.7 billion) in bond payments in the spring.", (62e9, "CNY"),
         (8.7e9, "USD"), "bond payments"),
    ],
)
def test_a_conversion_inside_a_noun_phrase(text, original, conversion, subject):
    first, second = figures(text)
    assert ((first.value, first.unit), (second.value, second.unit)) == (original, conversion)
    assert first.converted_from is None and second.converted_from == first.start_char
    assert first.subject == second.subject == subject


def test_a_count_without_a_unit_noun_takes_the_unit_it_refers_back_to():
    first, second = figures("Courts listed 9.4 million debtors, and more than 230,000 of them settled within a month.")
    assert (second.value, second.unit) == (230_000, "debtors")
    assert second.subject == "debtors who settled within a month"


def test_a_large_count_with_no_unit_at_all_is_still_a_figure():
    (figure,) = figures("By March, 57,000 had repaid in full.")
    assert (figure.value, figure.unit) == (57_000, "")
    assert figure.subject == "those who had repaid in full"


@pytest.mark.parametrize(
    "text, value, unit, subject",
    [
        ("Inspectors visited more than 260 Chinese counties last spring.", 260, "counties", "Chinese counties"),
        ("Last year 512 small online lending platforms closed.", 512, "platforms",
         "small online lending platforms that closed"),
        ("The bureau fined 73 registered credit repair agencies in June.", 73, "agencies",
         "registered credit repair agencies"),
    ],
)
def test_words_between_the_number_and_its_noun(text, value, unit, subject):
    (figure,) = figures(text)
    assert (figure.value, figure.unit, figure.subject) == (value, unit, subject)


def test_hyphenated_measures():
    (figure,) = figures("The map flags every listed debtor inside a 300-metre circle around you.")
    assert (figure.value, figure.unit, figure.subject) == (300, "metres", "circle around you")
    (loan,) = figures("He took a 45,000-yuan loan from a cousin.")
    assert (loan.value, loan.unit, loan.subject) == (45_000, "CNY", "loan from a cousin")
    assert figures("A 42-year-old driver was stopped at the gate.") == []


def test_ranges_give_both_ends():
    found = figures("Baihang's new score runs from 300 to 850 points.")
    assert [(f.value, f.unit) for f in found] == [(300, "points"), (850, "points")]
    low, high = figures("Applicants were quoted scores of between 410 and 780.")
    assert [(low.value, low.unit), (high.value, high.unit)] == [(410, "points"), (780, "points")]
    low, high = figures("Repair agencies charge between 2,500 and 18,000 yuan per record.")
    assert [(low.value, low.unit), (high.value, high.unit)] == [(2500, "CNY"), (18_000, "CNY")]
    assert low.subject == high.subject


def test_a_comparison_shares_unit_and_subject():
    now, then = figures("Some 6.1 million people were on the list in May, down from a peak of roughly 9 million in 2021.")
    assert (then.value, then.unit, then.subject) == (9_000_000, "people", now.subject)
    assert now.subject == "people on the list"


def test_coordinated_counts_share_the_unit():
    first, second = figures("Courts blocked 2.6 million people from flying, and more than 700,000 were kept off trains.")
    assert (second.value, second.unit, second.subject) == (700_000, "people", "people kept off trains")


def test_units_come_from_the_known_list():
    """A word after a number is a unit only if the data file lists it ("can" is not)."""
    assert figures("Only 4 can apply each year.") == []
    assert figures("Officials said 950 based on the survey.") == []
    (figure,) = figures("A total of 4,000 can be processed daily.")
    assert figure.unit == ""


def test_values_keep_their_written_precision():
    (figure,) = figures("The fund grew to 8.2 million yuan.")
    assert figure.value == 8_200_000 and repr(figure.value) == "8200000.0"
    (share,) = figures("Defaults fell to 0.7 percent.")
    assert share.value == 0.7


@pytest.mark.parametrize(
    "text, subject",
    [
        ("About 7.3 million people were on the blacklist at the end of June.", "people on the blacklist"),
        ("Officials said 5,200 companies had been listed.", "companies listed"),
        ("Officials said 3.5 billion yuan in wages was recovered.", "wages"),
        ("The regulator said on Friday that 14 percent of listed firms appealed.", "listed firms appealed"),
    ],
)
def test_subjects_are_noun_phrases_not_fragments(text, subject):
    assert figures(text)[0].subject == subject


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("Regulators fined the platform US$1.5 billion last year.", 1.5e9, "USD"),
        ("The company paid HK$300 million in penalties.", 3e8, "HKD"),
        ("Brussels imposed a €20m penalty on the firm.", 2e7, "EUR"),
        ("The regulator fined the lender £4.5bn.", 4.5e9, "GBP"),
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
