"""The local model's plain rewrite of one guide sentence: prompt, examples, glossary.

The examples are guide-style sentences that are not in the shipped guides (so the audit of
the shipped layer reads the model's work, not ours), chosen for what went wrong without
them: a medicine renamed, a hedge ("modestly", "may") turned into a promise, a figure
rounded, one long sentence kept long.
"""

from __future__ import annotations

import re

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from plain.checks import _HEDGE_TRIGGERS, Medicines, figures, named_terms, procedures, tidy

# Bump when the prompt, the examples or the checks change: every sentence is then rewritten.
PROMPT_VERSION = "p1-c2"

SYSTEM = (
    "You rewrite one sentence from a patient guide in plain English, for a reader at school grade 6.\n"
    "Rules:\n"
    "- Say exactly what the sentence says. Add no facts, no advice and no examples. Leave nothing out.\n"
    "- Keep every medicine name, gene name, number, named treatment and named test exactly as written.\n"
    "- Keep words like may, some, modestly and early: they say how sure the guide is.\n"
    "- Use short, common words. A long sentence may become two short sentences.\n"
    "- Write only the new sentence or sentences."
)
HUMAN = "Sentence: {sentence}{keep}{glossary}"
EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "Sentence: Baclofen, a muscle relaxant, is commonly prescribed to alleviate cramps and spasticity.\n"
        "Keep exactly: Baclofen",
        "Baclofen is a muscle relaxant. It is often given to ease cramps and stiff muscles.",
    ),
    (
        "Sentence: Genetic testing may identify mutations in the FUS gene, which can inform decisions about "
        "enrolment in targeted clinical trials.\nKeep exactly: FUS, genetic test, clinical trial",
        "Genetic testing may find changes in the FUS gene. This can help you decide whether to join "
        "clinical trials aimed at that gene.",
    ),
    (
        "Sentence: In a preliminary study, 40% of participants reported modest improvements in fatigue after "
        "12 weeks of treatment.\nKeep exactly: 40%, 12",
        "In an early study, 40% of the people taking part felt a little less tired after 12 weeks of treatment.",
    ),
    (
        "Sentence: Occupational therapists collaborate with patients to adapt their home environment and "
        "preserve independence in daily activities.",
        "Occupational therapists work with patients to change their homes so they can keep doing daily tasks "
        "on their own.",
    ),
)

_GLOSSARY_PATTERNS = (
    # "Scleroderma, also known as systemic sclerosis,": both names, as the guide gives them
    re.compile(r"([A-Z][\w’'-]*(?: [\w’'-]+){0,3})(?: \(([A-Z]{2,})\))?, also known as ([\w’' -]+?)[,.]"),
    # "motor neurons, the nerve cells that control voluntary movement."
    re.compile(r"([a-z][\w-]+ [a-z][\w-]+), (the [a-z ]+? (?:that|which) [a-z ]+?)[.,]"),
)


def guide_glossary(text: str) -> dict[str, str]:
    """Plain words a guide itself gives for a term: ``{term: plain words}``."""
    glossary: dict[str, str] = {}
    for match in _GLOSSARY_PATTERNS[0].finditer(text):
        term, other = match.group(1), match.group(3).strip()
        glossary[term] = other
    for match in _GLOSSARY_PATTERNS[1].finditer(text):
        glossary[match.group(1)] = match.group(2)
    return glossary


def keep_list(sentence: str, medicines: Medicines = ()) -> list[str]:
    """The terms the checks will look for, spelled as the sentence spells them."""
    keep = []
    for token in re.findall(r"[A-Za-z0-9][A-Za-z0-9’'-]*%?", sentence):
        for part in token.split("-"):
            bare = re.sub(r"['’]s?$", "", part)
            if bare and bare.lower().rstrip("s") in {t.rstrip("s") for t in named_terms(sentence, medicines)} and bare not in keep:
                keep.append(bare)
    keep += [f for f in sorted(figures(sentence)) if f in sentence and f not in keep]
    for triggers in _HEDGE_TRIGGERS.values():
        keep += [t for t in triggers if " " not in t and re.search(rf"\b{t}\b", sentence, re.IGNORECASE) and t not in keep]
    for pattern in sorted(procedures(sentence)):
        match = re.search(pattern + r"[\w-]*", sentence, re.IGNORECASE)
        if match and not any(match.group().lower() in k.lower() for k in keep):
            keep.append(match.group())
    return keep


def messages_for(sentence: str, glossary: dict[str, str] | None = None, medicines: Medicines = ()) -> list[BaseMessage]:
    keep = keep_list(sentence, medicines)
    notes = [f"{term} = {plain}" for term, plain in (glossary or {}).items() if term in sentence and plain not in sentence]
    human = HUMAN.format(
        sentence=sentence,
        keep=f"\nKeep exactly: {', '.join(keep)}" if keep else "",
        glossary=f"\nThe guide's own plain words: {'; '.join(notes)}" if notes else "",
    )
    messages: list[BaseMessage] = [SystemMessage(SYSTEM)]
    for example, answer in EXAMPLES:
        messages += [HumanMessage(example), AIMessage(answer)]
    messages.append(HumanMessage(human))
    return messages


def rewrite(
    model: BaseChatModel, sentence: str, glossary: dict[str, str] | None = None, medicines: Medicines = ()
) -> str:
    """The model's plain version of ``sentence`` (unchecked); ``medicines`` as for ``keep_list``."""
    budget = max(48, int(len(sentence.split()) * 2.0))
    reply = model.invoke(messages_for(sentence, glossary, medicines), max_tokens=budget)
    return tidy(str(reply.content))

