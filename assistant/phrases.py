"""Fixed texts the user sees. Code and tests use these constants, never copies."""

NOT_COVERED = "The guides don't cover this."
ASK_CARE_TEAM = "Your care team is the best place to ask about it."
NOT_COVERED_ANSWER = f"{NOT_COVERED} {ASK_CARE_TEAM}"
PARTLY_COVERED = "The guides don't say anything about {missing}; please ask your care team about that."
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
CARE_TEAM = {
    "dose": "Questions about how much of a medicine to take must go to your doctor, nurse or pharmacist; "
    "this assistant never gives doses.",
    "diagnosis": "Only a doctor who examines you can say whether you have a condition; "
    "this assistant can't diagnose. Please talk to your care team about your symptoms.",
    "stop_medication": "Please don't stop or change a medicine without talking to your care team first; "
    "they can tell you what is safe for you.",
}
# The heading of a plain-worded answer's original wording (chat, CLI): the guide's own sentences.
AS_THE_GUIDE_SAYS = "As the guide says"
