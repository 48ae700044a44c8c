from types import SimpleNamespace

from briefings.highlighting import segments


def span(start, end, name):
    return SimpleNamespace(start=start, end=end, name=name)


def test_the_runs_put_the_text_back_together_unchanged():
    body = "Satu. Dua tiga. Empat."
    runs = segments(body, [span(6, 15, "a"), span(10, 22, "b")])
    assert "".join(run.text for run in runs) == body


def test_overlapping_annotations_cover_the_runs_they_share():
    body = "Satu. Dua tiga. Empat."
    a, b = span(6, 15, "a"), span(10, 22, "b")
    runs = {run.text: run for run in segments(body, [a, b])}
    assert runs["Satu. "].covering == []
    assert runs["Dua "].covering == [a] and runs["Dua "].starting == [a]
    assert runs["tiga."].covering == [a, b] and runs["tiga."].ending == [a]
    assert runs[" Empat."].covering == [b] and runs[" Empat."].ending == [b]


def test_a_span_outside_the_text_is_left_out_rather_than_misplaced():
    runs = segments("Pendek.", [span(3, 99, "stale")])
    assert [run.text for run in runs] == ["Pendek."]
    assert runs[0].covering == []


def test_an_empty_text_has_no_runs():
    assert segments("", []) == []
