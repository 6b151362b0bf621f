"""How text becomes index terms: the analyzers of the schema and the same steps for queries.

Queries go through the very analyzers the documents went through, so a word typed by a
shopper and a word in a product name always meet in the same form.
"""

from __future__ import annotations

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    IDTokenizer,
    LowercaseFilter,
    NgramFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

# Longest prefix that still finds a word through the autocomplete grams.
MAX_PREFIX_LENGTH = 20
# Longest typed name prefix ranked by the whole-name grams.
MAX_NAME_START_LENGTH = 40
# Shoppers type a few words; anything beyond this is noise (or an attack) and is cut.
MAX_QUERY_CHARACTERS = 200
MAX_QUERY_WORDS = 10


def _words() -> Analyzer:
    """Words, lowercased, accents folded ("Café" → "cafe")."""
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)


# Searchable prose (name, description, brand, categories, attributes): stemmed, so
# "mugs" finds "mug", without stop words.
STEMMED = _words() | StopFilter() | StemFilter()
# Unstemmed words: the vocabulary that typo correction proposes ("headphones").
PLAIN = _words()
# Every word's beginnings ("hea", "head", ...): search-as-you-type without prefix scans.
WORD_PREFIXES = _words() | NgramFilter(2, MAX_PREFIX_LENGTH, at="start")
# The beginnings of the whole (normalised) name: names that start with the typed text
# rank first in suggestions.
NAME_PREFIXES = IDTokenizer() | NgramFilter(2, MAX_NAME_START_LENGTH, at="start")


def plain_words(text: str) -> list[str]:
    """The words of `text` as the index sees them before stemming."""
    return [token.text for token in PLAIN(text)]


def normalized_phrase(text: str) -> str:
    """A name or a query reduced to its words: "The  Café-Mug!" → "the cafe mug"."""
    return " ".join(plain_words(text))


def stem(word: str) -> str | None:
    """The stemmed index term of one plain word, or None for a stop word."""
    return next((token.text for token in STEMMED(word)), None)


def query_words(text: str) -> list[str]:
    """The words a shopper typed, bounded in length and number."""
    return plain_words(text[:MAX_QUERY_CHARACTERS])[:MAX_QUERY_WORDS]
