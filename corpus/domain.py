"""What a corpus is about: its conditions, the names people use for them, the diseases it
is not about, who it is for, and the example questions the chat offers.

Read from ``domain.json`` beside the guides, so that pointing the app at other guides
means another data file, not other code. Every field is described in the file's ``_about``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from core.errors import GuideError

DOMAIN_FILE = "domain.json"


@dataclass(frozen=True)
class Condition:
    key: str
    label: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Examples:
    """Example questions the chat offers under one heading."""

    id: str  # a word, for the page's element ids ("patient")
    heading: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class BrandName:
    """A brand name a message used for one of the guides' medicines ("CellCept": "mycophenolate mofetil")."""

    brand: str  # as the maker writes it ("CellCept")
    medicine: str  # as the guides name it ("mycophenolate mofetil")

    def named_as_brand(self, text: str) -> bool:
        """Whether a text uses this brand name ("CellCept's" too)."""
        return bool(whole_word(self.brand).search(text))

    def read_in(self, text: str) -> str:
        """The text with this brand name read as the guides' name ("does cellcept help" -> "does mycophenolate mofetil help")."""
        return whole_word(self.brand).sub(self.medicine, text)

    def named_in(self, text: str) -> bool:
        """Whether a text names the medicine, by the first word of the guides' name ("mycophenolate")."""
        return bool(whole_word(self.medicine.split()[0]).search(text))


@dataclass(frozen=True)
class Domain:
    conditions: tuple[Condition, ...]
    topic: str = "the guides' subject"  # "ALS and scleroderma": said in the chat's title line
    audience: str = "people who use these patient guides"  # whom the answer prompt says it helps
    not_about: tuple[str, ...] = ()  # other diseases; named in a question, the passages must name them too
    examples: tuple[Examples, ...] = ()
    # Words that name what every guide is about ("als", "treatment-resistant"): a question holding
    # them says nothing more by them. The file's list, else the words of the conditions' labels.
    topic_words: frozenset[str] = frozenset()
    medicines: tuple[str, ...] = ()  # the medicines the guides name ("mycophenolate mofetil")
    covers: str = ""  # what the guides do cover, said after "not covered" ("medicines and what to do when they stop working, ...")
    brand_names: tuple[BrandName, ...] = ()  # "CellCept" for the guides' "mycophenolate mofetil"

    @property
    def what_they_cover(self) -> str:
        """What the guides cover, in a few plain words (the file's "covers", else its topic)."""
        return self.covers or self.topic

    @cached_property
    def medicine_words(self) -> frozenset[str]:
        """The words of the guides' medicines' names, lower case ("mycophenolate", "mofetil")."""
        return frozenset(w for m in self.medicines for w in m.lower().split())

    @cached_property
    def brand_words(self) -> frozenset[str]:
        """The brand names of the guides' medicines, lower case ("cellcept")."""
        return frozenset(b.brand.lower() for b in self.brand_names)

    def brands_named(self, text: str) -> tuple[BrandName, ...]:
        """The brand names a text uses, in the order they first appear ("cellcept's side effects" too)."""
        found = {b: m.start() for b in self.brand_names if (m := whole_word(b.brand).search(text))}
        return tuple(sorted(found, key=found.__getitem__))

    def label(self, key: str) -> str:
        """A condition's name as shown ("als" -> "ALS"); an unknown key as it is."""
        return next((c.label for c in self.conditions if c.key == key), key)

    def heading(self, key: str) -> str:
        """A condition's name at the start of a line or in a list of choices ("Scleroderma")."""
        label = self.label(key)
        return label[:1].upper() + label[1:]

    @property
    def names(self) -> tuple[str, ...]:
        """Every name of every condition ("als", "lou gehrig's disease", "sclero", ...)."""
        return tuple(dict.fromkeys(n for c in self.conditions for n in (c.label.lower(), *c.names)))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.conditions)

    @property
    def other_diseases(self) -> re.Pattern[str] | None:
        """A pattern matching any disease the guides are not about (None when the file names none)."""
        if not self.not_about:
            return None
        names = sorted(self.not_about, key=len, reverse=True)
        return re.compile(r"\b(" + "|".join(names) + r")\b", re.IGNORECASE)

    @property
    def _names(self) -> list[tuple[str, Condition]]:
        every = {(n, c) for c in self.conditions for n in (c.label.lower(), *c.names)}
        return sorted(every, key=lambda nc: (-len(nc[0]), nc[0]))

    def named_conditions(self, text: str) -> tuple[str, ...]:
        """Keys of the conditions a text names, in the order they first appear."""
        found: dict[str, int] = {}
        for name, condition in self._names:
            match = whole_word(name).search(text)
            if match and condition.key not in found:
                found[condition.key] = match.start()
        return tuple(sorted(found, key=found.__getitem__))

    def conditions_discussed(self, text: str, at_least: int = 2) -> tuple[str, ...]:
        """Keys of the conditions a document is about: those it names ``at_least`` times."""
        counts = dict.fromkeys(self.keys, 0)
        for name, condition in self._names:
            found = whole_word(name).findall(text)
            counts[condition.key] += len(found)
            text = whole_word(name).sub(" ", text)  # counted once
        return tuple(key for key, count in counts.items() if count >= at_least)

    def canonical_names(self, text: str) -> str:
        """The text with other names of a condition replaced by its label ("mnd" -> "ALS")."""
        for name, condition in self._names:
            if name != condition.label.lower():
                text = whole_word(name).sub(condition.label, text)
        return text


@lru_cache(maxsize=512)
def whole_word(name: str) -> re.Pattern[str]:
    """``name`` as a whole word or words, any case ("CellCept's" holds "CellCept"; "cellcepts" does not)."""
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", re.IGNORECASE)


def _brand_names(data: dict, medicines: tuple[str, ...], condition_names: tuple[str, ...]) -> tuple[BrandName, ...]:  # type: ignore[type-arg]
    """The file's "brand_names": each one word, listed once, under a medicine of "medicines", and no
    word of a medicine's or condition's name the file already gives."""
    listed = data.get("brand_names", {})
    if not isinstance(listed, dict) or not all(isinstance(v, list) for v in listed.values()):
        raise TypeError('"brand_names" must map a medicine to a list of its brand names')
    unknown = [m for m in listed if m.lower() not in medicines]
    if unknown:
        raise TypeError(f'"brand_names" gives brands of {unknown}, which "medicines" does not list')
    brands = [BrandName(str(b), m.lower()) for m, names in listed.items() for b in names]
    taken = {w for name in (*medicines, *condition_names) for w in re.findall(r"[a-z0-9]+", name)}
    seen: set[str] = set()
    for brand in brands:
        word = brand.brand.lower()
        if not re.fullmatch(r"[a-z][a-z0-9]+", word) or word in seen or word in taken:
            raise TypeError(
                f'"brand_names" lists {brand.brand!r}: each brand must be one word of letters or digits, listed once, '
                "and not a word of a medicine's or condition's name the file already gives"
            )
        seen.add(word)
    return tuple(brands)


@lru_cache(maxsize=8)
def load_domain(guides_dir: Path) -> Domain:
    """The domain file of a guides folder (an empty domain when the folder has none)."""
    path = Path(guides_dir) / DOMAIN_FILE
    if not path.is_file():
        return Domain(())
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        conditions = tuple(
            Condition(key, str(entry["label"]), tuple(str(n).lower() for n in entry.get("names", [])))
            for key, entry in data.get("conditions", {}).items()
        )
        not_about = tuple(str(p) for p in data.get("not_about", []))
        for pattern in not_about:
            re.compile(pattern)
        examples = tuple(
            Examples(str(e["id"]), str(e["heading"]), tuple(str(q) for q in e["questions"])) for e in data.get("examples", [])
        )
        for listed in ("not_about", "topic_words", "medicines"):
            if not isinstance(data.get(listed, []), list):
                raise TypeError(f'"{listed}" must be a list')
        labels = [w for c in conditions for w in c.label.lower().split()]
        topic_words = frozenset(str(w).lower() for w in data.get("topic_words", labels))
        medicines = tuple(str(m).lower() for m in data.get("medicines", []))
        return Domain(
            conditions, str(data.get("topic", Domain.topic)), str(data.get("audience", Domain.audience)), not_about,
            examples, topic_words, medicines, str(data.get("covers", "")),
            _brand_names(data, medicines, tuple(n for c in conditions for n in (c.label.lower(), *c.names))),
        )
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError, re.error) as error:
        raise GuideError(
            f"{path} is not a valid domain file ({type(error).__name__}: {error}). Fix it as its \"_about\" "
            "describes: each condition needs a \"label\" and a list of \"names\"; \"not_about\" is a list of "
            "patterns; \"topic_words\" and \"medicines\" lists of words; \"brand_names\" a medicine of \"medicines\" "
            "to a list of its brand names; each of \"examples\" has an \"id\", "
            "a \"heading\" and \"questions\"."
        ) from error
