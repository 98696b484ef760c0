"""Every output format escapes every user string: hostile names parsed back in each format.

SVG is parsed as XML; HTML with a strict tag check (no element or attribute comes from a name);
Markdown with markdown-it (no raw HTML, no unescaped $); LaTeX with a small tokenizer (user text
only inside one-line \\text{...} groups with every special character escaped).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

import nn
from autograd import Value, draw, explain, explain_modes, step_through

# Each carries a marker word, so the tests can tell where user text ended up.
HOSTILE = [
    "<script>alert('xscript')</script>",
    '<img src=x onerror="alert(ximg)">',
    "xdollar $x^2$ and $$5",
    "xbraces {a}_b^c~%#&\\end{aligned}",
    "xfirst\nxsecond\r\\\\ third",
    "xnul\x00esc\x1b[31m\ufffe\x7f",
    "xlone\ud800surrogate",
    "xtick `code` *star* [link](http://x) | pipe",
    "\u202exrtl",
]
MARKERS = ["xscript", "ximg", "xdollar", "xbraces", "xfirst", "xsecond", "xnul", "xlone",
           "xtick", "xrtl"]
# Characters XML 1.0 cannot hold at all, and lone surrogates (not encodable as UTF-8).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def hostile_graph():
    leaves = [Value(0.5 + k / 4, label=label) for k, label in enumerate(HOSTILE)]
    y = leaves[0]
    for leaf in leaves[1:]:
        y = (y * leaf).tanh()
    y.label = "xroot <b>$&{}</b>\n\\"
    return leaves, y


def hostile_model():
    model = nn.MLP(2, [2, 1], "tanh", seed=0)
    names = {"layers.0.neurons.0.w.0": HOSTILE[0], "layers.0.neurons.0.w.1": HOSTILE[1],
             "layers.0.neurons.1": HOSTILE[2], "x.0": HOSTILE[3], "x.1": HOSTILE[4],
             "layers.1.neurons.0.b": HOSTILE[5], "layers.0.neurons.1.w.0": HOSTILE[6],
             "loss": HOSTILE[7]}
    return model, names


def hostile_loss(out, target):
    return nn.half_sse(out, target)


hostile_loss.__name__ = "xloss <lambda> {$}\n%" + HOSTILE[1]


# --- checks ----------

def check_xml(text: str) -> ET.Element:
    """Well-formed XML, no element or attribute from user text, markers only as text."""
    assert not NOT_XML.search(text)
    text.encode("utf-8")
    root = ET.fromstring(text)
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        assert tag not in ("script", "img", "foreignObject", "iframe"), tag
        for name, value in element.attrib.items():
            assert not name.rsplit("}", 1)[-1].lower().startswith("on"), name
            if tag not in ("title", "text") and name != "id":
                assert not any(m in value for m in ("xscript", "ximg")), (name, value)
    return root


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def check_html(text: str, own_scripts: int = 0, own_images: int = 0) -> str:
    """No tag or attribute from user text; the markers only in text.  Returns the text."""
    assert not NOT_XML.search(text)
    text.encode("utf-8")
    parser = _Tags()
    parser.feed(text)
    parser.close()
    tags = [tag for tag, _ in parser.tags]
    assert tags.count("img") == own_images and tags.count("script") == own_scripts, tags
    for _, attrs in parser.tags:
        for name, value in attrs:
            assert not name.startswith("on"), name
            assert name in ("data-caption", "data-phase", "title", "alt") or not any(
                m in (value or "") for m in MARKERS), (name, value)
    return "".join(parser.text)


def check_markdown(text: str, own_math: int = 0) -> str:
    """No raw HTML; no $ but the format's own $$ blocks; the text shows the names literally."""
    assert not NOT_XML.search(text)
    blocks = re.findall(r"\$\$\n\\begin\{aligned\}.*?\\end\{aligned\}\n\$\$", text, re.S)
    assert len(blocks) == own_math
    rest = text
    for block in blocks:
        check_latex(block)
        rest = rest.replace(block, "")
    assert not re.search(r"(?<!\\)\$", rest.replace("\\\\", "")), "an unescaped $"
    md = MarkdownIt("commonmark")
    tokens = md.parse(text)
    shown = []
    for token in tokens:
        for t in [token, *(token.children or [])]:
            assert t.type not in ("html_inline", "html_block"), t
            assert t.type not in ("link_open", "image", "code_inline", "code_block"), t
            if t.type == "text":
                shown.append(t.content)
    return "".join(shown)


# A token: a control word, a control symbol, a brace, or one other character.
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\\$|[{}]|[^\\{}]", re.S)
_TEXT_SAFE_WORDS = {"textbackslash", "textasciicircum", "textasciitilde", "textless",
                    "textgreater", "textbar"}


def check_latex(text: str) -> list[str]:
    """Every marker only inside a \\text{...} group whose content is fully escaped; returns them."""
    tokens = _TOKEN.findall(text)
    groups, outside, i = [], [], 0
    while i < len(tokens):
        if tokens[i] == "\\text" and i + 1 < len(tokens) and tokens[i + 1] == "{":
            j, content = i + 2, []
            while tokens[j] != "}":
                token = tokens[j]
                assert token != "{", "an unescaped { inside \\text"
                if token.startswith("\\") and token[1:].isalpha():
                    assert token[1:] in _TEXT_SAFE_WORDS, token
                    assert tokens[j + 1: j + 3] == ["{", "}"], tokens[j:j + 3]
                    j += 2
                    token += "{}"
                elif token.startswith("\\"):
                    assert token[1:] in "{}$%#&_", token
                else:
                    assert token not in "$%#&_^~\n\r", repr(token)
                content.append(token)
                j += 1
            groups.append("".join(content))
            i = j + 1
        else:
            outside.append(tokens[i])
            i += 1
    rest = "".join(outside)
    for marker in MARKERS + ["xroot", "xloss"]:
        assert marker not in rest, (marker, rest[:300])
    return groups


# --- every format ----------

def test_draw_svg_holds_hostile_labels_as_text():
    _, y = hostile_graph()
    y.backward()
    root = check_xml(draw(y).svg())
    text = "".join(root.itertext())
    assert "xscript" in text and "xlone\\ud800" in text


def test_nn_diagram_svg_with_hostile_names_is_well_formed_and_saves(tmp_path):
    model, names = hostile_model()
    for args in [(), ([0.5, -1.0], 0.3, hostile_loss)]:
        picture = nn.diagram(model, *args, names=names)
        root = check_xml(picture.svg())
        assert "xscript" in "".join(root.itertext())
        picture.save(tmp_path / "d.svg")
        check_xml((tmp_path / "d.svg").read_text(encoding="utf-8"))


def test_step_through_page_and_frames_hold_hostile_labels_as_text():
    _, y = hostile_graph()
    steps = step_through(y)
    for frame in steps.frames[:3] + steps.frames[-2:]:
        check_xml(frame.svg)
    page = steps.to_html()
    own = page.count("<script>")
    assert own == 1
    shown = check_html(page, own_scripts=own)
    assert "<script>alert('xscript')</script>" in shown
    # In a notebook the page is shown in an iframe: its srcdoc is the page, escaped as an attribute.
    embedded = steps._repr_html_()
    parser = _Tags()
    parser.feed(embedded)
    assert [tag for tag, _ in parser.tags] == ["iframe"]
    srcdoc = re.search(r'srcdoc="([^"]*)"', embedded)
    assert srcdoc is not None and html.unescape(srcdoc[1]) == page


def test_explain_html_markdown_and_latex_escape_hostile_labels():
    leaves, y = hostile_graph()
    ex = explain(y)
    shown = check_html(ex.to_html())
    assert "<script>alert('xscript')</script>" in shown
    shown = check_markdown(ex.to_markdown())
    assert "<script>alert('xscript')</script>" in shown and "$x^2$" in shown
    groups = check_latex(ex.to_latex())
    assert any("xbraces \\{a\\}\\_b" in g for g in groups)


def test_explain_paths_latex_escapes_hostile_labels():
    leaves, y = hostile_graph()
    for leaf in (leaves[0], leaves[3]):
        groups = check_latex(explain(y).paths(leaf).to_latex())
        assert any("x" in g for g in groups)


def test_explain_modes_html_and_markdown_escape_hostile_labels():
    leaves, y = hostile_graph()
    modes = explain_modes(y, leaves[0])
    shown = check_html(modes.to_html())
    assert "<img src=x onerror=\"alert(ximg)\">" in shown
    shown = check_markdown(modes.to_markdown())
    assert "<script>alert('xscript')</script>" in shown and "$x^2$" in shown


def test_matrix_view_markdown_latex_and_html_escape_the_loss_and_model_names():
    model, _ = hostile_model()
    view = nn.matrix_view(model, [0.5, -1.0], 0.3, loss=hostile_loss)
    layers = len(model.layers)
    shown = check_markdown(view.to_markdown(), own_math=2 * layers + 1)
    assert "xloss <lambda> {$}" in shown
    groups = check_latex(view.to_latex())
    assert any(g.startswith("xloss \\textless{}lambda\\textgreater{} \\{\\$\\}") for g in groups)
    assert "\nxloss" not in view.to_latex() and "<lambda>" not in view.to_latex()
    shown = check_html(view.to_html())
    assert "xloss <lambda>" in shown

    plain = nn.matrix_view(model, [0.5, -1.0], 0.3, loss=lambda out, t: nn.half_sse(out, t))
    assert "&lt;lambda&gt;" in plain.to_markdown()
    check_latex(plain.to_latex())
    assert "<lambda>" not in plain.to_latex()


@pytest.mark.parametrize("label", HOSTILE)
def test_each_hostile_label_alone_survives_every_explain_format(label):
    x = Value(2.0, label=label)
    y = (x * x).tanh()
    ex = explain(y)
    check_html(ex.to_html())
    check_html(ex.naive()._repr_html_())
    check_markdown(ex.to_markdown())
    check_latex(ex.to_latex())
    check_latex(explain(y).paths(x).to_latex())
    check_markdown(explain_modes(y, x).to_markdown())
    check_html(explain_modes(y, x).to_html())
    check_xml(draw(y).svg())
