"""kabar/geo.py: Natural Earth outlines read offline from the shipped shapefiles."""

from kabar import geo


def test_indonesia_has_coast_borders_and_province_lines() -> None:
    layers = geo.outlines(geo.INDONESIA)
    assert len(layers["coast"]) > 100 and len(layers["provinces"]) > 100 and layers["borders"]
    points = [p for line in layers["provinces"] for p in line]
    x0, y0, x1, y1 = geo.INDONESIA
    # Province lines are clipped to the region around Indonesia, not the world's.
    assert all(x0 - 10 <= x <= x1 + 10 and y0 - 10 <= y <= y1 + 10 for x, y in points)


def test_view_fits_the_places() -> None:
    assert geo.view_for([(106.8, -6.2), (112.7, -7.25)]) == geo.INDONESIA  # Jakarta, Surabaya
    view = geo.view_for([(106.8, -6.2), (37.6, 55.75)])  # Jakarta and Moscow
    assert view[0] <= 37.6 and view[2] >= 106.8 and view[1] <= -6.2 and view[3] >= 55.75
    world = geo.outlines(geo.WORLD)
    assert world["coast"] and not world["provinces"]  # the world map skips province lines


def test_missing_shapes_give_empty_layers(monkeypatch) -> None:
    monkeypatch.setattr(geo, "basemap_dir", lambda: None)
    geo.outlines.cache_clear()
    try:
        assert geo.outlines((0.0, 0.0, 10.0, 10.0)) == {"coast": [], "borders": [], "provinces": []}
    finally:
        geo.outlines.cache_clear()
