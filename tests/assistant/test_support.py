"""The support check's model as it ships, and the statement-level check on the issue's cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.support import MODEL_DIR, StatementJudge, SupportModel
from tests.assistant.model_files import assert_files_match_manifest, assert_refused_when_changed

PASSAGE = (
    "Currently, the only FDA-approved medication specifically for ALS is riluzole, which modestly prolongs survival "
    "and delays disease progression. Another approved drug, edaravone, has been shown to slow functional decline in "
    "certain patients. However, a significant number of patients do not respond adequately to these medications."
)


def test_the_shipped_model_is_small_and_its_files_are_the_ones_its_manifest_names():
    assert_files_match_manifest(MODEL_DIR)


def test_a_changed_or_missing_model_file_is_refused_with_what_to_run(tmp_path: Path):
    assert_refused_when_changed(MODEL_DIR, tmp_path, SupportModel, "python -m support train")


@pytest.fixture(scope="module")
def judge_of(guides_assistant):
    """A judge of one passage (its title, its text), as the answer path makes one, the shipped model loaded once."""
    domain, model = guides_assistant.settings.domain, SupportModel()

    def make(title: str, passage: str) -> StatementJudge:
        return StatementJudge({1: (title, passage)}, guides_assistant.vectors, model, domain.medicine_words, domain.topic_words,
                              brands=domain.brand_names)

    return make


@pytest.fixture(scope="module")
def judge(judge_of) -> StatementJudge:
    return judge_of("Treatment for ALS treatment resistance", PASSAGE)


def test_a_claim_whose_words_are_all_in_the_passage_but_bound_to_the_wrong_medicine_is_not_supported(judge):
    verdict = judge.judge("Riluzole slows functional decline.", [1])
    assert not verdict.supported and verdict.reason


@pytest.mark.parametrize(
    "claim",
    [
        "Edaravone has been shown to slow functional decline in certain patients.",
        "Riluzole modestly prolongs survival and delays disease progression.",
        "A significant number of patients do not respond well to these medications.",
    ],
)
def test_a_faithful_claim_is_supported_by_its_statement(judge, claim):
    verdict = judge.judge(claim, [1])
    assert verdict.supported, verdict


@pytest.mark.parametrize(
    "claim",
    [
        "Edaravone slows functional decline in all patients.",  # "in certain patients"
        "All patients respond adequately to these medications.",  # "a significant number ... do not respond"
    ],
)
def test_a_dropped_hedge_or_a_lost_not_is_not_supported(judge, claim):
    verdict = judge.judge(claim, [1])
    assert not verdict.supported, (claim, verdict)


def test_a_figure_the_statement_does_not_give_is_never_weighed_away(judge):
    # the model reads "these three medications" as the statement's own words (P 0.93); the guide names two
    verdict = judge.judge("However, a significant number of patients do not respond adequately to these three medications.", [1])
    assert not verdict.supported and "3, which the statement does not" in verdict.reason, verdict
    cut_off = judge.judge("However, a significant number of patients do not respond adequately to these medications [1", [1])
    assert cut_off.supported, cut_off  # a citation marker cut off at the end of a draft is not a figure


def test_a_medicine_the_statement_does_not_give_is_never_weighed_away(judge):
    # the statement's own words with a medicine added to those it points back to: the combiner kept it (0.92)
    verdict = judge.judge("However, a significant number of patients do not respond adequately to riluzole, edaravone and tofersen.", [1])
    assert not verdict.supported and "tofersen" in verdict.reason, verdict


TREATMENT = (
    "Currently, the only FDA-approved medication specifically for ALS is riluzole, which modestly prolongs survival and delays "
    "disease progression. Another approved drug, edaravone, has been shown to slow functional decline in certain patients. "
    "However, a significant number of patients exhibit resistance or inadequate responses to these treatments. This resistance "
    "may be due to genetic variability, disease heterogeneity, or the complex mechanisms underlying neurodegeneration."
)
LIVING = (
    "The primary treatments for ALS, such as riluzole and edaravone, aim to slow disease progression and reduce symptom severity. "
    "However, not all patients respond favorably to these medications. Resistance to treatment may stem from genetic factors, "
    "disease heterogeneity, or other individual differences. For patients facing this resistance, the journey becomes more about "
    "symptom management, maintaining independence, and enhancing quality of life."
)


@pytest.mark.parametrize(
    ("claim", "passage", "pointing"),
    [
        # "these medications" are riluzole (two sentences before) and edaravone (the one before): riluzole was not bound
        ("A significant number of patients do not respond adequately to riluzole and edaravone.", PASSAGE, "these medications"),
        # "this resistance" is the resistance to "these medications", riluzole and edaravone, three sentences before
        ("For patients who do not respond to riluzole and edaravone, the journey becomes more about symptom management and "
         "maintaining independence.", LIVING, "facing this resistance"),
        # "This resistance" is the resistance to "these treatments", riluzole and edaravone (the guide's own paragraph)
        ("Resistance to riluzole and edaravone may be due to genetic variability, disease heterogeneity, or the complex "
         "mechanisms underlying neurodegeneration.", TREATMENT, "This resistance"),
    ],
)
def test_the_medicines_a_statement_points_back_to_are_bound_to_it(judge_of, claim, passage, pointing):
    # bound: neither the names rule nor its veto finds a medicine the statement does not give. Whether the combiner
    # keeps the reworded claim is its own judgement (since stop 46 the first scores 0.89 against the cut-off 0.90)
    judge = judge_of("Living with ALS treatment resistance", passage)
    statement = next(s for s in judge.passages[1] if pointing in s.sentence)
    assert not judge.unbound_names(claim, statement) and "names" not in judge.problems(claim, statement), statement.binds
    if pointing != "these medications":
        assert judge.judge(claim, [1]).supported


def test_this_medicine_binds_the_medicine_just_named_not_one_named_before_it(judge_of):
    # "this medicine" is mycophenolate mofetil, named in the sentence before: not methotrexate, named before that
    passage = ("Methotrexate is a standard drug for skin thickening. Mycophenolate mofetil is often used for lung disease. "
               "Blood tests are needed every few weeks while taking this medicine.")
    verdict = judge_of("Treatment for scleroderma", passage).judge("Blood tests are needed every few weeks while taking methotrexate.", [1])
    assert not verdict.supported and "methotrexate" in verdict.reason, verdict


HEDGED = (
    "Moreover, emotional and psychological support is crucial, as facing a progressive, treatment-resistant illness can lead to "
    "depression, anxiety, and feelings of helplessness. Moreover, neuroprotective strategies are being explored to bolster "
    "neuronal resilience against degeneration."
)


@pytest.fixture(scope="module")
def hedged(judge_of) -> StatementJudge:
    return judge_of("Living with ALS treatment resistance", HEDGED)


@pytest.mark.parametrize(
    ("claim", "hedge"),
    [("Facing a treatment-resistant illness leads to depression, anxiety and feelings of helplessness.", "can"),
     ("Neuroprotective strategies bolster neuronal resilience against degeneration.", "being explored")],
)
def test_a_near_copy_that_drops_its_hedge_is_not_supported(hedged, claim, hedge):
    # the model reads a near copy as the statement (0.99) and the combiner kept it; a dropped hedge now fails whatever
    # the combiner says (the fit chose it on the tuning writers: ``python -m support combine``)
    statement = next(s for s in hedged.passages[1] if hedge in s.sentence)
    assert hedged.problems(claim, statement).get("hedge") == f"drops the hedge '{hedge}'"
    verdict = hedged.judge(claim, [1])
    assert not verdict.supported and verdict.reason == f"drops the hedge '{hedge}'", verdict


def test_in_patients_who_take_it_is_not_in_certain_patients(judge_of):
    verdict = judge_of("Treatment for ALS", TREATMENT).judge("Edaravone has been shown to slow functional decline in patients who take it.", [1])
    assert not verdict.supported and verdict.reason == "drops the hedge 'certain'", verdict


TOFERSEN = (
    "For example, genetic testing can identify mutations, such as in the SOD1 or C9orf72 genes, which may respond better to "
    "targeted therapies. Notably, the drug tofersen, an antisense therapy targeting SOD1 mutations, has shown potential in "
    "reducing disease progression in early trials."
)


def test_a_claim_that_copies_another_part_of_a_hedged_statement_keeps_it(judge_of):
    # what tofersen is, not what it does: the hedge ("potential", "early trials") governs the result, which it does not say
    judge = judge_of("Treatment for ALS", TOFERSEN)
    assert judge.judge("Tofersen is an antisense therapy targeting SOD1 mutations.", [1]).supported
    verdict = judge.judge("Tofersen reduces disease progression.", [1])
    assert not verdict.supported and verdict.reason == "drops the hedge 'potential'", verdict


def test_the_drug_tofersen_names_the_drug_it_does_not_point_back(judge_of):
    # "the drug tofersen" is no "the drug" of the sentence before: its C9orf72 is not bound to tofersen's statement
    verdict = judge_of("Treatment for ALS", TOFERSEN).judge("Tofersen, an antisense therapy, targets C9orf72 mutations.", [1])
    assert not verdict.supported and "c9orf72" in verdict.reason, verdict


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        ("Riluzole and edaravone do not work well for every patient.", LIVING),  # "not all patients respond favorably"
        ("Up to now, no treatment has been able to stop or reverse ALS.",  # "no treatments that could stop or reverse"
         "Until now, there were no treatments that could stop or reverse the course of ALS."),
    ],
)
def test_a_hedge_said_under_a_not_in_other_words_is_kept(judge_of, claim, passage):
    judge = judge_of("Living with ALS treatment resistance", passage)
    verdict = judge.judge(claim, [1])
    assert verdict.supported, verdict


def test_a_brand_name_is_read_as_the_guides_name_of_its_medicine(judge_of):
    # the brand a question used ("does cellcept help") in the answer's sentence: checked as mycophenolate mofetil
    judge = judge_of("Treatment for scleroderma", "Some patients may not respond to standard immunosuppressive medications "
                     "such as methotrexate, mycophenolate mofetil, or cyclophosphamide.")
    assert judge.judge("Some patients may not respond to CellCept.", [1]).supported
    verdict = judge.judge("Some patients may not respond to Radicava.", [1])
    assert not verdict.supported and verdict.reason == "names edaravone, which the statement does not give it", verdict


def test_the_hedge_rule_is_not_kept_by_a_word_of_another_hedge(hedged):
    # "being used" is not "being explored"
    statement = next(s for s in hedged.passages[1] if "being explored" in s.sentence)
    found = hedged.problems("Neuroprotective strategies are being used to bolster neuronal resilience against degeneration.", statement)
    assert found.get("hedge") == "drops the hedge 'being explored'", found


def test_able_keeps_can_but_not_could(judge_of):
    # "could be a new way of slowing" is not "is able to slow"; "can slow" is
    judge = judge_of("Magnetic stimulation", "This result suggests that magnetic stimulation could be a new way of slowing "
                     "the progression of the disease. Magnetic stimulation can calm the activity of nerve cells.")
    could, can = judge.passages[1]
    assert judge.problems("Magnetic stimulation is able to slow the progression of the disease.", could).get("hedge") == "drops the hedge 'could'"
    assert "hedge" not in judge.problems("Magnetic stimulation is able to calm the activity of nerve cells.", can)


def test_cant_is_not_the_hedge_can(judge_of):
    # "can't" says no: a claim that says "not" keeps what it says; it drops no hedge
    judge = judge_of("Living with ALS", "ALS can't be passed from one person to another by touch or by air.")
    found = judge.problems("ALS is not passed from one person to another by touch or by air.", judge.passages[1][0])
    assert "hedge" not in found, found


def test_the_hedge_rule_lets_a_hedge_kept_in_other_words_be(hedged):
    statement = next(s for s in hedged.passages[1] if "being explored" in s.sentence)
    claim = "Researchers are looking into neuroprotective strategies to bolster neuronal resilience against degeneration."
    assert "hedge" not in hedged.problems(claim, statement) and hedged.judge(claim, [1]).supported


def test_every_guide_sentence_is_supported_by_its_own_passage(guides_assistant):
    # what the extractive answers show and the local model copies: a statement says itself, its hedges with it
    from support.data import Pair, guide_catalog
    from support.judge import Vectors, judge_pairs

    catalog = guide_catalog()
    pairs = [Pair(i, i, s.text, True, "copy", "guide") for i, s in catalog.items() if len(s.text.split()) >= 4]
    judged = judge_pairs(pairs, "shipped", SupportModel(), Vectors())
    assert len(judged) > 80
    assert [(j.pair.claim, j.reason) for j in judged if not j.supported] == []


@pytest.mark.parametrize(
    ("claim", "passage"),
    [
        ("Edaravone is another approved drug.", TREATMENT),  # not what it does "in certain patients"
        ("Rituximab, tocilizumab, and abatacept are newer immunomodulatory agents.",
         "For example, newer immunomodulatory agents like rituximab, tocilizumab, or abatacept have shown promise in some cases."),
        ("Neuroprotective strategies include antioxidants, anti-inflammatory agents, and neurotrophic factors.",
         "Moreover, neuroprotective strategies are being explored to bolster neuronal resilience against degeneration. These "
         "include antioxidants, anti-inflammatory agents, and neurotrophic factors aimed at promoting neuron survival."),
    ],
)
def test_a_copy_of_the_unhedged_part_of_a_statement_is_kept(judge_of, claim, passage):
    verdict = judge_of("Treatment for ALS treatment resistance", passage).judge(claim, [1])
    assert verdict.supported, verdict


@pytest.mark.parametrize("claim", ["Edaravone has been shown to slow ALS.", "While few patients respond well to initial therapies, "
                                   "a subset faces persistent resistance, making management more complicated."])
def test_a_copy_with_a_word_changed_or_its_hedge_dropped_is_not_the_statement(judge_of, claim):
    # found in review: the title's "ALS" made the first a copy of the statement's unhedged part; "few" for "many" is no
    # content word, so the second read as the statement itself
    passage = TREATMENT + " While many patients respond well to initial therapies, a subset faces persistent resistance, " \
        "making management more complicated."
    verdict = judge_of("Treatment for ALS treatment resistance", passage).judge(claim, [1])
    assert not verdict.supported, verdict


MAGNETIC = (
    "After 24 months of treatment, over 70% of patients treated with magnetic stimulation survived without the need for a "
    "respirator, compared to 35% of patients who did not receive the treatment."
)


@pytest.mark.parametrize(
    "claim",
    [
        "After two years of treatment, more than 70 percent of treated patients were alive without a respirator, compared with 35 percent.",
        "Two years in, more than seven out of ten treated patients were alive without a ventilator.",
        "After two years, over 70 out of 100 treated patients survived without a respirator, against 35 out of 100 untreated ones.",
        "About twice as many treated as untreated patients survived 24 months without a respirator.",
        "After 24 months, patients survived without a respirator in 7 out of 10 treated cases.",
    ],
)
def test_a_figure_said_another_way_in_the_same_unit_is_the_statements(judge_of, claim):
    """Every writer of the check's pairs wrote "two years" for "24 months" or "70 percent" for "70%"; they were failed as
    figures the statement does not give (whether the rest is said there is the model's to weigh)."""
    judge = judge_of("Magnetic stimulation for ALS", MAGNETIC)
    statement = judge.passages[1][0]
    assert judge.unbound_figures(claim, statement) == [] and "names" not in judge.problems(claim, statement)


def test_the_statement_with_its_duration_in_years_is_supported(judge_of):
    verdict = judge_of("Magnetic stimulation for ALS", MAGNETIC).judge(MAGNETIC.replace("24 months", "two years"), [1])
    assert verdict.supported, verdict


@pytest.mark.parametrize(
    ("claim", "figure"),
    [
        ("After two months of treatment, over 70% of treated patients survived without a respirator.", "2"),  # 24 months
        ("After 24 months, over 70% of treated patients survived, compared to two in ten untreated patients.", "10"),  # 35%
        ("After 24 months, over 70% of treated patients survived, compared to two percent of untreated patients.", "2"),
        ("After three years of treatment, over 70% of treated patients survived without a respirator.", "3"),
        # a figure said right once is not given where it is said again of something else (review of stop 47)
        ("After two years, over 70% of treated patients survived, compared to two percent of untreated patients.", "2"),
        ("After two years, seven out of ten treated patients survived, compared to seven percent of the others.", "7"),
        ("Over 70 percent of treated patients survived without a respirator for 70 months.", "70"),
        ("After 24 years of treatment, over 70% of treated patients survived without a respirator.", "24"),
        ("Treated twice a day, over 70% of patients survived 24 months without a respirator.", "x2"),
        # a written percent is compared as written; a time in other units or hyphenated is a time (second review)
        ("In a 36-month study, over 70% of treated patients survived without a respirator.", "36"),
        ("After 24 days of treatment, over 70% of treated patients survived without a respirator.", "24"),
    ],
)
def test_a_figure_in_another_unit_or_of_another_size_is_not_the_statements(judge_of, claim, figure):
    verdict = judge_of("Magnetic stimulation for ALS", MAGNETIC).judge(claim, [1])
    named = re.search(r"(?:the figure|names) (.+?), which", verdict.reason)
    assert not verdict.supported and named and figure in named.group(1).split(", "), verdict


@pytest.mark.parametrize(("claim", "statement"), [("in 0.1% of patients", "in 0.4% of patients"), ("in 12% of patients", "in 12.4% of patients")])
def test_a_written_percent_is_compared_as_written(claim, statement):
    """Shares were once rounded to whole percent, and "0.1%" passed for "0.4%" (second review of stop 47)."""
    from assistant.support import unbound_figures_of

    assert unbound_figures_of(claim, statement)
    assert not unbound_figures_of(statement, statement)



@pytest.mark.parametrize(
    ("claim", "statement", "given"),
    [
        ("It starts to work within 72 days.", "It starts to work within 72 hours.", False),  # third review of stop 47
        ("It is taken once a day for 14 days.", "It is taken once daily for 14 days.", True),  # how often, not how long
        ("About 1 in 3 patients respond.", "About 33% of patients respond.", True),
        ("About 1 in 200 patients respond.", "About 1% of patients respond.", False),  # not within the percent's precision
        ("It is offered to people aged 65 and older.", "It is offered to people 65 years of age and older.", True),
    ],
)
def test_quantities_are_compared_in_their_units(claim, statement, given):
    from assistant.support import unbound_figures_of

    assert (not unbound_figures_of(claim, statement)) == given, unbound_figures_of(claim, statement)
