"""Is the message a question about health or care at all? If not, it is not answered from the guides.

"What's the weather like in Rome this week?", "tell me one joke", "Quick crockpot chicken recipe?"
share no topic with the guides, but the relevance model's best sentence for them can still pass the
coverage decision's low cut-off (it is fitted so that at most 3% of answerable questions are
refused), and they got guide text as "related" ("The guides don't say anything about 'crockpot' ...
What they say that is related: Autologous stem cell transplant ..."). This model reads the question's
vector from the index's own embedder (all-MiniLM-L6-v2, already computed for the answer's reading),
with its cosine to the closest sentence of the passages (computed for the answer's reading too),
so it costs one dot product: P(not about health or care) = sigmoid(w . [v, cosine] + b), a logistic regression
the project trains (``python -m relevance topic``) on health questions in patients' words and from
public consumer-health data against everyday requests to a voice assistant (CLINC150, CC BY 3.0:
``relevance/data/SOURCES.md``). Its cut-off is fitted so that none of the tuning sets' health
questions is refused for it (the calibration writers', dev_tune's, the safety calibration writer's).
``assistant.evidence`` reads it only for a question that opens a conversation, names nothing the
documents are about, has no passage from the person's own upload and that no passage answers in full. The weights (fp16) and the cut-off ship in
``assistant/topic_model/`` with their sha256, and are refused with what to run if missing or changed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.relevance import verified_manifest

TOPIC_DIR = Path(__file__).resolve().parent / "topic_model"
INPUT_FORMAT = 2  # the question as the chain reads it (Query.text), embedded by the index's embedder, and the closest cosine
WEIGHTS_FILE = "weights.npy"  # fp16: the embedding's weights, the closest sentence's cosine's, then the bias
_RETRAIN = "rebuild it with 'python -m relevance topic' (see relevance/README.md)"


class TopicModel:
    """P(a question is not about health or care), from its unit vector."""

    def __init__(self, folder: Path = TOPIC_DIR) -> None:
        self.folder = Path(folder)
        self.manifest = verified_manifest(self.folder, "everyday-request model", INPUT_FORMAT, _RETRAIN)
        values = np.load(self.folder / WEIGHTS_FILE).astype(np.float64)
        self.weights, self.bias = values[:-1], float(values[-1])
        self.cut = float(self.manifest["cut"])
        self.embedder = str(self.manifest["embedder"])
        self.name = f"everyday-request model {self.manifest.get('version', '?')} ({self.manifest['files'][WEIGHTS_FILE][:12]})"

    def everyday(self, vector: np.ndarray, closest: float) -> float:
        """P(the question is not about health or care), from its unit vector (the index embedder's)
        and its cosine with the closest sentence of the passages (as the answer's reading embeds them)."""
        features = np.append(np.asarray(vector, dtype=np.float64), float(closest))
        return float(everyday_chance(features[None, :], self.weights, self.bias)[0])


def everyday_chance(features: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    """P(not about health or care) for rows of [unit vector, closest cosine]: the one formula the
    product (``TopicModel``) and the training report (``relevance.topic``) both use."""
    z = np.clip(features @ np.asarray(weights, dtype=np.float64) + bias, -50.0, 50.0)
    return 1.0 / (1.0 + np.exp(-z))


@lru_cache(maxsize=2)
def load_topic_model(folder: Path = TOPIC_DIR) -> TopicModel:
    return TopicModel(folder)
