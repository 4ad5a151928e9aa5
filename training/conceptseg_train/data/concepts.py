"""Concept vocabulary of the surface-inspection domain (shared/inspection-domain.md).

Every noun phrase of the spec is covered: part names and their synonyms, defect names and their
synonyms, "<finish> <part>" (with every part synonym), the groups "fastener", "part" and
"defect", each singular or plural. Phrases are matched case-insensitively with collapsed
whitespace.

``matches(phrase, instance)`` answers whether an instance (anything with ``.kind`` and
``.finish``, or a dict with those keys) is an instance of the phrase. "hole" always means the
surface defect, never the hole in a washer, nut or gear (those holes are not instances at all).

``HELD_OUT`` lists finish+part combinations that training must never show (neither in images nor
as phrases) so that evaluation can measure compositional generalisation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Optional, Tuple

PART_KINDS: Tuple[str, ...] = ("washer", "nut", "screw", "gear")
DEFECT_KINDS: Tuple[str, ...] = ("scratch", "crack", "hole", "dent", "rust spot", "stain")
KINDS: Tuple[str, ...] = PART_KINDS + DEFECT_KINDS
FINISH_NAMES: Tuple[str, ...] = ("silver", "brass", "black", "copper", "red", "blue")

#: canonical kind -> its surface forms (singular); the first is the canonical name
PART_SYNONYMS: Dict[str, Tuple[str, ...]] = {
    "washer": ("washer", "flat washer"),
    "nut": ("nut", "hex nut"),
    "screw": ("screw", "bolt"),
    "gear": ("gear", "cog", "gear wheel"),
}
DEFECT_SYNONYMS: Dict[str, Tuple[str, ...]] = {
    "scratch": ("scratch", "scratch mark"),
    "crack": ("crack", "fracture"),
    "hole": ("hole", "puncture"),
    "dent": ("dent",),
    "rust spot": ("rust spot", "rust", "corrosion"),
    "stain": ("stain", "oil stain", "smudge"),
}
#: group name -> member kinds
GROUPS: Dict[str, Tuple[str, ...]] = {
    "fastener": ("washer", "nut", "screw"),
    "part": PART_KINDS,
    "defect": DEFECT_KINDS,
}

#: finish+part combinations that training never shows (one per part kind, four finishes)
HELD_OUT: Tuple[Tuple[str, str], ...] = (
    ("copper", "gear"),
    ("blue", "screw"),
    ("black", "washer"),
    ("brass", "nut"),
)

_IRREGULAR_PLURALS: Dict[str, str] = {}
#: mass nouns: the plural form is the singular
_MASS_NOUNS = frozenset({"rust", "corrosion"})


def plural_of(singular: str) -> str:
    """Plural of a singular surface form ("hex nut" -> "hex nuts", "scratch" -> "scratches")."""
    if singular in _MASS_NOUNS:
        return singular
    if singular in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[singular]
    head, _, last = singular.rpartition(" ")
    if last.endswith(("s", "sh", "ch", "x", "z")):
        last = last + "es"
    else:
        last = last + "s"
    return (head + " " + last) if head else last


def normalize(phrase: str) -> str:
    """Lower-case, trim and collapse whitespace."""
    return re.sub(r"\s+", " ", phrase.strip().lower())


@dataclass(frozen=True)
class Concept:
    """A parsed noun phrase."""
    phrase: str                 # normalised phrase as given
    key: str                    # canonical kind or group name ("washer", "rust spot", "fastener")
    kinds: FrozenSet[str]       # the instance kinds it covers
    finish: Optional[str]       # finish restriction, parts only
    plural: bool
    form: str                   # "part", "defect", "finish_part" or "group"

    def matches(self, kind: str, finish: Optional[str]) -> bool:
        if kind not in self.kinds:
            return False
        return self.finish is None or self.finish == finish


def _build_noun_table() -> Dict[str, Tuple[str, bool]]:
    """surface form (singular and plural) -> (canonical key, is_plural)."""
    table: Dict[str, Tuple[str, bool]] = {}
    for syn in list(PART_SYNONYMS.items()) + list(DEFECT_SYNONYMS.items()):
        key, forms = syn
        for form in forms:
            table[form] = (key, False)
            table.setdefault(plural_of(form), (key, True))
    for group in GROUPS:
        table[group] = (group, False)
        table[plural_of(group)] = (group, True)
    return table


_NOUNS = _build_noun_table()


def parse(phrase: str) -> Concept:
    """Parse a phrase of the vocabulary; raises ValueError for anything else.

    Besides the spec's forms this accepts "<finish> fastener(s)" and "<finish> part(s)"."""
    text = normalize(phrase)
    finish = None
    noun = text
    first, _, rest = text.partition(" ")
    if first in FINISH_NAMES and rest:
        finish, noun = first, rest
    if noun not in _NOUNS:
        raise ValueError("not a concept of the inspection domain: %r" % phrase)
    key, plural = _NOUNS[noun]
    kinds = frozenset(GROUPS.get(key, (key,)))
    if finish is not None:
        if not kinds <= set(PART_KINDS):
            raise ValueError("a finish applies to parts only: %r" % phrase)
        form = "finish_part"
    elif key in GROUPS:
        form = "group"
    elif key in PART_KINDS:
        form = "part"
    else:
        form = "defect"
    return Concept(text, key, kinds, finish, plural, form)


def is_concept(phrase: str) -> bool:
    try:
        parse(phrase)
        return True
    except ValueError:
        return False


def _kind_finish(instance) -> Tuple[str, Optional[str]]:
    if isinstance(instance, dict):
        return instance["kind"], instance.get("finish")
    return instance.kind, getattr(instance, "finish", None)


def matches(phrase, instance) -> bool:
    """True when ``instance`` (``.kind``/``.finish`` or a dict) is an instance of ``phrase``.

    ``phrase`` may be a string or a parsed :class:`Concept`."""
    concept = phrase if isinstance(phrase, Concept) else parse(phrase)
    kind, finish = _kind_finish(instance)
    return concept.matches(kind, finish)


def forms_of(key: str, finish: Optional[str] = None) -> List[str]:
    """All surface forms (singular then plural, every synonym) of a kind or group key."""
    if key in PART_SYNONYMS:
        singulars = list(PART_SYNONYMS[key])
    elif key in DEFECT_SYNONYMS:
        singulars = list(DEFECT_SYNONYMS[key])
    elif key in GROUPS:
        singulars = [key]
    else:
        raise ValueError("unknown concept key %r" % key)
    out: List[str] = []
    for s in singulars:
        for f in (s, plural_of(s)):
            phrase = (finish + " " + f) if finish else f
            if phrase not in out:
                out.append(phrase)
    return out


def is_held_out(phrase) -> bool:
    """True for phrases naming a held-out finish+part combination ("copper gears", "blue bolt")."""
    concept = phrase if isinstance(phrase, Concept) else parse(phrase)
    if concept.finish is None:
        return False
    return any((concept.finish, k) in HELD_OUT for k in concept.kinds)


def vocabulary(include_held_out: bool = True) -> List[str]:
    """Every phrase form of the spec: parts, defects, "<finish> <part>", groups; singular + plural."""
    out: List[str] = []
    for kind in PART_KINDS:
        out += forms_of(kind)
    for kind in DEFECT_KINDS:
        out += forms_of(kind)
    for finish in FINISH_NAMES:
        for kind in PART_KINDS:
            if not include_held_out and (finish, kind) in HELD_OUT:
                continue
            out += forms_of(kind, finish)
    for group in GROUPS:
        out += forms_of(group)
    return out


def canonical_phrases(include_held_out: bool = True) -> List[str]:
    """One canonical singular phrase per concept (kinds, finish+part, groups)."""
    out = list(PART_KINDS) + list(DEFECT_KINDS)
    for finish in FINISH_NAMES:
        for kind in PART_KINDS:
            if include_held_out or (finish, kind) not in HELD_OUT:
                out.append(finish + " " + kind)
    return out + list(GROUPS)


def concept_bank() -> dict:
    """The vocabulary as a plain dict (canonical phrase -> synonyms, groups -> members)."""
    return {
        "parts": {k: list(v) for k, v in PART_SYNONYMS.items()},
        "defects": {k: list(v) for k, v in DEFECT_SYNONYMS.items()},
        "finishes": list(FINISH_NAMES),
        "groups": {k: list(v) for k, v in GROUPS.items()},
        "held_out": [f + " " + k for f, k in HELD_OUT],
    }


__all__ = [
    "PART_KINDS", "DEFECT_KINDS", "KINDS", "FINISH_NAMES", "PART_SYNONYMS", "DEFECT_SYNONYMS",
    "GROUPS", "HELD_OUT", "Concept", "parse", "is_concept", "matches", "forms_of", "plural_of",
    "normalize", "is_held_out", "vocabulary", "canonical_phrases", "concept_bank",
]

