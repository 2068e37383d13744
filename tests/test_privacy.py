"""Resident ID and phone numbers are redacted; ordinary numbers are left alone."""

from nlp.privacy import contains_personal_data, is_resident_id, redact


def resident_id(first17: str) -> str:
    """A valid ID for the given first 17 digits (ISO 7064 MOD 11-2 check character)."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    return first17 + "10X98765432"[total % 11]


VALID_X = resident_id("11010519491231002")  # check character X
VALID_DIGIT = resident_id("44030419900307123")


def test_checksum():
    assert VALID_X.endswith("X")
    assert is_resident_id(VALID_X) and is_resident_id(VALID_X.lower())
    assert is_resident_id(VALID_DIGIT)
    wrong = VALID_DIGIT[:17] + str((int(VALID_DIGIT[17]) + 1) % 10) if VALID_DIGIT[17] != "X" else VALID_DIGIT[:17] + "0"
    assert not is_resident_id(wrong)


def test_resident_ids_redacted_solid_spaced_and_hyphenated():
    spaced = f"{VALID_DIGIT[:6]} {VALID_DIGIT[6:14]} {VALID_DIGIT[14:]}"
    hyphenated = f"{VALID_X[:6]}-{VALID_X[6:14]}-{VALID_X[14:]}"
    text = f"Debtor Zhou (ID {VALID_X}), ID number {spaced}; also {hyphenated}."
    assert redact(text) == "Debtor Zhou (ID [ID REDACTED]), ID number [ID REDACTED]; also [ID REDACTED]."


def test_invalid_checksum_and_case_numbers_are_kept():
    wrong = VALID_X[:17] + "1"
    text = f"Case (2019) Zhe 0105 Zhi 1234 and the number {wrong} stay."
    assert redact(text) == text


def test_phone_numbers_redacted():
    text = ("Call 138-1234-5678, 13812345678, +86 139 1234 5678, (+86)15012345678, "
            "0571-88776655, 010 6552 9988, +86 10 6552 9988 or (0571) 8877 6655.")
    redacted = redact(text)
    assert redacted.count("[PHONE REDACTED]") == 8
    assert not any(ch.isdigit() for ch in redacted)


def test_ordinary_numbers_untouched():
    text = ("3.2 million people, in 2024, fined 1,850 yuan (about $260), 11.6 percent, "
            "on 2024-05-08, 1.2亿元, 12,000,000 readers, 610,000 times, 23,000 yuan.")
    assert redact(text) == text
    assert not contains_personal_data(text)


def test_idempotent():
    text = f"ID {VALID_X}, phone 13812345678."
    once = redact(text)
    assert redact(once) == once
    assert not contains_personal_data(once)
