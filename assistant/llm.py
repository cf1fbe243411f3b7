"""LangChain chat models for generation: the local GGUF through llama.cpp, or an
OpenAI-compatible endpoint.

``llama_cpp`` and ``langchain_openai`` are imported inside the functions that need them:
both are heavy, and neither is needed to import this module.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ChatMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field, PrivateAttr, model_validator

from core.settings import Settings

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI
    from llama_cpp import Llama

log = logging.getLogger(__name__)

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}
# First-token spellings counted as an answer of yes / no (each one token in Qwen's vocabulary).
YES_WORDS = ("yes", "Yes", "YES", " yes", " Yes")
NO_WORDS = ("no", "No", "NO", " no", " No")


def to_llama_messages(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages as llama.cpp chat dicts (``{"role", "content"}``)."""
    converted = []
    for message in messages:
        role = message.role if isinstance(message, ChatMessage) else _ROLES.get(message.type)
        if role is None:
            raise ValueError(f"The local model takes system, human and ai messages, not {message.type!r}.")
        converted.append({"role": role, "content": message.text})
    return converted


class LlamaCppChatModel(BaseChatModel):
    """A chat model over a local GGUF file, run by llama.cpp on the CPU.

    One ``llama_cpp.Llama`` is not thread-safe, so every call into it (generation,
    streaming, ``yes_probability``) holds one lock; the Gradio app calls from threads.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: Path = Field(description="The GGUF file.")
    n_ctx: int = Field(4096, description="Context window, in tokens.")
    n_threads: int = Field(2, description="CPU threads.")
    max_tokens: int = Field(220, description="Longest answer, in tokens.")
    temperature: float = Field(0.0, description="Sampling temperature (0: greedy).")

    _llama: Llama = PrivateAttr()
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _yes_no_ids: tuple[list[int], list[int]] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _load_llama(self) -> LlamaCppChatModel:
        from llama_cpp import Llama

        log.info("Loading %s (n_ctx=%d, n_threads=%d).", self.model_path, self.n_ctx, self.n_threads)
        self._llama = Llama(
            model_path=str(self.model_path),
            n_ctx=self.n_ctx,
            n_threads=self.n_threads,
            logits_all=False,
            verbose=False,
        )
        return self

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.model_path.name, "n_ctx": self.n_ctx, "temperature": self.temperature}

    def _completion_kwargs(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "temperature": kwargs.get("temperature", self.temperature),
            "stop": stop or [],
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with self._lock:
            response = self._llama.create_chat_completion(
                messages=to_llama_messages(messages), **self._completion_kwargs(stop, kwargs)
            )
        choice = response["choices"][0]
        usage = response.get("usage") or {}
        message = AIMessage(
            content=choice["message"]["content"] or "",
            response_metadata={"finish_reason": choice.get("finish_reason"), "model_name": self.model_path.name},
            usage_metadata={
                "input_tokens": usage.get("prompt_tokens", 0),
                "output_tokens": usage.get("completion_tokens", 0),
                "total_tokens": usage.get("total_tokens", 0),
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        # The lock is held until the stream ends or its consumer closes it.
        with self._lock:
            stream = self._llama.create_chat_completion(
                messages=to_llama_messages(messages), stream=True, **self._completion_kwargs(stop, kwargs)
            )
            try:
                for part in stream:
                    choice = part["choices"][0]
                    token = choice["delta"].get("content") or ""
                    finish = choice.get("finish_reason")
                    if not token and finish is None:
                        continue  # the opening delta carries only the role
                    chunk = ChatGenerationChunk(
                        message=AIMessageChunk(
                            content=token,
                            response_metadata={"finish_reason": finish, "model_name": self.model_path.name}
                            if finish
                            else {},
                        )
                    )
                    if run_manager is not None and token:
                        run_manager.on_llm_new_token(token, chunk=chunk)
                    yield chunk
            finally:
                stream.close()

    def yes_probability(self, prompt_messages: Sequence[BaseMessage]) -> float:
        """P(yes) / (P(yes) + P(no)) for the first token of the model's reply.

        Used as an NLI-style judge: ask a yes/no question, read the two probabilities.
        llama-cpp-python 0.3.x returns logprobs only for a ``Llama`` built with
        ``logits_all=True`` (a logits matrix of n_ctx × vocab, ~2.4 GB here), and its
        ``eval`` no longer copies logits into ``scores`` otherwise. So this generates one
        token with a logits processor, which receives the full next-token logits (in
        token-id order: it runs first in the sampler chain) and records them unchanged.
        """
        captured: list[Any] = []

        def capture(_input_ids: Any, scores: Any) -> Any:
            captured.append(scores.copy())
            return scores

        from llama_cpp import LogitsProcessorList

        yes_ids, no_ids = self._yes_no_token_ids()
        with self._lock:
            self._llama.create_chat_completion(
                messages=to_llama_messages(prompt_messages),
                max_tokens=1,
                temperature=0.0,
                logits_processor=LogitsProcessorList([capture]),
            )
        if not captured:
            raise RuntimeError("llama.cpp did not pass the next-token logits to the logits processor.")
        logits = captured[0]
        return _share(logits, yes_ids, no_ids)

    def _yes_no_token_ids(self) -> tuple[list[int], list[int]]:
        if self._yes_no_ids is None:
            self._yes_no_ids = (self._single_token_ids(YES_WORDS), self._single_token_ids(NO_WORDS))
        return self._yes_no_ids

    def _single_token_ids(self, words: Sequence[str]) -> list[int]:
        ids = set()
        for word in words:
            tokens = self._llama.tokenize(word.encode("utf-8"), add_bos=False, special=False)
            if len(tokens) == 1:
                ids.add(tokens[0])
        if not ids:
            raise RuntimeError(f"None of {words} is a single token of {self.model_path.name}.")
        return sorted(ids)


def _share(logits: Any, yes_ids: Sequence[int], no_ids: Sequence[int]) -> float:
    """exp-sum of the yes logits over that of the yes and no logits, computed stably."""
    yes = [float(logits[i]) for i in yes_ids]
    no = [float(logits[i]) for i in no_ids]
    top = max(yes + no)
    p_yes = sum(math.exp(v - top) for v in yes)
    p_no = sum(math.exp(v - top) for v in no)
    return p_yes / (p_yes + p_no)


def load_local_chat_model(settings: Settings) -> LlamaCppChatModel:
    """The local generator: the verified GGUF (assembled if needed) with ``settings.generator``."""
    from assistant.model_files import local_model_path

    gen = settings.generator
    return LlamaCppChatModel(
        model_path=local_model_path(settings),
        n_ctx=gen.n_ctx,
        n_threads=gen.n_threads,
        max_tokens=gen.max_tokens,
        temperature=gen.temperature,
    )


def load_openai_chat_model(settings: Settings) -> ChatOpenAI:
    """A chat model on the OpenAI-compatible endpoint of ``settings.generator``."""
    from langchain_openai import ChatOpenAI

    gen = settings.generator
    return ChatOpenAI(
        base_url=gen.openai_base_url,
        model=gen.openai_model,
        api_key=gen.openai_api_key,
        timeout=gen.timeout_s,
        temperature=gen.temperature,
        max_tokens=gen.max_tokens,
        streaming=True,
        max_retries=1,
    )
