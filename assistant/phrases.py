"""Fixed texts the user sees. Code and tests use these constants, never copies.

Each reads at Flesch-Kincaid grade 6 or below (tests/assistant/test_phrases.py): people read them tired,
worried or in a hurry."""

NOT_COVERED = "The guides don't cover this."
ASK_CARE_TEAM = "Your care team is the best place to ask about it."
NOT_COVERED_ANSWER = f"{NOT_COVERED} {ASK_CARE_TEAM}"
NOT_SAID = "The guides don't say anything about {missing}"  # the start of PARTLY_COVERED; the chat's notice too
PARTLY_COVERED = NOT_SAID + "; ask your care team about that."
# When the guides may answer only part of a question but nothing specific can be named as missing:
# a hedge, not a refusal.
MAY_BE_INCOMPLETE = "The guides may not answer all of this. Ask your care team about the rest."
# ... and when what was asked can be quoted: the part of the message that asks, in the person's words.
NOT_FULLY_ANSWERED = 'The guides don\'t fully answer "{asked}". Ask your care team about the rest.'
# Said just before an answer's first sentence naming a guide medicine that the message named by a brand (the domain file's "brand_names").
BRAND_NAME = "{brand} is a brand name of {medicine}, the name the guides use."
# After what the guides don't say, before what they do say that is related (a partial answer).
RELATED = "What they say that is related:"
# After "not covered": what a person can ask instead (the domain file's "covers").
WHAT_THEY_COVER = "They cover {covers}."

EMERGENCY = (
    "This sounds like an emergency. Call your local emergency number now "
    "(911 in the US, 112 in Europe, 999 in the UK), or ask someone near you to call. "
    "If the person has a breathing plan or a ventilator, follow it while help comes. "
    "Took too much of a medicine, or the wrong one? You can also call Poison Control: "
    "1-800-222-1222 in the US, 111 in the UK. Keep the pill box or bottle with you. "
    "Don't wait for an answer here."
)
CRISIS = (
    "I'm really sorry you're going through this. You deserve support right now, and so does anyone you're worried about. "
    "Please call or text 988 (Suicide & Crisis Lifeline, US). In the UK and Ireland, call Samaritans on 116 123. "
    "Or call your local emergency number. If you or someone else might act on these thoughts, call for help now "
    "or go to the nearest emergency room. Talking to someone you trust can help too."
)
EMERGENCY_TITLE = "Call for help now"
CRISIS_TITLE = "You don't have to face this alone"

# Care-team notices (shown before what the guides say) and the advice the handout gives.
CHOKING_NOTICE = (
    "Is someone choking now and can't breathe, speak or cough? Call your local emergency number now: "
    "911 in the US, 112 in Europe, 999 in the UK. If choking keeps happening when eating or drinking, "
    "tell the care team soon."
)
# A message that names an emergency the emergency-now model is sure is not happening now
# ("will she suffocate at the end"): this first, then the answer.
EMERGENCY_MENTIONED_NOTICE = (
    "Is someone unable to breathe, choking or turning blue right now? Call your local emergency number now: "
    "911 in the US, 112 in Europe, 999 in the UK. If not, read on."
)
EMERGENCY_MENTIONED_ADVICE = "Ask the care team what to do if breathing gets hard, and keep the plan close by."
CHOKING_ADVICE = "Tell the care team how often choking happens when eating or drinking. Ask what can help."
DOSE_NOTICE = "Ask your doctor, nurse or pharmacist how much of a medicine to take. This assistant never gives doses."
DOSE_ADVICE = "Ask your doctor, nurse or pharmacist how much to take and when."
DIAGNOSIS_NOTICE = (
    "Only a doctor who examines you can say if you have a condition. This assistant can't diagnose. "
    "Please talk to your care team about your symptoms."
)
DIAGNOSIS_ADVICE = "Tell your doctor about the symptoms and ask whether they need to be checked."
STOP_MEDICATION_NOTICE = (
    "Please don't stop or change a medicine before you talk to your care team. They can tell you what is safe for you."
)
STOP_MEDICATION_ADVICE = "Ask your care team before you stop or change any medicine."
# The heading of a plain-worded answer's original wording (chat, CLI): the guide's own sentences.
AS_THE_GUIDE_SAYS = "As the guide says"
# Where the plain wording of the shipped guides comes from, said once under an answer that uses it.
PLAIN_EDITION_NOTE = (
    "Plain words from the guides' plain-language edition, written and checked by medical writers. "
    "Tap \"As the guide says\" for the guide's own words."
)
WORDS_USED = "Words used"  # the heading of the glossary entries under an answer
