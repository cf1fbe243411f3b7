"""The emergency-now model's data and training (``python -m urgency train``); the product reads it in ``assistant.urgency``."""
