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


# The parts of a compiled shell (React Router's SPA mode, as Reflex builds it) that the
# first paint rewrites.
COMPILED_SHELL = (
    '<html><head><meta charSet="utf-8"/>'
    '<link as="style" href="/assets/styles-A1.css" rel="preload"/>'
    '<link rel="modulepreload" href="/assets/manifest-B2.js"/>'
    '<link rel="modulepreload" href="/assets/root-C3.js"/>'
    '<link href="/assets/styles-A1.css" rel="stylesheet" type="text/css"/>'
    "</head><body><div>app</div>"
    '<script type="module" async="">import "/assets/manifest-B2.js";\n'
    'import * as route0 from "/assets/root-C3.js";\n'
    '  \n  window.__reactRouterRouteModules = {"root":route0};\n\n'
    'import("/assets/entry.client-D4.js");</script></body></html>'
)


def test_the_first_paint_waits_for_neither_the_stylesheet_nor_the_code() -> None:
    page = Shell(COMPILED_SHELL).with_page("<HEAD/>", "<PAINT/>")

    # The stylesheet loads without blocking rendering, then applies to the screen.
    assert (
        '<link href="/assets/styles-A1.css" rel="stylesheet" type="text/css" media="print"'
        " onload=\"this.media='all'\" data-deferred-style/>"
    ) in page
    assert '<link fetchpriority="low" as="style" href="/assets/styles-A1.css"' in page
    # No module is fetched before the page's load event...
    assert 'rel="modulepreload"' not in page
    assert "import *" not in page
    assert 'import "' not in page
    boot = page[page.index('<script type="module"') :]
    assert 'addEventListener("load", start, {once: true})' in boot
    # ...then every one is preloaded, a few per task, and the app starts as the compiled
    # script did, in order.
    assert '["/assets/manifest-B2.js", "/assets/root-C3.js"]' in boot
    assert "modules.slice(first, first + 8)" in boot
    assert boot.index("await nextTask()") < boot.index("document.head.append(links)")
    assert boot.index('await import("/assets/manifest-B2.js")') < boot.index(
        'const route0 = await import("/assets/root-C3.js")'
    )
    assert boot.index("window.__reactRouterRouteModules") < boot.index(
        'import("/assets/entry.client-D4.js")'
    )


def test_a_shell_of_another_shape_keeps_its_scripts() -> None:
    shell = COMPILED_SHELL.replace('<script type="module" async="">', "<script>")
    page = Shell(shell).with_page("<HEAD/>", "<PAINT/>")
    assert page.count('rel="modulepreload"') == 2
    assert 'import * as route0 from "/assets/root-C3.js"' in page
