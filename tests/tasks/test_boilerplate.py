"""tasks/boilerplate.py's structural pass: ruby annotations are written in line."""

from __future__ import annotations

from datetime import datetime, timezone

import lxml.html

from kabar.models import Fetched, Item
from tasks.boilerplate import prune_tree
from tasks.extract import extract_article

URL = "https://shinbun.example/2024/12/03/kaigi"
#: Two paragraphs, each with a name and its reading as ruby, as Japanese newspapers print them.
RUBY = "<ruby><rb>{base}</rb><rp>（</rp><rt>{reading}</rt><rp>）</rp></ruby>"
FIRST = ("【東京】政府の " + RUBY.format(base="諮問会議", reading="しもんかいぎ")
         + " は３日、来年度の予算案について議論し、地方の交通網を守るための新しい基金を設ける方針を確認した。")
SECOND = ("会議では " + RUBY.format(base="知事", reading="ちじ")
          + " らが人口の減少に合わせた路線の見直しを求め、国の支援を拡充するよう強く要望した。")


def test_ruby_is_written_in_line_with_its_reading() -> None:
    tree = lxml.html.fromstring(f"<html><body><article><p>{FIRST}</p><p>{SECOND}</p></article></body></html>")
    assert prune_tree(tree)["ruby"] == 2
    paragraphs = [p.text_content() for p in tree.iter("p")]
    assert paragraphs[0].startswith("【東京】政府の 諮問会議（しもんかいぎ） は３日")
    assert "会議では 知事（ちじ） らが" in paragraphs[1]
    assert not list(tree.iter("ruby", "rt", "rp", "rb"))
    # without the page's brackets the reading would run into the base (子こども): left to trafilatura
    bare = lxml.html.fromstring("<html><body><p><ruby>子<rt>こ</rt></ruby>どもへの虐待をなくす</p></body></html>")
    assert prune_tree(bare)["ruby"] == 0 and bare.find(".//ruby") is not None


def test_an_article_with_ruby_keeps_each_paragraph_on_one_line() -> None:
    declared = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "予算案を議論"}</script>'
    html = (f"<html><head><title>予算案を議論</title>{declared}</head><body><article><h1>予算案を議論</h1>"
            f"<p>{FIRST}</p><p>{SECOND}</p></article></body></html>")
    fetched = Fetched(Item(url=URL, source="uji"), datetime(2024, 12, 3, 9, 0, tzinfo=timezone.utc), 200,
                      None, html.encode("utf-8"), "text/html; charset=utf-8", URL)
    lines = extract_article(fetched).text.split("\n")
    # trafilatura alone breaks the line at each <ruby> and drops the reading
    assert any(line.startswith("【東京】政府の 諮問会議（しもんかいぎ） は３日") and line.endswith("確認した。")
               for line in lines)
    assert any("知事（ちじ）" in line and line.endswith("要望した。") for line in lines)
