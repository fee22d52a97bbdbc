"""What a waiting caller hears at each announcement, as the queue's config asks."""

from acd.callflow import announcement_media
from acd.config_model import AnnounceConfig

POSITION = ["sound:queue-thereare", "number:3", "sound:queue-callswaiting"]


def test_position_and_estimated_wait_in_whole_minutes() -> None:
    assert announcement_media(AnnounceConfig(every=30), 3, 150) == [
        *POSITION, "sound:queue-holdtime", "number:2", "sound:queue-minutes"]
    assert announcement_media(AnnounceConfig(every=30), 3, 10)[-2] == "number:1"


def test_no_estimate_means_position_only() -> None:
    assert announcement_media(AnnounceConfig(every=30), 3, None) == POSITION


def test_either_part_can_be_switched_off() -> None:
    assert announcement_media(AnnounceConfig(every=30, ewt=False), 3, 150) == POSITION
    assert announcement_media(AnnounceConfig(every=30, position=False), 3, 150) == [
        "sound:queue-holdtime", "number:2", "sound:queue-minutes"]
    assert announcement_media(AnnounceConfig(every=30, position=False, ewt=False), 3, 150) == []
