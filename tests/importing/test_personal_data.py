"""Imported people are known by initials only; the staff masker hides those initials from readers
without ``view_personal_data`` as it hides any recorded name."""

from oversight.personal_data import Masker


def test_initials_recorded_as_a_name_are_masked_exactly_as_recorded():
    masker = Masker([("a complainant", "BH", "", "", "")])
    text = "The complainant, BH, states that BH was pushed; she abhors it. Bh and bh are not her."
    assert masker.text(text) == (
        "The complainant, [a complainant], states that [a complainant] was pushed; she abhors it. "
        "Bh and bh are not her."
    )


def test_a_single_letter_is_never_taken_for_initials():
    masker = Masker([("a complainant", "B", "", "", "")])
    assert masker.text("Plan B, section B.") == "Plan B, section B."


def test_longer_names_are_masked_as_before():
    masker = Masker([("a witness", "Dana Quill", "", "", "")])
    assert masker.text("Dana Quill saw it; QUILL said so.") == "[a witness] saw it; [a witness] said so."
