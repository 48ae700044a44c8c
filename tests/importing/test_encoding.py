"""Bytes to text, or a clear refusal naming the file: UTF-8 first, with or
without a byte-order mark, UTF-16 by its mark, Windows-1252 next and Latin-1
last, and only when the result reads as text.
"""

import codecs

import pytest

from briefings.importing import ImportProblem, decode, parse_bytes, parse_file

from .corpus import seed_path

TEXT = "KUALA LUMPUR, 22 Jan — “Kerjasama” itu penting, kata Dato' Seri.\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_a_text_comes_back_whatever_its_encoding(data, encoding):
    decoded = decode(data, name="a.txt")
    assert decoded.text == TEXT
    assert decoded.encoding == encoding
    assert not decoded.text.startswith("\ufeff")


def test_a_file_that_is_not_utf_8_is_read_with_a_warning():
    decoded = decode(TEXT.encode("cp1252"), name="a.txt")
    assert "not UTF-8" in decoded.warnings[0]
    assert decode(TEXT.encode("utf-8")).warnings == ()


def test_latin_1_is_the_last_resort_for_a_text_that_reads_as_text():
    # 0x81 is undefined in Windows-1252; one stray byte in a page of text.
    data = ("Café " * 100).encode("latin-1") + b"\x81"
    decoded = decode(data, name="a.txt")
    assert decoded.encoding == "latin-1"
    assert decoded.text.startswith("Café Café")


def test_line_ends_become_line_feeds():
    decoded = decode(b"satu\r\ndua\rtiga\n")
    assert decoded.text == "satu\ndua\ntiga\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b" \r\n\t\n", "empty"),
        (codecs.BOM_UTF8, "empty"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "binary data"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (bytes(range(1, 32)) * 20, "control characters"),
    ],
)
def test_what_is_not_text_is_refused_with_a_message_naming_the_file(data, message):
    with pytest.raises(ImportProblem) as problem:
        decode(data, name="upload/0001.txt")
    assert problem.value.name == "upload/0001.txt"
    assert message in problem.value.message
    assert str(problem.value).startswith("upload/0001.txt: ")


def test_a_file_over_the_limit_is_refused():
    with pytest.raises(ImportProblem) as problem:
        decode(b"a" * 101, name="big.txt", max_bytes=100)
    assert "101 bytes" in problem.value.message
    assert "limit of 100" in problem.value.message


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * 2048)
    monkeypatch.setattr(
        type(path), "read_bytes", lambda self: pytest.fail("the file was read")
    )
    with pytest.raises(ImportProblem, match=r"big\.txt: the file is 2,048 bytes"):
        parse_file(path, max_bytes=1024)


def test_a_missing_file_is_a_problem_naming_it(tmp_path):
    with pytest.raises(ImportProblem, match="cannot be read"):
        parse_file(tmp_path / "missing.txt")


def test_a_file_of_nothing_but_furniture_is_refused():
    with pytest.raises(ImportProblem, match="nothing is left"):
        parse_bytes(b"Leave a Reply\nKomentar (0)\n", name="x.txt")


def test_a_windows_export_of_a_seed_parses_like_the_seed():
    text = seed_path("002").read_text("utf-8")
    exported = text.replace("\n", "\r\n").encode("cp1252")
    parsed = parse_bytes(exported, name="002.txt")
    original = parse_bytes(text.encode("utf-8"), name="002.txt")
    assert parsed.encoding == "cp1252"
    assert parsed.body == original.body
    assert parsed.published == original.published
    assert any("not UTF-8" in warning for warning in parsed.warnings)
