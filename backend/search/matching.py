"""From what a shopper typed to a Whoosh query: built term by term, never parsed.

No query syntax reaches Whoosh, so quotes, "AND OR NOT", brackets and the like are only
words or punctuation. For each word (stop words and single letters are skipped):

- its stem, in the product's prose ("mugs" finds "mug");
- the last word, if no product has it, as the beginning of a word ("headph");
- a word found nowhere is replaced by the closest words of the catalog's vocabulary
  ("heaphones" → "headphones"), and the corrected text becomes `did_you_mean`.

All words must match. Besides, a product whose whole name is the query, or whose SKU
is, gets a boost that puts it first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whoosh.query import And, AndMaybe, NullQuery, Or, Query, Term
from whoosh.reading import IndexReader

from backend.search.analysis import (
    MAX_NAME_START_LENGTH,
    MAX_PREFIX_LENGTH,
    MAX_QUERY_CHARACTERS,
    normalized_phrase,
    query_words,
    stem,
)
from backend.search.documents import CONTENT_FIELD

EXACT_BOOST = 100.0
PREFIX_BOOST = 0.5
NAME_START_BOOST = 10.0
MIN_PREFIX_LENGTH = 2
MAX_CORRECTIONS = 3  # corrected words tried for one misspelt word
# A "far commoner" spelling, for queries that found only a few products.
RESPELL_MIN_DOCS = 3
RESPELL_RATIO = 5
SUGGESTION_FIELDS = ("name", "brand", "category")
SKU = re.compile(r"^[a-z0-9][a-z0-9._-]{0,49}$")


@dataclass(frozen=True)
class TextQuery:
    query: Query
    words: tuple[str, ...]  # the words typed (normalised), misspelt ones corrected
    corrected: bool  # some word was replaced by a correction


def clean_text(value: object, *, limit: int = MAX_QUERY_CHARACTERS) -> str:
    """Any value as text Whoosh can encode: no lone surrogates, bounded length."""
    if not isinstance(value, str):
        return ""
    return value[:limit].encode("utf-8", "ignore").decode("utf-8")


def text_query(reader: IndexReader, text: str) -> TextQuery:
    text = clean_text(text)
    words = query_words(text)
    clauses: list[Query] = []
    shown = list(words)
    corrected = False
    for position, word in enumerate(words):
        stemmed = stem(word)
        if stemmed is None:
            continue  # a stop word or a single letter
        found = _anywhere(reader, stemmed)
        if found is None and position == len(words) - 1:
            found = _prefix(reader, word)
        if found is not None:
            clauses.append(found)
            continue
        corrections = [
            (correction, clause)
            for correction in spelling_corrections(reader, word)
            if (clause := _anywhere(reader, stem(correction) or correction)) is not None
        ]
        if corrections:
            clauses.append(Or([clause for _, clause in corrections]))
            shown[position] = corrections[0][0]
            corrected = True
        else:
            clauses.append(NullQuery)  # nothing in the catalog resembles this word

    alternatives: list[Query] = []
    if clauses:
        alternatives.append(And(clauses) if len(clauses) > 1 else clauses[0])
    phrase = normalized_phrase(text)
    if phrase and ("name_exact", phrase) in reader:
        alternatives.append(Term("name_exact", phrase, boost=EXACT_BOOST))
    sku = text.strip().lower()
    if SKU.match(sku) and ("sku", sku) in reader:
        alternatives.append(Term("sku", sku, boost=EXACT_BOOST))
    if not alternatives:
        return TextQuery(NullQuery, (), corrected=False)
    query = Or(alternatives) if len(alternatives) > 1 else alternatives[0]
    return TextQuery(query, tuple(shown), corrected=corrected)


def suggestion_query(text: str) -> Query:
    """Products whose name, brand or category has words starting with every typed word
    (or, for a finished word, the same stem: "chairs"); names that start with the typed
    text first."""
    text = clean_text(text)
    clauses: list[Query] = []
    for word in query_words(text):
        if len(word) < MIN_PREFIX_LENGTH:
            continue
        options: list[Query] = [Term("autocomplete", word[:MAX_PREFIX_LENGTH])]
        stemmed = stem(word)
        if stemmed is not None and stemmed != word:
            options += [Term(field, stemmed) for field in SUGGESTION_FIELDS]
        clauses.append(Or(options) if len(options) > 1 else options[0])
    if not clauses:
        return NullQuery
    required = And(clauses) if len(clauses) > 1 else clauses[0]
    start = normalized_phrase(text)[:MAX_NAME_START_LENGTH]
    if len(start) < MIN_PREFIX_LENGTH:
        return required
    return AndMaybe(required, Term("name_start", start, boost=NAME_START_BOOST))


def spelling_corrections(reader: IndexReader, word: str) -> list[str]:
    """Catalog words closest to `word` (edit distance 1, else 2 for longer words), the
    commonest first. Digits and short words are never corrected."""
    if len(word) < 3 or any(character.isdigit() for character in word):
        return []
    for distance in range(1, (1 if len(word) <= 5 else 2) + 1):
        found = {
            candidate
            for candidate in reader.terms_within("spell", word, distance, prefix=1)
            if candidate != word
        }
        if found:
            ranked = sorted(found, key=lambda w: (-reader.doc_frequency("spell", w), w))
            return ranked[:MAX_CORRECTIONS]
    return []


def commoner_spelling(reader: IndexReader, words: tuple[str, ...]) -> str | None:
    """The query with each word replaced by a far commoner word one edit away, if any
    (for queries that found few products although every word exists somewhere)."""
    changed = False
    respelled = []
    for word in words:
        best = word
        stemmed = stem(word)
        if len(word) >= 4 and stemmed and not any(c.isdigit() for c in word):
            enough = max(RESPELL_MIN_DOCS, RESPELL_RATIO * reader.doc_frequency("spell", word))
            for candidate in reader.terms_within("spell", word, 1, prefix=1):
                frequency = reader.doc_frequency("spell", candidate)
                if (
                    frequency >= enough
                    and frequency > reader.doc_frequency("spell", best)
                    and stem(candidate) != stemmed  # "mugs" is no misspelling of "mug"
                ):
                    best = candidate
        changed = changed or best != word
        respelled.append(best)
    return " ".join(respelled) if changed else None


def _anywhere(reader: IndexReader, term: str) -> Query | None:
    """The term in the products' prose; None if no product has it."""
    return Term(CONTENT_FIELD, term) if (CONTENT_FIELD, term) in reader else None


def _prefix(reader: IndexReader, word: str) -> Query | None:
    if len(word) < MIN_PREFIX_LENGTH:
        return None
    start = word[:MAX_PREFIX_LENGTH]
    if ("autocomplete", start) not in reader:
        return None
    return Term("autocomplete", start, boost=PREFIX_BOOST)
