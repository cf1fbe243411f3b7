"""The one exception type meant for the user: its message says what to do."""


class GuideError(Exception):
    """A problem the user can fix; the message says how.

    The CLI turns it into an exit code and a plain message, the Gradio app into
    ``gr.Error``; library code raises it and never prints.
    """
