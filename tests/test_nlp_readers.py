"""Readers and sentence splitting: PDF and DOCX fixtures, garbage, unsupported files, wrapped lines."""
from pathlib import Path

import pytest

from nlp.errors import UnreadableFileError, UnsupportedFileError
from nlp.readers import read_bytes, read_path
from nlp.sentences import split_sentences
from tests.fixtures.make_fixtures import make_docx, make_pdf


def test_a_pdf_with_a_chinese_text_layer_is_read(tmp_path: Path):
    text = read_path(make_pdf(tmp_path / "notes.pdf"))
    assert "接口不兼容" in text and "不涉及个人信息" in text


def test_a_docx_is_read_with_its_paragraphs_and_tables(tmp_path: Path):
    text = read_path(make_docx(tmp_path / "notes.docx"))
    assert "APIs don't line up" in text and "not funded yet" in text


def test_binary_garbage_gives_one_clear_error():
    with pytest.raises(UnreadableFileError, match="binary"):
        read_bytes(bytes(range(256)) * 40, "blob.txt")


def test_an_unsupported_file_type_is_refused(tmp_path: Path):
    p = tmp_path / "sheet.xlsx"
    p.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnsupportedFileError, match="unsupported file type"):
        read_path(p)


def test_a_corrupt_pdf_is_unreadable(tmp_path: Path):
    p = tmp_path / "broken.pdf"
    p.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(UnreadableFileError):
        read_path(p)


def test_gb18030_text_is_decoded():
    assert read_bytes("数据出境合规".encode("gb18030"), "a.txt") == "数据出境合规"


def test_chinese_sentences_broken_by_hard_line_breaks_are_joined():
    text = "合作协议还只是意向书，双方的权利义务约定很\n模糊，将来很可能产生合同纠纷。\n- 下一条"
    spans = split_sentences(text)
    assert text[spans[0][0]:spans[0][1]].endswith("合同纠纷。")
    assert text[spans[1][0]:spans[1][1]] == "下一条"


def test_bullets_numbers_and_chinese_punctuation_split_sentences():
    text = "一、技术\n- 接口不兼容！需评估\n1. 需求还看不清。竞争激烈？\n（2）回本周期长\nThe API may break. We test it."
    got = [text[s:e] for s, e in split_sentences(text)]
    assert got == ["技术", "接口不兼容！", "需评估", "需求还看不清。", "竞争激烈？", "回本周期长",
                   "The API may break.", "We test it."]


def test_multi_level_clause_numbers_are_stripped_whole_and_a_number_can_end_a_sentence():
    text = ("2.3 Borealis may reassign the architect.\n1.2 甲方负责运维。\n"
            "Revenue fell in 2026. The board asked why.\n1. The first item. 2. The second.\n3.5% of tenants left.")
    got = [text[s:e] for s, e in split_sentences(text)]
    assert got == ["Borealis may reassign the architect.", "甲方负责运维。", "Revenue fell in 2026.",
                   "The board asked why.", "The first item. 2. The second.", "3.5% of tenants left."]


def test_a_chinese_line_wrapped_before_an_english_term_is_joined():
    text = "乙方计划在下个季度把全部租户迁移到新的\nAPI 网关上，迁移窗口只有两周。\nSLA 另行约定。"
    got = [text[s:e] for s, e in split_sentences(text)]
    assert got == ["乙方计划在下个季度把全部租户迁移到新的\nAPI 网关上，迁移窗口只有两周。", "SLA 另行约定。"]


def test_only_one_number_is_stripped_after_the_bullets():
    text = "4.1 0.5 米以下的积水会淹没机房。\n- 1. The partner may exit.\n## 2. 风险"
    got = [text[s:e] for s, e in split_sentences(text)]
    assert got == ["0.5 米以下的积水会淹没机房。", "The partner may exit.", "风险"]
