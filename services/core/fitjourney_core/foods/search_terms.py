"""How food names become searchable words: one normalisation for stored names and for what people type."""

from __future__ import annotations

import re

_NOT_WORD = re.compile(r"[^a-z0-9]+")
# SR28 files some foods under a container word ("Beverages, coffee, ...", "Nuts, almonds", "Fish, salmon"):
# the food itself is then the second part of the name.
_GENERIC_HEADS = frozenset({"beverages", "nuts", "seeds", "fish", "oil", "spices", "alcoholic beverage",
                            "alcoholic beverages", "crustaceans", "mollusks", "cereals", "cereals ready to eat"})


# What people type → the word SR28 uses (each side is a whole word, lower case).
SYNONYMS = {
    "oatmeal": "oats", "porridge": "oats", "yoghurt": "yogurt", "aubergine": "eggplant", "courgette": "zucchini",
    "prawn": "shrimp", "prawns": "shrimp", "garbanzo": "chickpeas", "rocket": "arugula", "mince": "ground",
    "minced": "ground", "coriander": "cilantro", "scallion": "onions", "scallions": "onions",
}


def alternatives(word: str) -> list[str]:
    """Stems a query word may match: its own, and its synonym's (oatmeal → oatmeal, oat)."""
    found = [stem(word)]
    if word in SYNONYMS:
        found.append(stem(SYNONYMS[word]))
    return found


def words_of(text: str) -> list[str]:
    """Lower-case ASCII words and numbers ("Milk, 2% fat" → milk, 2, fat); accents dropped."""
    folded = text.lower().replace("é", "e").replace("è", "e").replace("ñ", "n")
    return [word for word in _NOT_WORD.split(folded) if word]


def padded(words: list[str]) -> str:
    """Words between spaces, so `LIKE '% word%'` finds a word start anywhere, on SQLite and PostgreSQL."""
    return " " + " ".join(words) + " " if words else " "


def search_text(name: str) -> str:
    return padded(words_of(name))


def search_head(name: str) -> str:
    """The words of the name's first comma-separated part, what the food *is* ("Chicken, broilers, breast"
    → chicken; "Beverages, coffee, brewed" → coffee)."""
    parts = [part for part in name.split(",") if words_of(part)]
    if not parts:
        return " "
    head = parts[0]
    if len(parts) > 1 and " ".join(words_of(head)) in _GENERIC_HEADS:
        head = parts[1]
    return padded(words_of(head))


def forms(word: str) -> list[str]:
    """Whole-word spellings that count as the word itself (egg: egg, eggs; berry: berry, berries)."""
    base = stem(word)
    return sorted({word, base, base + "s", base + "es", base + "y", base + "ies"})


def stem(word: str) -> str:
    """A prefix every form of the word starts with: berries/berry → berr, eggs → egg, tomatoes → tomato."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3]
    if len(word) > 4 and word.endswith("oes"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    if len(word) > 4 and word.endswith("y"):
        return word[:-1]
    return word
