"""The Gradio chat: layout and handlers (``blocks``), safe rendering (``render``),
feedback storage (``feedback``), the care-team handout (``handout``) and uploads (``uploads``)."""
