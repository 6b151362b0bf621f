"""Substring search with SQL LIKE: the user's text matched literally, wildcards escaped."""


def contains_pattern(text: str) -> str:
    """An ILIKE pattern matching `text` anywhere; its own % and _ match only themselves."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
