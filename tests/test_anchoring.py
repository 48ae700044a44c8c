"""Re-anchoring an annotation after its article's text was corrected
(briefings/anchoring.py): a corpus of edits, then properties over any edit."""

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.anchoring import reanchor, selectors_for
from briefings.models import AnchorState

BODY = (
    "KUALA LUMPUR, 26 Feb — The defence ministers met in Kuala Lumpur.\n"
    "They agreed to hold joint maritime exercises next year.\n"
    "The meeting ended with a joint statement."
)
QUOTE = "They agreed to hold joint maritime exercises next year."


def annotation_on(body: str, quote: str, occurrence: int = 0) -> SimpleNamespace:
    start = -1
    for _ in range(occurrence + 1):
        start = body.index(quote, start + 1)
    quote, prefix, suffix = selectors_for(body, start, start + len(quote))
    return SimpleNamespace(
        start=start,
        end=start + len(quote),
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        anchor_state=AnchorState.ANCHORED,
    )


def test_selectors_take_up_to_32_characters_of_context():
    start = BODY.index(QUOTE)
    quote, prefix, suffix = selectors_for(BODY, start, start + len(QUOTE))
    assert quote == QUOTE
    assert prefix == BODY[start - 32 : start]
    assert suffix == BODY[start + len(QUOTE) :][:32]
    assert selectors_for("abc", 0, 1) == ("a", "", "bc")


def test_an_edit_after_the_quote_leaves_it_where_it_was():
    annotation = annotation_on(BODY, QUOTE)
    new = BODY.replace("joint statement", "short joint statement")
    anchor = reanchor(BODY, new, annotation)
    assert (anchor.start, anchor.end, anchor.state) == (
        annotation.start,
        annotation.end,
        AnchorState.ANCHORED,
    )
    assert anchor.quote == QUOTE


def test_an_insertion_before_the_quote_shifts_it():
    annotation = annotation_on(BODY, QUOTE)
    new = BODY.replace("26 Feb", "Wednesday 26 February")
    anchor = reanchor(BODY, new, annotation)
    assert anchor.state == AnchorState.ANCHORED
    assert anchor.start == annotation.start + len("Wednesday 26 February") - 6
    assert new[anchor.start : anchor.end] == QUOTE


def test_the_shift_is_found_without_the_old_text_too():
    annotation = annotation_on(BODY, QUOTE)
    new = "Updated. " + BODY
    anchor = reanchor(None, new, annotation)
    assert anchor.state == AnchorState.ANCHORED
    assert new[anchor.start : anchor.end] == QUOTE


def test_a_small_change_inside_the_quote_makes_it_fuzzy_with_the_new_words():
    annotation = annotation_on(BODY, QUOTE)
    new = BODY.replace("joint maritime", "joint naval")
    anchor = reanchor(BODY, new, annotation)
    assert anchor.state == AnchorState.FUZZY
    assert anchor.quote == "They agreed to hold joint naval exercises next year."
    assert new[anchor.start : anchor.end] == anchor.quote


def test_a_word_added_inside_the_quote_is_taken_into_the_fuzzy_span():
    annotation = annotation_on(BODY, QUOTE)
    new = BODY.replace("agreed to", "agreed formally to")
    anchor = reanchor(BODY, new, annotation)
    assert anchor.state == AnchorState.FUZZY
    assert anchor.quote == QUOTE.replace("agreed to", "agreed formally to")


def test_a_rewritten_quote_is_orphaned_and_keeps_its_words():
    annotation = annotation_on(BODY, QUOTE)
    new = BODY.replace(QUOTE, "Both sides will study a proposal for drills.")
    anchor = reanchor(BODY, new, annotation)
    assert anchor.state == AnchorState.ORPHANED
    assert anchor.quote == QUOTE
    assert 0 <= anchor.start < anchor.end <= len(new)


def test_a_deleted_quote_is_orphaned_with_its_offsets_clamped_into_the_text():
    annotation = annotation_on(BODY, "The meeting ended with a joint statement.")
    new = BODY[: BODY.index("The meeting ended")]
    anchor = reanchor(BODY, new, annotation)
    assert anchor.state == AnchorState.ORPHANED
    assert anchor.quote == annotation.quote
    assert 0 <= anchor.start < anchor.end <= len(new)


def test_of_repeated_quotes_the_one_with_the_same_context_is_chosen():
    body = "Malaysia agreed. Indonesia said yes. Vietnam agreed. Laos said yes."
    annotation = annotation_on(body, "said yes", occurrence=1)  # Laos's
    # A new sentence before both puts another "said yes" nearer the old offset.
    new = "Thailand said yes. " + body
    anchor = reanchor(None, new, annotation)
    assert anchor.state == AnchorState.ANCHORED
    assert new[anchor.start - 5 : anchor.end] == "Laos said yes"


def test_of_repeated_quotes_with_the_same_context_the_nearest_is_chosen():
    body = "yes. yes. yes. yes. yes."
    annotation = SimpleNamespace(start=10, end=13, quote="yes", prefix="", suffix="")
    new = "yes, " + body
    anchor = reanchor(body, new, annotation)
    assert (anchor.start, anchor.state) == (15, AnchorState.ANCHORED)


def test_a_quote_elsewhere_is_not_taken_when_its_own_words_were_rewritten():
    body = "Alpha met Beta. The talks were frank and useful. Gamma met Delta."
    annotation = annotation_on(body, "The talks were frank and useful.")
    new = body.replace("The talks were frank and useful.", "Nothing was agreed.")
    anchor = reanchor(body, new, annotation)
    assert anchor.state == AnchorState.ORPHANED


def test_a_change_of_whitespace_inside_the_quote_keeps_it_anchored():
    annotation = annotation_on(BODY, QUOTE)
    new = BODY.replace("joint maritime", "joint\nmaritime").replace("next ", "next  ")
    anchor = reanchor(BODY, new, annotation)
    assert anchor.state == AnchorState.ANCHORED
    assert anchor.quote == "They agreed to hold joint\nmaritime exercises next  year."
    assert new[anchor.start : anchor.end] == anchor.quote


def test_crlf_line_ends_turned_into_lf_keep_the_quote_anchored():
    old = BODY.replace("\n", "\r\n")
    quote = "Kuala Lumpur.\r\nThey agreed"
    annotation = annotation_on(old, quote)
    anchor = reanchor(old, BODY, annotation)
    assert anchor.state == AnchorState.ANCHORED
    assert anchor.quote == "Kuala Lumpur.\nThey agreed"


def test_a_fuzzy_anchor_stays_fuzzy_until_an_editor_confirms_it():
    annotation = annotation_on(BODY, QUOTE)
    annotation.anchor_state = AnchorState.FUZZY
    anchor = reanchor(BODY, BODY + " More.", annotation)
    assert anchor.state == AnchorState.FUZZY
    assert (anchor.start, anchor.end) == (annotation.start, annotation.end)


def test_it_is_deterministic():
    annotation = annotation_on(BODY, QUOTE)
    new = BODY.replace("joint maritime", "joint naval")
    assert len({reanchor(BODY, new, annotation) for _ in range(5)}) == 1


# Properties ------------------------------------------------------------------------

texts = st.text(alphabet="ab c.\n\r\tüé", max_size=80)


@st.composite
def edits(draw):
    old = draw(texts.filter(lambda t: len(t) >= 1))
    start = draw(st.integers(0, len(old) - 1))
    end = draw(st.integers(start + 1, len(old)))
    quote, prefix, suffix = selectors_for(old, start, end)
    if draw(st.booleans()):
        quote = draw(st.text(alphabet="ab c", max_size=12))
    cut = draw(st.integers(0, len(old)))
    cut_end = draw(st.integers(cut, len(old)))
    new = old[:cut] + draw(texts) + old[cut_end:]
    annotation = SimpleNamespace(
        start=start,
        end=end,
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        anchor_state=draw(st.sampled_from(list(AnchorState))),
    )
    return old, new, annotation


@settings(max_examples=400, deadline=None)
@given(edits(), st.booleans())
def test_reanchoring_never_fails_and_never_points_outside_the_text(edit, know_old):
    old, new, annotation = edit
    anchor = reanchor(old if know_old else None, new, annotation)
    assert 0 <= anchor.start <= anchor.end <= len(new)
    if new:
        assert anchor.start < anchor.end
    if anchor.state == AnchorState.ANCHORED:
        assert new[anchor.start : anchor.end] == anchor.quote
    if anchor.state == AnchorState.FUZZY:
        assert anchor.quote == new[anchor.start : anchor.end]
    if anchor.state == AnchorState.ORPHANED:
        assert anchor.quote == annotation.quote


@settings(max_examples=200, deadline=None)
@given(edits())
def test_an_untouched_quote_is_anchored_where_it_was(edit):
    old, _new, annotation = edit
    annotation.anchor_state = AnchorState.ANCHORED
    if old[annotation.start : annotation.end] != annotation.quote:
        return
    anchor = reanchor(old, old, annotation)
    assert (anchor.start, anchor.end, anchor.state) == (
        annotation.start,
        annotation.end,
        AnchorState.ANCHORED,
    )
