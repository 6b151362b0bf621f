"""The compiled frontend's HTML pages, with a public page's head and first paint put in.

Reflex compiles every page to a static HTML shell (prerendered for fixed routes such as
`/`, one SPA fallback for routes with a parameter such as `/products/[product_id]`); the
browser's bundle then renders the page and fetches its data over the websocket. A crawler
or link preview reads only the shell. So for public pages the shop answers the shell
itself, with:

- the page's head tags (title, description, canonical, Open Graph, JSON-LD) before
  `</head>`. A shell's own `<title>` element stays where it has one (React owns it and
  changes it on navigation), with the page's title as its text: the compiled one lacks
  the shop's name, a store setting read at run time. Where the shell has none, ours is
  marked `data-first-paint`;
- a server-rendered snapshot of the content as the first element of `<body>`, also marked
  `data-first-paint`. React 19 leaves unknown elements at the top of `<body>` alone when it
  hydrates; the storefront layout removes every `data-first-paint` element once the
  page's own data has loaded (storefront/components/layout.py), so the snapshot covers
  the page until the real one is ready to show;
- nothing ahead of the snapshot: the app's stylesheet loads without blocking rendering,
  and its code is fetched after the page's `load` event (issue #19: the first paint and
  the largest one on a slow phone came after ~400 KB of code and ~700 KB of CSS).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TITLE = re.compile(r"<title>.*?</title>", re.DOTALL)
# What the shell says of every page alike; the page's own tags replace them.
GENERIC_HEAD_TAGS = re.compile(
    r'<meta content="[^"]*" (?:name="description"|property="og:[a-z:_]+")/>'
)
# The compiled stylesheet links (Radix Themes and the app's styles: ~700 KB of CSS), the
# stylesheet's preload, the preloads of the bundle's ~40 modules, and the module script
# that starts the app: its static imports (`import "…";`, `import * as route0 from "…";`)
# and the rest.
STYLESHEET_LINK = re.compile(r'<link href="([^"]+\.css)" rel="stylesheet" type="text/css"/>')
STYLE_PRELOAD = re.compile(r'<link (?=as="style"[^>]*rel="preload")')
MODULE_PRELOAD = re.compile(r'<link rel="modulepreload" href="([^"]+)"/>')
BOOT_SCRIPT = re.compile(r'<script type="module" async="">(.*?)</script>', re.DOTALL)
STATIC_IMPORT = re.compile(r'^import (?:\* as (\w+) from )?("[^"]+");$', re.MULTILINE)
HEAD_END = "</head>"
BETWEEN_TAGS = re.compile(r">\s+<")
BODY_START = re.compile(r"<body[^>]*>")
PRELOADS_PER_TASK = 8

INDEX = "index.html"
SPA_FALLBACK = "__spa-fallback.html"
NOT_FOUND = "404.html"


class ShellMissingError(LookupError):
    """The frontend has not been built (yet) where this process looks for it."""


@dataclass(frozen=True)
class Shell:
    html: str

    @property
    def has_title(self) -> bool:
        return TITLE.search(self.html) is not None

    def with_page(self, head: str, first_paint: str, *, title_html: str = "") -> str:
        """The shell with `head` before `</head>` (its generic description and Open Graph
        tags taken out), its own title's text replaced by `title_html` (escaped) when it
        has a title, and `first_paint` as the first element of `<body>`."""
        html = GENERIC_HEAD_TAGS.sub("", self.html)
        # React 19 skips elements it did not render at the top of <head> and <body> when it
        # hydrates, but not text: one newline there is a mismatch (React error #418), and
        # React then throws the server's HTML away and renders the whole document again.
        head = BETWEEN_TAGS.sub("><", head.strip())
        first_paint = first_paint.strip()
        if title_html:
            html = TITLE.sub(lambda _: f"<title>{title_html}</title>", html, count=1)
        at = html.find(HEAD_END)
        body = BODY_START.search(html, at)
        if at < 0 or body is None:
            raise ShellMissingError("the compiled page has no </head> or <body>")
        html = html[:at] + head + html[at : body.end()] + first_paint + html[body.end() :]
        html = STYLE_PRELOAD.sub('<link fetchpriority="low" ', html)
        return _started_after_load(STYLESHEET_LINK.sub(_loaded_after_first_paint, html))


def _started_after_load(html: str) -> str:
    """The app's code fetched once the snapshot has painted, not before.

    A phone on a slow network should get the page's text and picture first, then the
    ~400 KB of code that makes it interactive: fetched together they share the bandwidth
    and the picture comes last. So the module preloads leave the head, and the script that
    starts the app waits for the `load` event (the snapshot's stylesheet and pictures), then
    preloads the same modules and imports them in the order the compiled script did. A
    shell of another shape is left as it is."""
    boot = BOOT_SCRIPT.search(html)
    imports = STATIC_IMPORT.findall(boot[1]) if boot else []
    if boot is None or not imports:
        return html
    steps = [f"{f'const {name} = ' if name else ''}await import({url});" for name, url in imports]
    rest = STATIC_IMPORT.sub("", boot[1]).strip()
    modules = MODULE_PRELOAD.findall(html)
    # Each preload costs the main thread about half a millisecond to start: ~40 at once made
    # a task long enough to block a phone's input (Lighthouse's TBT), so they go in groups
    # of PRELOADS_PER_TASK, each in a task of its own.
    script = (
        '<script type="module" async="">'
        f"const modules = {json.dumps(modules)};"
        "const nextTask = () => new Promise((resume) => setTimeout(resume));"
        "async function start() {"
        f"for (let first = 0; first < modules.length; first += {PRELOADS_PER_TASK}) {{"
        "await nextTask();"
        "const links = document.createDocumentFragment();"
        f"for (const href of modules.slice(first, first + {PRELOADS_PER_TASK})) {{"
        'const link = document.createElement("link");'
        'link.rel = "modulepreload"; link.href = href; links.append(link);'
        "}"
        "document.head.append(links);"
        "}"
        f"{''.join(steps)}{rest}"
        "}"
        'if (document.readyState === "complete") start();'
        ' else addEventListener("load", start, {once: true});'
        "</script>"
    )
    html = html[: boot.start()] + script + html[boot.end() :]
    return MODULE_PRELOAD.sub("", html)


def _loaded_after_first_paint(link: re.Match[str]) -> str:
    """A stylesheet link that does not hold the first paint back: the snapshot carries its
    own few lines of CSS, and a phone should see it without waiting for ~700 KB of Radix
    CSS. `media="print"` makes the browser load it without blocking rendering; once loaded
    it applies to the screen. The storefront layout removes the snapshot only after the
    page's `load` event (stylesheets settled), so the page underneath is never seen
    unstyled."""
    return (
        f'<link href="{link[1]}" rel="stylesheet" type="text/css" media="print"'
        " onload=\"this.media='all'\" data-deferred-style/>"
    )


def frontend_build_dir() -> Path:
    """Where Reflex put the compiled pages: `<web dir>/build/client` (the web dir is
    `.web`, or REFLEX_WEB_WORKDIR as `./shop cluster` and the tests set it)."""
    from reflex.utils.prerequisites import get_web_dir

    return get_web_dir() / "build" / "client"


@cache
def _read(path: Path, modified: float) -> Shell:
    return Shell(path.read_text(encoding="utf-8"))


def load_shell(name: str, build_dir: Path | None = None) -> Shell:
    """The compiled page `name` (`index.html`, `search.html`, the SPA fallback), read once
    per build (a rebuild changes the file's time)."""
    path = (build_dir or frontend_build_dir()) / name
    try:
        modified = path.stat().st_mtime
    except OSError as error:
        raise ShellMissingError(f"no compiled page at {path}") from error
    return _read(path, modified)


def shell_for_route(route: str, build_dir: Path | None = None) -> Shell:
    """The shell a route is served from: its own prerendered file when there is one
    (`/` → index.html, `/search` → search.html), else the SPA fallback."""
    name = INDEX if route == "/" else route.strip("/") + ".html"
    try:
        return load_shell(name, build_dir)
    except ShellMissingError:
        return load_shell(SPA_FALLBACK, build_dir)
