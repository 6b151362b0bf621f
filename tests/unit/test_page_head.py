"""The head a public page is served with: JSON-LD that cannot break out of its script,
descriptions cut at a word, canonical addresses without tracking parameters."""

from __future__ import annotations

import json

from api.storefront_html.head import script_json, search_head, short_description
from api.storefront_html.shell import Shell


def test_json_ld_cannot_close_its_script_element() -> None:
    text = script_json({"name": "</script><script>alert(1)</script> & more"})
    assert "</script>" not in text
    assert "<" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script> & more"


def test_a_long_description_is_cut_at_a_word_and_a_missing_one_falls_back() -> None:
    cut = short_description("word " * 100, "fallback")
    assert len(cut) <= 160
    assert cut.endswith("word…")
    assert short_description("  \n ", "The name") == "The name"
    assert short_description("Two\n\nparagraphs.", "x") == "Two paragraphs."


def test_search_pages_are_not_indexed_and_keep_only_the_query() -> None:
    head = search_head("red & blue", shop_name="Shop", base_url="https://shop.example")
    assert head.robots == "noindex, follow"
    assert head.canonical_url == "https://shop.example/search?q=red+%26+blue"


def test_the_shell_gets_the_page_head_and_first_paint_in_place() -> None:
    shell = Shell(
        '<html><head><meta charSet="utf-8"/><title>Shop</title>'
        '<meta content="Everything." name="description"/>'
        '<meta content="favicon.ico" property="og:image"/></head>'
        '<body class="x"><div id="root"></div></body></html>'
    )
    assert shell.has_title
    page = shell.with_page(
        "\n<HEAD/>\n<MORE/>\n", "\n<PAINT>\n</PAINT>\n", title_html="Mugs &amp; cups · Shop"
    )
    assert 'name="description"' not in page
    assert "og:image" not in page
    # No text between the tags React hydrates: it would not match (React error #418).
    assert "<title>Mugs &amp; cups · Shop</title><HEAD/><MORE/></head>" in page
    assert '<body class="x"><PAINT>\n</PAINT><div id="root">' in page
