from xml.etree import ElementTree

import pytest

from briefings.charts import bar_chart, meeting_timeline

SVG = "{http://www.w3.org/2000/svg}"


def test_a_bar_chart_is_valid_svg_that_states_its_figures_in_words():
    svg = ElementTree.fromstring(
        bar_chart([("announced", 3), ("fulfilled", 1)], title="By standing")
    )
    assert svg.find(f"{SVG}title").text == "By standing"
    assert svg.find(f"{SVG}desc").text == "announced: 3, fulfilled: 1"
    widths = [float(r.get("width")) for r in svg.iter(f"{SVG}rect")]
    assert widths[0] == pytest.approx(3 * widths[1], abs=0.2)


def test_labels_are_escaped_not_injected():
    svg = bar_chart([("<script>alert(1)</script>", 1)], title="t")
    assert "<script>" not in svg
    ElementTree.fromstring(svg)


def test_the_timeline_has_a_column_for_every_year_in_the_range_even_empty_ones():
    svg = ElementTree.fromstring(meeting_timeline([("2021", 1), ("2023", 4)]))
    years = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    assert years == ["2021", "2022", "2023"]
    assert svg.find(f"{SVG}desc").text == "2021: 1, 2022: 0, 2023: 4"


def test_the_timeline_says_so_when_nothing_is_dated():
    assert "No dated meetings yet." in meeting_timeline([])
