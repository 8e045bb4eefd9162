#!/usr/bin/env bash
# Install Glimmer as a systemd user service: starts at boot (lingering), restarts on failure,
# logs to the user journal (journalctl --user -u glimmer). Run as the user who owns the microphone.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
glimmer="$repo/.venv/bin/glimmer"
if [ ! -x "$glimmer" ]; then
  echo "glimmer: $glimmer not found; run 'make demo' (or 'make venv') in $repo first" >&2
  exit 1
fi
config="${GLIMMER_CONFIG:-$HOME/.config/glimmer/config.yaml}"
if [ ! -f "$config" ]; then
  mkdir -p "$(dirname "$config")"
  cp "$repo/config.yaml" "$config"
  echo "Copied the default settings to $config (set safety.crisis_line for your country)."
fi
"$glimmer" --config "$config" doctor || echo "glimmer doctor found something to fix (above); the service is installed anyway."
unit_dir="$HOME/.config/systemd/user"
mkdir -p "$unit_dir"
cat > "$unit_dir/glimmer.service" <<UNIT
[Unit]
Description=Glimmer, an offline voice companion for savoring glimmers
After=sound.target

[Service]
# A start-up self-check in the log; its findings never block the start.
ExecStartPre=-$glimmer --config $config doctor
ExecStart=$glimmer --config $config -v run
Restart=on-failure
RestartSec=5
# PortAudio and ALSA find the user's sound devices through the runtime directory.
Environment=PYTHONUNBUFFERED=1

[Install]
WantedBy=default.target
UNIT
loginctl enable-linger "$USER" 2>/dev/null || sudo loginctl enable-linger "$USER" || \
  echo "Could not enable lingering: Glimmer will start when $USER logs in, not at boot."
systemctl --user daemon-reload
systemctl --user enable --now glimmer.service
echo "Installed. Follow its log with: journalctl --user -u glimmer -f"
