"""Where a profiled process spent its time, from py-spy's folded stacks (`--format raw`).

    .venv/bin/python bench/flame_summary.py bench/results/after/journey-1web-4711.folded.gz

Prints four tables, each as a share of the working samples:
- areas: every sample put in one bucket by the first frame (from the top of the stack)
  that belongs to a known library or to the shop's own code: the question "is it Reflex's
  state handling, Redis, SQL, Pydantic, socket.io or us?";
- the functions with the most samples on top of the stack (self time);
- the shop's own functions with the most samples anywhere in the stack (inclusive time);
- what the samples were serving: the Reflex event handler (a journey's step: the page's
  load, add to cart, pay, …), an HTTP route, or Reflex's own work around events (SQL run
  in SQLAlchemy's greenlets cannot be traced to its handler and stays unattributed).
An idle process's samples (waiting in the event loop) are counted apart, so the shares are
of the time it was working.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from collections import Counter
from pathlib import Path

# Checked in order against each frame's file, top of the stack first: the first match names
# the sample's area. More specific paths come before the packages that contain them.
AREAS: tuple[tuple[str, str], ...] = (
    ("pickle / dill (state serialisation)", r"/(dill|pickle|copyreg)"),
    ("reflex state (deltas, vars, dirty tracking)", r"/reflex(_base)?/(istate|state|vars)"),
    ("reflex event processing", r"/reflex(_base)?/"),
    ("socket.io / engine.io", r"/(socketio|engineio)/"),
    ("redis client", r"/redis/"),
    ("SQLAlchemy / SQLModel", r"/(sqlalchemy|sqlmodel)/"),
    ("psycopg", r"/psycopg"),
    ("pydantic", r"/pydantic"),
    ("opentelemetry / prometheus", r"/(opentelemetry|prometheus_client)/"),
    ("json", r"/(json|orjson)/"),
    ("granian / starlette / fastapi", r"/(granian|starlette|fastapi)/"),
    ("whoosh (search)", r"/whoosh/"),
    ("asyncio", r"/asyncio/"),
    ("shop code", r"/(backend|storefront|admin|ui|api|webapp|jobs)/"),
)
# A sample whose top frame is a process (no Python frame: Granian's own threads) or a wait
# for I/O is not work of the interpreter.
IDLE = re.compile(r"^process \d+:|^select \(selectors|^_run_once \(asyncio")
FRAME = re.compile(r"^(?P<function>.+) \((?P<file>[^:()]+)(?::\d+)?\)$")
OWN_CODE = re.compile(r"^/(backend|storefront|admin|ui|api|webapp|jobs)/")


def read_folded(path: Path) -> Counter[tuple[str, ...]]:
    """Folded stacks, as py-spy wrote them or gzipped (as kept under bench/results/)."""
    stacks: Counter[tuple[str, ...]] = Counter()
    text = gzip.decompress(path.read_bytes()).decode() if path.suffix == ".gz" else path.read_text()
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks[tuple(stack.split(";"))] += int(count)
    return stacks


def file_of(frame: str) -> str:
    """The frame's file as py-spy names it (relative to its package root), with a leading
    slash so that patterns can anchor on a whole folder name."""
    match = FRAME.match(frame)
    return "/" + match["file"] if match else ""


def area_of(stack: tuple[str, ...]) -> str:
    for frame in reversed(stack):
        file = file_of(frame)
        for name, pattern in AREAS:
            if file and re.search(pattern, file):
                return name
    return "other"


def is_idle(stack: tuple[str, ...]) -> bool:
    return bool(IDLE.search(stack[-1]))


def short(frame: str) -> str:
    match = FRAME.match(frame)
    return f"{match['function']} ({match['file']})" if match else frame


def served_by(stack: tuple[str, ...]) -> str:
    """The event handler (the first frame of the shop's code below Reflex's event
    processing) or the HTTP route the sample was spent on."""
    for index, frame in enumerate(stack):
        if frame.startswith("process_event (reflex_base/event/processor/"):
            for inner in stack[index + 1 :]:
                if OWN_CODE.search(file_of(inner)):
                    return "event " + short(inner)
            return "event (Reflex's own: hydrate, on_load_internal, state I/O)"
    for frame in stack:
        if "(api/storefront_html/" in frame or "(api/v1/" in frame:
            return "HTTP " + short(frame)
    # SQLAlchemy runs a statement's sync part in a greenlet, whose stack py-spy shows
    # without the handler that awaited it: much of the SQL lands here.
    return "unattributed (SQL in greenlets, websocket, middleware, event loop)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folded", type=Path, nargs="+")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    stacks: Counter[tuple[str, ...]] = Counter()
    for path in args.folded:
        stacks.update(read_folded(path))
    idle = sum(count for stack, count in stacks.items() if is_idle(stack))
    working = {stack: count for stack, count in stacks.items() if not is_idle(stack)}
    busy = sum(working.values()) or 1
    print(f"{sum(stacks.values())} samples, {idle} idle, {busy} working (shares below)")

    def table(title: str, counts: Counter[str]) -> None:
        print(f"\n{title}")
        for name, count in counts.most_common(args.top):
            print(f"  {100 * count / busy:5.1f} %  {name}")

    areas: Counter[str] = Counter()
    own_self: Counter[str] = Counter()
    own_inclusive: Counter[str] = Counter()
    handlers: Counter[str] = Counter()
    for stack, count in working.items():
        handlers[served_by(stack)] += count
        areas[area_of(stack)] += count
        own_self[short(stack[-1])] += count
        for frame in set(stack):
            if OWN_CODE.search(file_of(frame)):
                own_inclusive[short(frame)] += count
    table("Areas (first known library from the top of the stack)", areas)
    table("Self time (top of the stack)", own_self)
    table("The shop's own functions, inclusive", own_inclusive)
    table("Served: event handlers (the journey's steps) and HTTP routes", handlers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
