"""ui/cache.live_view: a training's live view is drawn once per snapshot for every student waiting on it."""

from ui import cache


def test_one_snapshot_is_drawn_once_for_every_watcher_in_one_language():
    cache.live_view.clear()
    drawn = []

    def draw():
        drawn.append(1)
        return object()

    first = cache.live_view("sine-u4", 10, (15.0, 0.05), "en", draw)
    assert cache.live_view("sine-u4", 10, (15.0, 0.05), "en", draw) is first  # a second student: no new draw
    assert len(drawn) == 1
    for other in [("sine-u4", 20, (15.0, 0.05), "en"), ("sine-u4", 10, (16.0, 0.05), "en"),
                  ("sine-u4", 10, (15.0, 0.05), "zh"), ("sine-u5", 10, (15.0, 0.05), "en")]:
        assert cache.live_view(*other, draw) is not first  # another snapshot, wave, language or model
    assert len(drawn) == 5
