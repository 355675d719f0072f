"""The annotation markup parser and `python -m nlp.corpus check`."""
from pathlib import Path

from nlp.corpus import check, parse_markup


def test_markup_is_removed_and_offsets_slice_the_plain_text():
    raw = "我们担心{{双方系统接口不兼容|technical|risk-architecture-incompatibility}}，因为[[数据格式不统一|cause-incompatible-data-formats]]。\n本项目{{不涉及个人信息|legal|risk-privacy-noncompliance|neg}}。"
    text, mentions, atts, clauses, problems = parse_markup(raw)
    assert problems == []
    assert "{{" not in text and "[[" not in text
    assert [text[m.start:m.end] for m in mentions] == ["双方系统接口不兼容", "不涉及个人信息"]
    assert mentions[1].neg and not mentions[0].neg
    assert text[atts[0].start:atts[0].end] == "数据格式不统一" and atts[0].kind == "cause"


def test_clause_markers_start_clauses_that_run_to_the_next_marker():
    raw = "协议\n<<payment>>第一条 付款\n1.1 按季度结算。\n<<governing_law>>第二条 适用法律\n适用中国法律。\n"
    text, _, _, clauses, problems = parse_markup(raw)
    assert problems == []
    assert [c.type for c in clauses] == ["payment", "governing_law"]
    assert text[clauses[0].start:clauses[0].end].startswith("第一条 付款")
    assert "第二条" not in clauses[0].text


def test_check_reports_bad_markup_with_file_and_line(tmp_path: Path, capsys):
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "zh-notes-001.txt").write_text(
        "第一行\n{{x|tech|risk-data-breach}} 和 {{未关闭\n{{y|legal|risk-no-such-thing}}\n", encoding="utf-8")
    assert check(tmp_path) == 1
    printed = capsys.readouterr().out
    assert "zh-notes-001.txt:2: unknown category 'tech'" in printed
    assert "zh-notes-001.txt:2: unclosed '{{'" in printed
    assert "zh-notes-001.txt:3: unknown concept id 'risk-no-such-thing'" in printed


def test_the_shipped_corpus_checks_clean():
    assert check() == 0


def test_check_shows_writers_the_train_counts_only_unless_asked(capsys):
    assert check() == 0
    shown = capsys.readouterr().out
    assert "\ntrain " in shown and "\ntest " not in shown and "\ndev " not in shown
    from nlp.corpus import SPLITS
    assert check(splits=SPLITS) == 0
    assert "\ntest " in capsys.readouterr().out
