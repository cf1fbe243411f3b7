"""Chunking, embeddings and the Chroma store: the second stage of the pipeline."""
