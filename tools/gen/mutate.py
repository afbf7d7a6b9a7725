"""Content changes applied to a page layout, with their truth.

A forger (or a careless re-typing) changes one thing on a page: a digit
("975" → "979", "120,5" → "126,5"), a diacritic ("Văn" → "Vân", "Đức" → "Đực")
or a name. Each function here picks such a change on a page layout, returns
the changed layout, the changed word's box in mm (old and new word united) and
the text before and after. Ink added at the desk is NOT a change and lives in
:mod:`tools.gen.scan`.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from .forms import GIVEN_F, GIVEN_M, SURNAMES
from .layout import Page, Text, metrics, replace, text_box, word_spans


@dataclass
class Change:
    page: Page  # the changed layout
    old: Text
    new: Text
    box_mm: tuple[float, float, float, float]
    electronic: str  # the word as on the electronic copy
    paper: str  # the word as on the changed paper copy
    kind: str


def _union(a, b):
    x0 = min(a[0], b[0])
    y0 = min(a[1], b[1])
    x1 = max(a[0] + a[2], b[0] + b[2])
    y1 = max(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0)


def _candidates(page: Page) -> list[Text]:
    """Text runs a change may touch: form fields first, never page footers or tiny print."""
    out = []
    for t in page.texts():
        # below 9 pt a one-mark change is a few pixels on a phone photo: keep the truth fair
        if t.text.startswith("Trang ") or t.size < 9 or (t.field or "").startswith("mrz"):
            continue
        out.append(t)
    return out


def change_word(page: Page, t: Text, start: int, end: int, new_word: str, kind: str) -> Change:
    """Replace characters [start:end] of run `t` by `new_word`, leaving the rest of the line where it was.

    The run is split in three (before, word, after) so that only the word's pixels change, as when a
    figure is altered on a printed page. If the new word is wider, the rest of the line moves right by
    the difference and the box grows to cover it.
    """
    new_text = t.text[:start] + new_word + t.text[end:]
    nt = replace(t, text=new_text)
    old_box = text_box(t, start, end)
    new_box = text_box(nt, start, start + len(new_word))
    box = _union(old_box, new_box)
    parts: list[Text] = []
    if start > 0:
        parts.append(replace(t, text=t.text[:start]))
    parts.append(replace(t, x=new_box[0], text=new_word))
    rest = t.text[end:]
    if rest:
        old_rest = text_box(t, end)
        grow = max(0.0, new_box[2] - old_box[2])
        moved = replace(t, x=old_rest[0] + grow, text=rest)
        parts.append(moved)
        if grow > 0:
            box = _union(box, _union(old_rest, text_box(moved)))
    page2 = page.copy()
    i = page2.items.index(t)
    page2.items[i:i + 1] = parts
    return Change(page2, t, nt, box, t.text[start:end], new_word, kind)


def _prefer_fields(items: list[Text], rng: random.Random) -> list[Text]:
    fields = [t for t in items if t.field]
    others = [t for t in items if not t.field]
    rng.shuffle(fields)
    rng.shuffle(others)
    # mostly form fields, sometimes running text
    return fields + others if rng.random() < 0.8 else others + fields


DIGITS = "0123456789"  # not str.isdigit(): that takes "²" in "m²" too


def change_digit(page: Page, rng: random.Random) -> Change | None:
    for t in _prefer_fields(_candidates(page), rng):
        spans = [(s, e) for s, e in word_spans(t.text) if any(c in DIGITS for c in t.text[s:e])]
        if not spans:
            continue
        s, e = rng.choice(spans)
        word = t.text[s:e]
        pos = [i for i, c in enumerate(word) if c in DIGITS]
        # prefer the last digits (975 -> 979, 120,5 -> 126,5): they keep the number plausible
        i = rng.choice(pos[-3:])
        old = word[i]
        new = rng.choice([d for d in DIGITS if d != old and not (i == pos[0] and d == "0")])
        return change_word(page, t, s, e, word[:i] + new + word[i + 1:], "digit")
    return None


TONES = ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
SHAPES = {"\u0306": "\u0302", "\u0302": "\u0306"}  # breve <-> circumflex (ă <-> â)


def _variants(ch: str) -> list[str]:
    """Other Vietnamese letters that differ from `ch` by one diacritic."""
    if ch in "đĐ":
        return ["d" if ch == "đ" else "D"]
    nfd = unicodedata.normalize("NFD", ch)
    base, marks = nfd[0], list(nfd[1:])
    if not marks:
        return []
    out = []
    tone = [m for m in marks if m in TONES]
    shape = [m for m in marks if m not in TONES]
    if tone:  # move the tone (Đức -> Đực); a toneless syllable keeps its tone slot empty
        for tn in TONES:
            if tn != tone[0]:
                out.append(base + "".join(shape) + tn)
    for m in shape:
        if m in SHAPES and base in "aA":  # ă <-> â
            out.append(base + SHAPES[m] + "".join(tone))
        elif m == "\u0302":  # ê -> e, ô -> o
            out.append(base + "".join(tone))
        if m == "\u031b":  # horn: ư -> u, ơ -> o
            out.append(base + "".join(tone))
    res = []
    for v in out:
        c = unicodedata.normalize("NFC", v)
        if len(c) == 1 and c != ch:
            res.append(c)
    return res


def change_diacritic(page: Page, rng: random.Random) -> Change | None:
    for t in _prefer_fields(_candidates(page), rng):
        spans = word_spans(t.text)
        rng.shuffle(spans)
        for s, e in spans:
            word = t.text[s:e]
            if len(word) < 2 or any(c.isdigit() for c in word):
                continue
            opts = [(i, v) for i, c in enumerate(word) for v in _variants(c) if ord(v) in metrics(t.font).advances]
            if not opts:
                continue
            # prefer a change of the vowel's shape or tone over dropping a mark
            i, v = rng.choice(opts)
            return change_word(page, t, s, e, word[:i] + v + word[i + 1:], "diacritic")
    return None


def change_name(page: Page, rng: random.Random) -> Change | None:
    names = [t for t in _candidates(page) if (t.field or "").startswith("ho_ten")]
    rng.shuffle(names)
    for t in names:
        spans = word_spans(t.text)
        if len(spans) < 2:
            continue
        upper = t.text.isupper()
        # change the given name (last word) or the surname (first word)
        which = -1 if rng.random() < 0.7 else 0
        s, e = spans[which]
        old = t.text[s:e]
        pool = SURNAMES if which == 0 else (GIVEN_F + GIVEN_M)
        pool = [p for p in pool if p.lower() != old.lower()]
        new = rng.choice(pool)
        if upper:
            new = new.upper()
        return change_word(page, t, s, e, new, "name")
    return None


CHANGERS = {"digit": change_digit, "diacritic": change_diacritic, "name": change_name}
