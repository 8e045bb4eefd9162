# Two commands on a fresh Debian / Raspberry Pi OS machine:  make demo   and   make test
# Both install what they need: Debian packages (when root or with sudo) and a .venv here.

PYTHON ?= python3
VENV := .venv
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Runtime: PortAudio for sound devices, espeak-ng for the pyttsx3 voice, speexdsp for echo cancellation,
# venv support.
APT_RUNTIME := libportaudio2 libespeak-ng1 espeak-ng libspeexdsp1 python3-venv python3-dev
# Tests also use real human recordings (LibriVox clips), sox, headless Chromium for the report, flite
# (voices the wake phrase model is tested on), a word list (the wake training's near misses) and a PulseAudio
# server with ALSA's pulse plugin for live sessions on virtual devices (scripts/live_room.py).
APT_TEST := pocketsphinx-testdata sox chromium flite wamerican pulseaudio pulseaudio-utils libasound2-plugins
OUT := out

.PHONY: demo test lint system system-test venv clean

demo: system $(VENV)/.installed
	@install -d -m 700 $(OUT)
	$(VENV)/bin/glimmer --journal $(OUT)/demo-journal.db run --input-turns demo/turns/*.wav --output-wav $(OUT)/demo.wav
	@echo "--- journal ($(OUT)/demo-journal.db) ---"
	$(VENV)/bin/glimmer --journal $(OUT)/demo-journal.db journal list
	@echo "--- spoken output: $(OUT)/demo.wav ---"

test: system system-test lint
	$(VENV)/bin/python -m pytest

# Style, import order and likely bugs (ruff, configured in pyproject.toml) everywhere; types (mypy) in assistant/.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check assistant scripts tests
	$(VENV)/bin/mypy

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	@touch $@

system:
	@scripts/apt-install.sh $(APT_RUNTIME)

system-test:
	@scripts/apt-install.sh $(APT_TEST)

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache .mypy_cache
