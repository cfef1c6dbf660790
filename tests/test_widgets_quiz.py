"""The "predict, then run" quiz: instant, right feedback for every option."""

import pytest

from course_utils import widgets

OPTIONS = ["0.25", "0.5", "0.693"]
EXPLANATIONS = ["too small", "that is the accuracy", "ln 2: the BCE of a 0.5 guess"]


def test_each_option_shows_its_own_explanation_with_the_right_verdict():
    quiz = widgets.quiz("BCE of a constant 0.5?", OPTIONS, 2, EXPLANATIONS)
    assert quiz.feedback.value == ""  # nothing before a choice
    for i, explanation in enumerate(EXPLANATIONS):
        quiz.choice.value = i
        assert explanation in quiz.feedback.value
        assert ("✅" in quiz.feedback.value) == (i == 2)
        assert ("❌" in quiz.feedback.value) == (i != 2)
    assert [label for label, _ in quiz.choice.options] == OPTIONS


def test_the_question_is_shown_escaped():
    quiz = widgets.quiz("Is 1 < 2?", ["yes", "no"], 0, ["right", "wrong"])
    assert "Is 1 &lt; 2?" in quiz.children[0].value


@pytest.mark.parametrize(
    ("options", "answer", "explanations", "message"),
    [
        (["a", "b"], 2, ["x", "y"], "answer=2 is not the index of an option: use 0 to 1"),
        (["a", "b"], 0, ["x"], "got 2 options but 1 explanations"),
        (["a"], 0, ["x"], "at least 2 options"),
    ],
)
def test_a_badly_built_quiz_says_what_to_fix(options, answer, explanations, message):
    with pytest.raises(ValueError, match=message):
        widgets.quiz("q", options, answer, explanations)
