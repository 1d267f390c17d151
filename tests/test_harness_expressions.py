"""The workflow harness's expression evaluator: the harness's verdicts are only as good as it is."""

from __future__ import annotations

import pytest

from tests.harness.expressions import ExpressionError, Status, condition, evaluate, interpolate

CONTEXT = {"github": {"server_url": "https://github.com", "repository": "acme/platform", "run_id": 7,
                      "event_name": "pull_request", "event": {"pull_request": {"labels": [{"name": "goldenpath/destroy"}]}}},
           "needs": {"check": {"outputs": {"pending": "true", "matrix": '{"include": [{"env": "dev"}]}'}}}}


def test_several_expressions_in_one_string_are_each_evaluated():
    value = "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}"
    assert interpolate(value, CONTEXT) == "https://github.com/acme/platform/actions/runs/7"


def test_a_string_that_is_one_expression_keeps_its_type():
    assert interpolate("${{ fromJSON(needs.check.outputs.matrix) }}", CONTEXT) == {"include": [{"env": "dev"}]}


def test_comparisons_are_loose_and_operators_return_operands():
    assert evaluate("github.event_name == 'PULL_REQUEST'", CONTEXT) is True
    assert evaluate("needs.check.outputs.missing || 'fallback'", CONTEXT) == "fallback"
    assert evaluate("contains(github.event.pull_request.labels.*.name, 'goldenpath/destroy')", CONTEXT) is True


def test_conditions_default_to_success_and_see_failures():
    assert condition("needs.check.outputs.pending == 'true'", CONTEXT, Status())
    assert not condition("needs.check.outputs.pending == 'true'", CONTEXT, Status(failed=True))
    assert condition("always()", CONTEXT, Status(failed=True))


def test_anything_outside_the_language_is_an_error_not_a_guess():
    with pytest.raises(ExpressionError):
        evaluate("github.run_id + 1", CONTEXT)
