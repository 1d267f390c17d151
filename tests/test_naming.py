"""Naming: deterministic, collision-free, length-safe names (no jsii needed)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goldenpath.constructs.naming import HASH_LENGTH, Naming, NameKind, safe_name

VALID = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
texts = st.text(min_size=1, max_size=220)


def test_short_valid_names_are_kept_verbatim():
    assert Naming("dev").name("cluster") == "dev-cluster"
    assert Naming("dev").name("nodes", "general", kind=NameKind.IAM_ROLE) == "dev-nodes-general"


def test_too_long_names_get_readable_prefix_and_stable_hash():
    name = Naming("dev").name("x" * 80, kind=NameKind.LOAD_BALANCER)
    assert len(name) == 32
    assert name.startswith("dev-xxxx")
    assert re.fullmatch(r"[a-z0-9-]+--[0-9a-f]{%d}" % HASH_LENGTH, name)
    assert name == Naming("dev").name("x" * 80, kind=NameKind.LOAD_BALANCER)


def test_invalid_characters_are_sanitised_and_hashed():
    name = safe_name("Feature/ÜBER_cool branch", NameKind.KUBERNETES)
    assert name.startswith("feature-uber-cool-branch--")
    assert VALID.match(name)


def test_unicode_only_text_still_gets_a_valid_name():
    assert VALID.match(safe_name("日本語", NameKind.S3_BUCKET))


def test_empty_input_is_refused():
    with pytest.raises(ValueError, match="at least one non-empty part"):
        safe_name("", NameKind.KUBERNETES)
    with pytest.raises(ValueError, match="at least one prefix part"):
        Naming()


@settings(max_examples=400, deadline=None)
@given(text=texts, kind=st.sampled_from(list(NameKind)))
def test_names_are_valid_and_never_exceed_the_limit(text, kind):
    name = safe_name(text, kind)
    assert len(name) <= kind.max_length
    assert VALID.match(name), name
    assert safe_name(text, kind) == name  # deterministic


@settings(max_examples=400, deadline=None)
@given(first=texts, second=texts, kind=st.sampled_from(list(NameKind)))
def test_distinct_inputs_never_collide(first, second, kind):
    if first != second:
        assert safe_name(first, kind) != safe_name(second, kind)


@settings(max_examples=200, deadline=None)
@given(text=st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,5}", fullmatch=True), kind=st.sampled_from(list(NameKind)))
def test_hashed_and_verbatim_names_cannot_meet(text, kind):
    # A verbatim name never contains "--"; every hashed name does.
    name = safe_name(text, kind)
    assert ("--" in name) == (name != text)
