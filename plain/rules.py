"""Plain versions written without a model, faithful by construction; checked like any other.

Three means, each of which keeps every word that carries a fact:

1. ``split_clauses``: a long sentence becomes two or three at a clause boundary (a
   semicolon; "While/Although X, Y"; an appositive after a named term, "tofersen, an
   antisense therapy ..., has shown ..."; an aside between dashes; a trailing ", making ...";
   ", which ..." after a medicine or gene, which is then named again). Nothing is dropped but
   the joining word; "but" is kept where it marks a contrast.
2. The plain words a guide itself gives for a term ("X, also known as Y," and "X, the ...
   that ..." become a sentence of their own: "X is also known as Y.").
3. ``simple_words``: swaps from one published general plain-language word list
   (``everyday_words.tsv``, its source named in the file); each swap is kept only if the
   sentence still passes the term checks (``plain.checks.term_problems``).

The result still goes through every check of ``plain.build`` (terms, grade, drift, judge).
"""

from __future__ import annotations

import re
from functools import lru_cache, partial
from pathlib import Path

from plain.checks import Medicines, _is_gene_or_acronym, is_medicine, procedures, term_problems

WORD_LIST = Path(__file__).with_name("everyday_words.tsv")
NAME = "rules"  # the writer's name in the layer's cache key
RULES_VERSION = "r1"  # bump when a rule changes: every sentence is then rewritten
MAX_PIECES = 3  # the checks refuse more than three sentences

_SUBJECT_START = frozenset("many some most this these those it they we you there each several few".split())
_PREPOSITIONS = frozenset("in on at for with from by of to into".split())


@lru_cache(maxsize=1)
def simple_words() -> tuple[tuple[str, str], ...]:
    """(formal phrase, plain phrase) pairs of the word list, longest phrase first."""
    pairs = []
    for line in WORD_LIST.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        formal, plain, *_ = line.split("\t")
        pairs.append((formal.strip(), plain.strip()))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def rules_model_name() -> str:
    """The rules' name in the cache key: their version and the word list's hash."""
    import hashlib  # noqa: PLC0415

    return f"{NAME}-{RULES_VERSION}-{hashlib.sha256(WORD_LIST.read_bytes()).hexdigest()[:8]}"


def plain_version(sentence: str, medicines: Medicines = ()) -> str | None:
    """A plainer version made by the three means, or None when none of them applies.
    ``medicines``: the guides' own (the domain file's), which the checks keep."""
    pieces = [_capitalised(p) for p in split_clauses(sentence, medicines)]
    text = " ".join(pieces)
    text = swap_words(sentence, text, medicines=medicines)
    text = re.sub(r"(^|[.!?] )(But|So), ", r"\1\2 ", text)  # "However, X" -> "But X", not "But, X"
    return text if _same_words(text) != _same_words(sentence) else None


# --- 1 and 2: clause splits ------------------------------------------------------------------
def split_clauses(sentence: str, medicines: Medicines = ()) -> list[str]:
    """The sentence as up to ``MAX_PIECES`` sentences, each ending with a full stop."""
    pieces = [sentence.strip()]
    appositive, which_after_name = partial(_appositive, medicines=medicines), partial(_which_after_name, medicines=medicines)
    for rule in (_also_known_as, _dash_aside, _comma_aside, appositive, _semicolon, _concessive, which_after_name,
                 _trailing_participle, _and_clause):
        out: list[str] = []
        for piece in pieces:
            out.extend(rule(piece))
        if len(out) <= MAX_PIECES:
            pieces = out
    return pieces


def _full_stop(text: str) -> str:
    text = text.strip().rstrip(",;")
    return text if text.endswith((".", "!", "?")) else text + "."


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _also_known_as(s: str) -> list[str]:
    """"X, also known as Y, is Z." -> "X is also known as Y. It is Z." (the guide's own other name)"""
    m = re.match(r"^(.{3,80}?), also known as ([^,]{3,60}), (is|are|was|were|has|have) (.+)$", s)
    if not m:
        return [s]
    term, other, verb, rest = m.groups()
    pronoun = "They" if verb in ("are", "were", "have") else "It"
    return [f"{term} {verb if verb in ('is', 'are') else 'is'} also known as {other}.", _full_stop(f"{pronoun} {verb} {rest}")]


def _dash_aside(s: str) -> list[str]:
    """"A—including B, C—does D." -> "A does D. These include B, C." ("such as": "Examples are ...")."""
    m = re.match(r"^(.+?)\s*[—–]\s*(including|such as) ([^—–]+?)\s*[—–]\s*(.+)$", s)
    if not m:
        return [s]
    head, kind, listed, rest = m.groups()
    lead = "These include" if kind == "including" else "Examples are"
    return [_full_stop(f"{head} {rest}"), _full_stop(f"{lead} {listed}")]


def _comma_aside(s: str) -> list[str]:
    """"A, such as B and C, does D." -> "A does D. Examples are B and C." ("including": "These include")."""
    m = re.match(r"^(.+?), (including|such as) ([^,]+?), (.+)$", s)
    if not m or m.group(3).split()[0].lower() in _PREPOSITIONS or len(m.group(4).split()) < 3 \
            or re.search(r", (?:and|or) ", m.group(4)):
        return [s]  # "factors, including A, B, and C": a list goes on, not an aside
    head, kind, listed, rest = m.groups()
    lead = "These include" if kind == "including" else "Examples are"
    return [_full_stop(f"{head} {rest}"), _full_stop(f"{lead} {listed}")]


def _named_end(text: str, medicines: Medicines) -> str | None:
    """The named term (medicine, gene, named procedure) that ``text`` ends with, as written."""
    words = text.split()
    if not words:
        return None
    last = words[-1].strip("(),")
    if is_medicine(last, medicines) or _is_gene_or_acronym(last):
        return last
    for n in (3, 2):  # "magnetic stimulation", "motor neurons"
        tail = " ".join(words[-n:])
        if procedures(tail) and procedures(tail) != procedures(" ".join(words[-n + 1:])):
            return tail
    tail = " ".join(words[-2:])
    return tail if procedures(tail) else None


def _appositive(s: str, medicines: Medicines) -> list[str]:
    """"... the drug tofersen, an antisense therapy targeting SOD1, has shown X." ->
    "... the drug tofersen has shown X. Tofersen is an antisense therapy targeting SOD1."
    And the guide's own definition: "... motor neurons, the nerve cells that control movement."
    -> "... motor neurons. Motor neurons are the nerve cells that control movement."."""
    for m in re.finditer(r"(?=, ((?:a|an|the) [^,;—]{3,80}?)(,|\.$))", s):
        head = s[: m.start()]
        term = _named_end(head, medicines)
        if not term:
            continue
        appositive, end = m.group(1), m.group(2)
        rest = s[m.start() + 2 + len(appositive) + 1:].strip()
        if end == "," and not rest:
            continue
        verb = "are" if term.lower().endswith("s") and not is_medicine(term, medicines) else "is"
        main = _full_stop(f"{head} {rest}" if end == "," else head)
        return [main, _full_stop(f"{_capitalised(term)} {verb} {appositive}")]
    return [s]


def _semicolon(s: str) -> list[str]:
    parts = [p.strip() for p in s.split(";") if p.strip()]
    return [_full_stop(p) for p in parts] if len(parts) > 1 else [s]


def _concessive(s: str) -> list[str]:
    """"While/Although X, Y." -> "X. But Y."; "X, while Y." -> "X. Y." (nothing lost but "while")."""
    m = re.match(r"^(?:While|Although|Though) ([^,]{8,}?), (.+)$", s)
    if m and not re.search(r"\b(?:as|so)\b", m.group(2).split(" ", 1)[0]):
        return [_full_stop(m.group(1)), _full_stop(f"But {m.group(2)}")]
    m = re.match(r"^(.{20,}?), while (.{12,})$", s)
    if m:
        return [_full_stop(m.group(1)), _full_stop(m.group(2))]
    return [s]


def _which_after_name(s: str, medicines: Medicines) -> list[str]:
    """"... is riluzole, which modestly prolongs survival." -> "... is riluzole. Riluzole modestly
    prolongs survival." Only after a named term, so the name said again is what "which" meant."""
    m = re.search(r", which ", s)
    if not m:
        return [s]
    head, rest = s[: m.start()], s[m.end():]
    term = _named_end(head, medicines)
    if not term or " " in term or term.isupper() and len(term) <= 3 and "gene" in rest:
        return [s]
    pronoun = "They" if term.lower().endswith("s") and not is_medicine(term, medicines) else "It"  # "riluzole. Riluzole" reads as a stutter
    return [_full_stop(head), _full_stop(f"{pronoun} {rest}")]


_PARTICIPLES = {"making": "makes", "leading": "leads", "offering": "offers", "aiming": "aims", "showing": "shows",
                "suggesting": "suggests", "allowing": "allows", "causing": "causes"}


def _trailing_participle(s: str) -> list[str]:
    """"X, making Y." -> "X. This makes Y." (the participle's subject is what X says)."""
    m = re.search(rf", ({'|'.join(_PARTICIPLES)}) (.+)$", s)
    if not m or m.start() < 25 or re.search(r"\b(?:and|or) \w+ing\b", m.group(2)):
        return [s]
    verb = _PARTICIPLES[m.group(1)]
    return [_full_stop(s[: m.start()]), _full_stop(f"This {verb} {m.group(2)}")]


def _and_clause(s: str) -> list[str]:
    """"X, and many patients Y." -> "X. Many patients Y."; ", but" keeps "But". Only when that
    next word starts a clause ("many", "it", "they"...), so a list ("A, B, and C") is never cut."""
    m = re.search(r", (and|but) (\w+) ", s)
    if not m or m.group(2).lower() not in _SUBJECT_START or len(s[m.end():].split()) < 4:
        return [s]
    tail = s[m.end(1) + 1:]
    return [_full_stop(s[: m.start()]), _full_stop(f"But {tail}" if m.group(1) == "but" else _capitalised(tail))]


# --- 3: plain words ---------------------------------------------------------------------------
def swap_words(
    source: str, text: str, pairs: tuple[tuple[str, str], ...] | None = None, medicines: Medicines = ()
) -> str:
    """``text`` with each listed formal phrase swapped for its plain one, a swap kept only
    when it adds no problem to what ``term_problems`` finds (a lost hedge, an added absolute...)."""
    for formal, plain in pairs if pairs is not None else simple_words():
        pattern = re.compile(rf"\b(?:([Aa]n?) )?({re.escape(formal)})\b", re.IGNORECASE)
        if not pattern.search(text):
            continue
        swapped = pattern.sub(lambda m: _swap(m, plain), text)
        if set(term_problems(source, swapped, medicines)) <= set(term_problems(source, text, medicines)):
            text = swapped
    return text


def _swap(match: re.Match[str], plain: str) -> str:
    article, word = match.group(1), match.group(2)
    new = _same_case(word, plain) if not article else plain
    if not article:
        return new
    wanted = "an" if plain[:1].lower() in "aeio" else "a"
    return f"{_same_case(article, wanted)} {new}"


def _same_case(original: str, plain: str) -> str:
    return _capitalised(plain) if original[:1].isupper() else plain


def _same_words(text: str) -> str:
    return " ".join(text.split())
