"""Escaping in drawings: hostile labels and group names show literally and inject nothing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from svgread import SVG, groups, node_text, svg_root

from autograd import Value, draw
from autograd.explanations.naming import NodeInfo, register_describer, unregister_describer
from autograd.output import escape
from autograd.output.escape import escape_html, escape_record

HOSTILE = [
    '<script>alert("x")</script>',
    "a & b; &amp; &#60;",
    'quote " and \' apostrophe',
    "back\\slash \\N \\G \\l end\\",
    "{record|fields} <port> | x",
    "two\nlines",
    '"><a href="javascript:alert(1)">click</a>',
    "<<B>html</B>>",
    "bell\x07 nul\x00 esc\x1b",
]


ALLOWED_TAGS = {"svg", "g", "title", "polygon", "polyline", "path", "text", "ellipse"}


def assert_svg_is_clean(root: ET.Element) -> None:
    for el in root.iter():
        tag = el.tag.replace(SVG, "")
        assert tag in ALLOWED_TAGS, f"unexpected element {el.tag}"
        for name, value in el.attrib.items():
            assert "href" not in name, f"link attribute {name}={value!r}"
            assert not name.startswith("on"), f"event attribute {name}"
            assert "javascript" not in value.lower()


@pytest.mark.parametrize("html_labels", [False, True])
def test_hostile_labels_show_literally_and_inject_nothing(html_labels):
    leaves = [Value(float(i), label=text) for i, text in enumerate(HOSTILE)]
    total = leaves[0]
    for v in leaves[1:]:
        total = total + v
    total.label = "sum <b>&</b>"
    total.backward()
    root = svg_root(draw(total, html_labels=html_labels))
    assert_svg_is_clean(root)
    texts = [node_text(n) for n in groups(root, "node")]
    for text in HOSTILE:
        shown = escape.visible(text)  # control characters are spelled out, e.g. \x07
        assert any(t.startswith(shown + "\n") for t in texts), (text, texts)
    assert "\\x07" in escape.visible(HOSTILE[-1])
    assert any(t.startswith("sum <b>&</b>\n") for t in texts)


def test_hostile_group_names_in_cluster_titles_are_literal():
    evil = '<script>x</script>"&\\'
    w = Value(2.0, label="w")
    y = (w * 3.0).tanh()
    y.backward()

    def hostile(order):
        return {w: NodeInfo(None, (evil,))}

    register_describer(hostile)
    try:
        root = svg_root(draw(y))
    finally:
        unregister_describer(hostile)
    assert_svg_is_clean(root)
    titles = [node_text(c) for c in groups(root, "cluster")]
    assert titles == [evil]


def test_escapers_handle_every_special_character():
    assert escape_record('a{b}|<c> "d"&\\') == 'a\\{b\\}\\|\\<c\\>\\ \\"d\\"&amp;\\\\'
    assert escape_html('<a href="x">&\'\\') == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\\\\"
    long = "x" * 500
    assert len(escape_record(long)) == escape.MAX_LABEL_CHARS


@pytest.mark.parametrize("html_labels", [False, True])
def test_bidi_overrides_and_zero_width_characters_are_spelled_out(html_labels):
    # "\u202e" would show "xwq" as "qwx" and "\u200b" would hide a difference between labels.
    a = Value(1.0, label="\u202exwq")
    b = Value(2.0, label="w\u200b")
    y = a * b
    y.label = "y"
    shown = [t.text or "" for t in svg_root(draw(y, html_labels=html_labels)).iter(f"{SVG}text")]
    assert "\\u202exwq" in shown and "w\\u200b" in shown
    assert not any(ch in t for t in shown for ch in "\u202e\u200b")
