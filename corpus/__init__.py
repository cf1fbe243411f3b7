"""Documents and their loaders: the first stage of the pipeline."""

from corpus.loaders import SUPPORTED_SUFFIXES, UnreadableFile, load_file, load_paths
from corpus.types import Document, LoadProblem, OffsetMap

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Document",
    "LoadProblem",
    "OffsetMap",
    "UnreadableFile",
    "load_file",
    "load_paths",
]
