from acd.config_model import FeatureCodes
from acd.feature_codes import FeatureRequest, parse_feature

CODES = FeatureCodes()


def test_login_carries_the_pin() -> None:
    assert parse_feature("*117301", CODES) == FeatureRequest("login", "7301")


def test_plain_codes() -> None:
    assert parse_feature("*12", CODES) == FeatureRequest("pause")
    assert parse_feature("*13", CODES) == FeatureRequest("ready")
    assert parse_feature("*14", CODES) == FeatureRequest("logout")


def test_pause_may_carry_a_reason_code() -> None:
    assert parse_feature("*123", CODES) == FeatureRequest("pause", "3")


def test_unknown_and_trailing_garbage_are_refused() -> None:
    assert parse_feature("*19", CODES) is None
    assert parse_feature("*13x", CODES) is None
    assert parse_feature("1001", CODES) is None


def test_longest_code_wins() -> None:
    codes = FeatureCodes(login="*1", pause="*12", ready="*13", logout="*14")
    assert parse_feature("*12", codes) == FeatureRequest("pause")
    assert parse_feature("*1999", codes) == FeatureRequest("login", "999")
