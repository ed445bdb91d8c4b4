"""How keywords, lookup keys and questions are compared: one normalisation for all."""

import unicodedata


def normalize(text: str) -> str:
    """NFKC + case folding + trimming: `ＰＲＩＣＥ ` and `price` compare equal."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold()).strip()
