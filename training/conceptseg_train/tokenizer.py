"""WordPiece tokenizer of the model package (docs/model-package.md, "Text" and "Tokenizer").

Rules (the Java TextEncoder implements the same; fixtures/tokenizer.json checks it):
  1. lower-case the phrase (Python str.lower / Java toLowerCase(Locale.ROOT));
  2. split on whitespace; inside each chunk every punctuation character is a word of its own;
  3. each word -> WordPiece: greedy longest match from the left, pieces after the first are
     looked up with a "##" prefix; if some position cannot be matched, or the word is longer
     than MAX_CHARS_PER_WORD characters, the whole word becomes [UNK];
  4. [BOS] pieces... [EOS], padded with [PAD] to the context length; more than L tokens is an
     error (TokenizerError), never a silent truncation.
"""
from __future__ import annotations

import json
import string
import unicodedata
from typing import Dict, Iterable, List, Sequence, Tuple

PAD, UNK, BOS, EOS = "[PAD]", "[UNK]", "[BOS]", "[EOS]"
SPECIALS = (PAD, UNK, BOS, EOS)          # ids 0, 1, 2, 3 -- fixed
MAX_CHARS_PER_WORD = 100


class TokenizerError(ValueError):
    """A phrase that cannot be encoded (too many tokens for the context length)."""


# --------------------------------------------------------------------------------------------
# Vocabulary content
# --------------------------------------------------------------------------------------------
# Every word of inspection-domain.md that a prompt may use: parts, synonyms, finishes, defects,
# groups (plural forms are made from these with ##s / ##es).
DOMAIN_CONCEPT_WORDS = """
washer flat nut hex screw bolt gear cog wheel
silver brass black copper red blue
scratch mark crack fracture hole puncture dent rust spot corrosion stain oil smudge
fastener part defect
""".split()

# Further words of the domain description (surfaces, looks, shapes).
DOMAIN_OTHER_WORDS = """
surface brushed metal metallic painted paint panel dark belt photo photographic texture rough
stone gravel brick concrete grass fabric gray grey white off light pale green yellow safety
noise streak lighting shadow highlight rim ring hole disk disc hexagon hexagonal round shank
head slot cross teeth tooth center central inner outer diameter edge line arc stroke blob
ellipse jagged branch mottled irregular smooth orange brown tinted oily corroded rusty
scratched cracked dented stained worn damaged broken missing loose bent chipped deep shallow
long short thin thick wide narrow small large big tiny huge
""".split()

# General English so that prompts outside the domain still get real word pieces.
GENERAL_WORDS = """
a an the this that these those some any all every each no not none one two three four five
six seven eight nine ten many few more most less least other another same different
and or but if then than so as of in on at by for with without from to into onto over under
above below between near far inside outside around through across along behind beside
up down left right top bottom front back middle side corner end start
is are was were be been being am do does did have has had can could will would should may
might must shall get got make made take put find show see look give keep use need want
i you he she it we they me him her us them my your his its our their what which who where
when why how there here yes very too also just only still even again always never often
thing object item piece area region zone place point spot location position
man woman person people child boy girl baby face hand arm leg foot eye ear nose mouth hair
body finger skin dog cat bird horse cow sheep pig fish mouse animal insect bee ant spider
car truck bus bike bicycle motorcycle train plane airplane boat ship road street sign
traffic building house door window wall floor roof room kitchen table chair desk bed sofa
couch lamp shelf box bag bottle cup glass plate bowl spoon fork knife pan pot book paper
pen pencil phone computer screen keyboard cable wire pipe tube hose tape rope chain hook
nail pin rivet spring clip bracket plate sheet rod bar beam frame tool hammer wrench
pliers drill saw blade handle button switch knob lever valve pump motor engine battery
bearing shaft axle pulley lid cap cover case container tray rack pallet crate barrel
tank bin can jar label sticker tag logo text letter number code barcode
tree plant flower leaf branch wood log rock sand soil dirt mud water ice snow sky cloud
sun moon fire smoke dust hill mountain river lake sea beach field forest garden park
food apple banana orange bread cake pizza egg meat cheese fruit vegetable
shirt pants shoe hat coat jacket dress glove sock
color colour purple pink gold golden bronze beige tan cyan magenta violet transparent clear
shiny matte glossy bright dull striped spotted dotted checkered colored coloured
steel iron aluminium aluminum plastic rubber glass ceramic wooden leather cloth cotton wool
square rectangle rectangular triangle triangular circle circular oval cylinder cylindrical
sphere spherical cube curve curved straight bent twisted sharp blunt hollow solid
old new clean dirty wet dry hot cold hard soft heavy light full empty open closed
good bad poor fine best better worse worst high low top
first second third last next previous whole half quarter double single pair set group
kind type sort class category
image picture frame video scene view background foreground
bump burn burr chip crease crater drop groove gap leak mold mould patch peel pit pore
residue ripple scuff seam spill splash streak tear wear weld wrinkle blister bubble
flaw fault damage mark marking trace line spot
""".split()

# Continuation pieces: plurals and common English endings.
SUFFIXES = ["s", "es", "ed", "ing", "er", "ers", "est", "ly", "y", "ness", "ment", "ion"]

PUNCTUATION_TOKENS = list(string.punctuation)   # the 32 ASCII punctuation characters


def build_vocab() -> List[str]:
    """The package vocabulary, deterministic. id = index in the returned list."""
    vocab: List[str] = list(SPECIALS)
    seen = set(vocab)

    def add(tokens: Iterable[str]):
        for t in tokens:
            if t not in seen:
                seen.add(t)
                vocab.append(t)

    add(PUNCTUATION_TOKENS)
    add(string.digits)
    add(string.ascii_lowercase)
    add("##" + c for c in string.ascii_lowercase)
    add("##" + c for c in string.digits)
    add("##" + s for s in SUFFIXES)
    add(DOMAIN_CONCEPT_WORDS)
    add(sorted(set(DOMAIN_OTHER_WORDS) | set(GENERAL_WORDS)))
    return vocab


# --------------------------------------------------------------------------------------------
# Tokenizer
# --------------------------------------------------------------------------------------------
def is_whitespace(ch: str) -> bool:
    """U+0009..U+000D, U+0020, or Unicode category Zs (Java: same test, written out)."""
    return ch in " \t\n\r\x0b\x0c" or unicodedata.category(ch) == "Zs"


def is_punctuation(ch: str) -> bool:
    """ASCII 33-47, 58-64, 91-96, 123-126, or any Unicode category P* (as BERT)."""
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def split_words(text: str) -> List[str]:
    words: List[str] = []
    cur: List[str] = []
    for ch in text.lower():
        if is_whitespace(ch):
            if cur:
                words.append("".join(cur))
                cur = []
        elif is_punctuation(ch):
            if cur:
                words.append("".join(cur))
                cur = []
            words.append(ch)
        else:
            cur.append(ch)
    if cur:
        words.append("".join(cur))
    return words


class WordPieceTokenizer:
    def __init__(self, vocab: Sequence[str], context_length: int):
        if list(vocab[:4]) != list(SPECIALS):
            raise ValueError(f"vocabulary must start with {SPECIALS}")
        self.vocab = list(vocab)
        self.ids: Dict[str, int] = {t: i for i, t in enumerate(self.vocab)}
        if len(self.ids) != len(self.vocab):
            raise ValueError("duplicate tokens in vocabulary")
        self.context_length = context_length
        self.pad_id, self.unk_id, self.bos_id, self.eos_id = (self.ids[t] for t in SPECIALS)

    @classmethod
    def from_file(cls, path: str, context_length: int) -> "WordPieceTokenizer":
        with open(path, encoding="utf-8") as f:
            vocab = [line.rstrip("\n") for line in f]
        return cls(vocab, context_length)

    def save(self, path: str):
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            for t in self.vocab:
                f.write(t + "\n")

    def wordpiece(self, word: str) -> List[str]:
        if len(word) > MAX_CHARS_PER_WORD:
            return [UNK]
        pieces: List[str] = []
        start = 0
        while start < len(word):
            end = len(word)
            match = None
            while end > start:
                piece = word[start:end]
                if start > 0:
                    piece = "##" + piece
                if piece in self.ids:
                    match = piece
                    break
                end -= 1
            if match is None:
                return [UNK]
            pieces.append(match)
            start = end
        return pieces

    def tokenize(self, text: str) -> List[str]:
        out: List[str] = []
        for w in split_words(text):
            out.extend(self.wordpiece(w))
        return out

    def encode(self, text: str) -> Tuple[List[int], List[int]]:
        """-> (ids, attention_mask), both of length context_length."""
        toks = [BOS] + self.tokenize(text) + [EOS]
        if len(toks) > self.context_length:
            raise TokenizerError(
                f"phrase {text!r} needs {len(toks)} tokens, context length is {self.context_length}")
        ids = [self.ids[t] for t in toks]
        n = len(ids)
        pad = self.context_length - n
        return ids + [self.pad_id] * pad, [1] * n + [0] * pad

    def encode_batch(self, texts: Sequence[str]):
        import torch
        enc = [self.encode(t) for t in texts]
        ids = torch.tensor([e[0] for e in enc], dtype=torch.int64)
        mask = torch.tensor([e[1] for e in enc], dtype=torch.int64)
        return ids, mask

    def special_ids(self) -> Dict[str, int]:
        return {"pad_id": self.pad_id, "unk_id": self.unk_id, "bos_id": self.bos_id, "eos_id": self.eos_id}


def default_tokenizer(context_length: int = 16) -> WordPieceTokenizer:
    return WordPieceTokenizer(build_vocab(), context_length)


# Phrases of fixtures/tokenizer.json: singular/plural, synonyms, finishes, groups, unknown words,
# punctuation, case, whitespace, the empty phrase and one that fills the context exactly.
FIXTURE_PHRASES = [
    "washer", "washers", "flat washer", "brass washer", "brass washers",
    "nut", "hex nuts", "black nuts", "screw", "bolts", "gear", "cogs", "gear wheel", "red gears",
    "scratch", "scratches", "scratch mark", "crack", "fractures", "hole", "punctures", "dents",
    "rust spot", "rust spots", "corrosion", "oil stain", "smudges", "fastener", "parts", "defects",
    "Rust-Spot!", "  silver   SCREW  ", "copper, blue & red washers", "café crème",
    "xyzzy widget", "2 brass nuts", "", "a b c d e f g h i j k l m n",
]


def fixture_entries(tok: WordPieceTokenizer) -> List[dict]:
    out = []
    for text in FIXTURE_PHRASES:
        ids, mask = tok.encode(text)
        out.append({"text": text, "ids": ids, "attention_mask": mask})
    return out


# Phrases that must be rejected (more than context_length tokens).
FIXTURE_TOO_LONG = [
    "a b c d e f g h i j k l m n o",
    "supercalifragilisticexpialidocious",
]


def fixtures_json(tok: WordPieceTokenizer) -> str:
    return json.dumps(fixture_entries(tok), indent=1, ensure_ascii=False) + "\n"
