"""LangChain chat models for generation: the local GGUF through llama.cpp, or an
OpenAI-compatible endpoint.

``llama_cpp`` and ``langchain_openai`` are imported inside the functions that need them:
both are heavy, and neither is needed to import this module.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ChatMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field, PrivateAttr, model_validator

from core.priority import lowered_pool
from core.settings import Settings

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI
    from llama_cpp import Llama, LlamaState

log = logging.getLogger(__name__)

MODEL_THREAD = "local-model"  # the name of the thread that runs llama.cpp
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}
# First-token spellings counted as an answer of yes / no (each one token in Qwen's vocabulary).
YES_WORDS = ("yes", "Yes", "YES", " yes", " Yes")
NO_WORDS = ("no", "No", "NO", " no", " No")


@dataclass(frozen=True)
class GenerationStats:
    """Where the seconds of one local-model call went (llama.cpp's own counters).

    ``prompt_tokens`` is the whole prompt; ``prefill_tokens`` the part read in this call (the
    rest was a prefix already in llama.cpp's cache); ``first_token_s`` the wall time from the
    call to its first token.
    """

    prompt_tokens: int
    prefill_tokens: int
    prefill_s: float
    generated_tokens: int
    generation_s: float
    first_token_s: float

    @property
    def prefill_rate(self) -> float:
        return self.prefill_tokens / self.prefill_s if self.prefill_s else 0.0

    @property
    def generation_rate(self) -> float:
        return self.generated_tokens / self.generation_s if self.generation_s else 0.0


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

    llama.cpp's work runs on one thread of its own, set ``niceness`` lower than the rest of the
    app: its OpenMP workers, started from that thread, inherit the lower priority. While it keeps
    both cores busy for one person, a crisis reply or the extractive answers of those waiting in
    line take the cores when they need them (on a slow 2-core machine a crisis reply in the chat
    took 1.0-1.9 s behind it).

    llama.cpp reuses the part of its cache that matches the start of a new prompt. A prompt
    warmed with ``warm_prefix`` keeps its state: a later call with the same system prompt
    after a call with another one (a follow-up rewrite, a judge) restores it instead of
    reading the system prompt again.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: Path = Field(description="The GGUF file.")
    n_ctx: int = Field(4096, description="Context window, in tokens.")
    n_threads: int = Field(2, description="CPU threads.")
    max_tokens: int = Field(220, description="Longest answer, in tokens.")
    temperature: float = Field(0.0, description="Sampling temperature (0: greedy).")
    niceness: int = Field(0, ge=0, le=19, description="How far below the app's main thread llama.cpp's threads run (Linux; the app's is generator.model_niceness).")

    _llama: Llama = PrivateAttr()
    _worker: ThreadPoolExecutor = PrivateAttr()
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _yes_no_ids: tuple[list[int], list[int]] | None = PrivateAttr(default=None)
    _prefix: tuple[str, LlamaState] | None = PrivateAttr(default=None)
    _context_system: str | None = PrivateAttr(default=None)
    _last_stats: GenerationStats | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _load_llama(self) -> LlamaCppChatModel:
        from llama_cpp import Llama

        log.info("Loading %s (n_ctx=%d, n_threads=%d).", self.model_path, self.n_ctx, self.n_threads)
        self._worker = lowered_pool(1, self.niceness, MODEL_THREAD)
        self._llama = self._on_model_thread(
            Llama, model_path=str(self.model_path), n_ctx=self.n_ctx, n_threads=self.n_threads, logits_all=False, verbose=False
        )
        return self

    def _on_model_thread(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``call`` run on the model's own low-priority thread; its result or its exception. Called
        there already (a stream closed by the collector of its own thread), it runs at once: waiting
        for itself, the thread would never be free again."""
        if threading.current_thread().name.startswith(MODEL_THREAD):
            return call(*args, **kwargs)
        return self._worker.submit(call, *args, **kwargs).result()

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def last_stats(self) -> GenerationStats | None:
        """Token counts and timings of the latest generation or stream."""
        return self._last_stats

    def warm_prefix(self, messages: Sequence[BaseMessage]) -> int:
        """Read ``messages`` (a system prompt and the fixed start of its user message) once and
        keep llama.cpp's state for them; returns the tokens read. Later prompts that start
        with the same system message begin from this state."""
        system = _system_text(messages)
        if system is None:
            raise ValueError("warm_prefix needs messages that start with a system message.")
        started = time.perf_counter()
        with self._lock:
            self._on_model_thread(self._llama.create_chat_completion, messages=to_llama_messages(messages), max_tokens=1, temperature=0.0)
            state = self._llama.save_state()
            self._prefix, self._context_system = (system, state), system
        log.info("Warmed the prompt prefix: %d tokens in %.1f s.", state.n_tokens, time.perf_counter() - started)
        return int(state.n_tokens)

    def _prepare(self, messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
        """The llama.cpp messages; restores the warmed prefix when the context holds another
        system prompt. Called with the lock held."""
        system = _system_text(messages)
        if self._prefix is not None and system == self._prefix[0] and self._context_system != system:
            self._llama.load_state(self._prefix[1])
        self._context_system = system
        _perf_reset(self._llama)
        return to_llama_messages(messages)

    def _record(self, started: float, first_token_at: float | None) -> None:
        """Keep this call's counters (called with the lock held, after the call)."""
        n_p_eval, t_p_eval_ms, n_eval, t_eval_ms = _perf(self._llama)
        first = (first_token_at or time.perf_counter()) - started
        # The last token is sampled but never evaluated; and when the whole prompt was cached,
        # llama.cpp replays its last token as a one-token decode, counted with generation.
        generated = n_eval + 1 if n_p_eval else n_eval
        self._last_stats = GenerationStats(
            prompt_tokens=max(int(self._llama.n_tokens) - generated + 1, 0),
            prefill_tokens=max(n_p_eval, 1),
            prefill_s=t_p_eval_ms / 1000,
            generated_tokens=generated,
            generation_s=t_eval_ms / 1000,
            first_token_s=first,
        )

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
            started = time.perf_counter()
            response = self._on_model_thread(
                self._llama.create_chat_completion, messages=self._prepare(messages), **self._completion_kwargs(stop, kwargs)
            )
            self._record(started, None)
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
            started, first_token_at = time.perf_counter(), None
            stream = self._llama.create_chat_completion(
                messages=self._prepare(messages), stream=True, **self._completion_kwargs(stop, kwargs)
            )  # a generator: each step below decodes a token, on the model's thread
            try:
                while (part := self._on_model_thread(next, stream, None)) is not None:
                    choice = part["choices"][0]
                    token = choice["delta"].get("content") or ""
                    finish = choice.get("finish_reason")
                    if not token and finish is None:
                        continue  # the opening delta carries only the role
                    if first_token_at is None:
                        first_token_at = time.perf_counter()
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
                self._on_model_thread(stream.close)
                self._record(started, first_token_at)

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
            self._on_model_thread(
                self._llama.create_chat_completion,
                messages=self._prepare(prompt_messages),
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


def _system_text(messages: Sequence[BaseMessage]) -> str | None:
    return messages[0].text if messages and messages[0].type == "system" else None


def _perf_reset(llama: Llama) -> None:
    import llama_cpp  # noqa: PLC0415

    llama_cpp.llama_perf_context_reset(llama.ctx)


def _perf(llama: Llama) -> tuple[int, float, int, float]:
    """llama.cpp's counters since the last reset: tokens read as prompt and their ms, tokens
    decoded one at a time (generation) and their ms."""
    import llama_cpp  # noqa: PLC0415

    data = llama_cpp.llama_perf_context(llama.ctx)
    return int(data.n_p_eval), float(data.t_p_eval_ms), int(data.n_eval), float(data.t_eval_ms)


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
        niceness=gen.model_niceness,
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
