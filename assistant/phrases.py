"""Fixed texts the user sees. Code and tests use these constants, never copies."""

NOT_COVERED = "The guides don't cover this."
ASK_CARE_TEAM = "Your care team is the best place to ask about it."
NOT_COVERED_ANSWER = f"{NOT_COVERED} {ASK_CARE_TEAM}"
NOT_SAID = "The guides don't say anything about {missing}"  # the start of PARTLY_COVERED; the chat's notice too
PARTLY_COVERED = NOT_SAID + "; please ask your care team about that."
# When the guides may answer only part of a question but nothing specific can be named as missing:
# a hedge, not a refusal.
MAY_BE_INCOMPLETE = "The guides may not answer all of your question; please ask your care team about anything this leaves out."

EMERGENCY = (
    "This sounds like an emergency. Call your local emergency number now "
    "(911 in the US, 112 in Europe, 999 in the UK), or ask someone near you to call. "
    "If the person has a breathing plan or a ventilator, follow it while help comes. "
    "Don't wait for an answer here."
)
CRISIS = (
    "I'm really sorry you're feeling this way. You deserve support right now. "
    "Please call or text 988 (Suicide & Crisis Lifeline, US), call Samaritans on 116 123 (UK and Ireland), "
    "or your local emergency number. If you might act on these thoughts, call emergency services now "
    "or go to the nearest emergency department. Talking to someone you trust can help too."
)
EMERGENCY_TITLE = "Call for help now"
CRISIS_TITLE = "You don't have to face this alone"

# Care-team notices (shown before what the guides say) and the advice the handout gives.
CHOKING_NOTICE = (
    "If someone is choking right now and can't breathe, speak or cough, call your local emergency number now "
    "(911 in the US, 112 in Europe, 999 in the UK). Choking that keeps happening when eating or drinking "
    "is something to tell the care team about soon."
)
CHOKING_ADVICE = "Tell the care team how often the choking happens when eating or drinking, and ask what can help."
DOSE_NOTICE = (
    "Questions about how much of a medicine to take must go to your doctor, nurse or pharmacist; "
    "this assistant never gives doses."
)
DOSE_ADVICE = "Ask your doctor, nurse or pharmacist how much to take and when."
DIAGNOSIS_NOTICE = (
    "Only a doctor who examines you can say whether you have a condition; "
    "this assistant can't diagnose. Please talk to your care team about your symptoms."
)
DIAGNOSIS_ADVICE = "Tell your doctor about the symptoms and ask whether they need to be checked."
STOP_MEDICATION_NOTICE = (
    "Please don't stop or change a medicine without talking to your care team first; "
    "they can tell you what is safe for you."
)
STOP_MEDICATION_ADVICE = "Ask your care team before stopping or changing any medicine."
# The heading of a plain-worded answer's original wording (chat, CLI): the guide's own sentences.
AS_THE_GUIDE_SAYS = "As the guide says"
