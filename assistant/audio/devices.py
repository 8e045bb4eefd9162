"""Finding sound devices by name (ALSA card numbers move between reboots) and their sample rates."""

from dataclasses import dataclass

from assistant.errors import GlimmerError

COMMON_RATES = (16000, 22050, 32000, 44100, 48000)


@dataclass(frozen=True)
class Device:
    """One sound device as PortAudio sees it."""

    index: int
    name: str
    max_input_channels: int
    max_output_channels: int
    default_rate: int


def list_devices() -> list[Device]:
    """Every device PortAudio reports; empty when there is no sound hardware or no PortAudio."""
    try:
        import sounddevice as sd
        raw = sd.query_devices()
    except (OSError, ImportError):
        return []
    return [Device(i, d["name"], d["max_input_channels"], d["max_output_channels"],
                   int(d["default_samplerate"])) for i, d in enumerate(raw)]


def find_device(spec: str | int | None, kind: str) -> Device:
    """The input or output (`kind`) device named by `spec`: None = default, an index, or a name substring."""
    channels = "max_input_channels" if kind == "input" else "max_output_channels"
    devices = [d for d in list_devices() if getattr(d, channels) > 0]
    if not devices:
        what = "microphone" if kind == "input" else "speaker"
        raise GlimmerError(f"no {what} found; plug one in and check 'glimmer doctor', "
                           "or try the demo without hardware: 'make demo'")
    if spec is None or spec == "":
        return _default(devices, kind)
    if isinstance(spec, int) or str(spec).isdigit():
        match = [d for d in devices if d.index == int(spec)]
    else:
        match = [d for d in devices if str(spec).lower() in d.name.lower()]
    if not match:
        names = ", ".join(repr(d.name) for d in devices)
        raise GlimmerError(f"no {kind} device matches {spec!r}; available: {names} (see 'glimmer doctor')")
    return match[0]


def _default(devices: list[Device], kind: str) -> Device:
    """PortAudio's default device of `kind`, else the first one that has the channels."""
    try:
        import sounddevice as sd
        index = sd.default.device[0 if kind == "input" else 1]
    except (OSError, ImportError):
        index = -1
    return next((d for d in devices if d.index == index), devices[0])


def supported_rates(device: Device, kind: str) -> list[int]:
    """Which of the common sample rates `device` accepts for `kind` streams."""
    import sounddevice as sd
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    rates = []
    for rate in COMMON_RATES:
        try:
            check(device=device.index, samplerate=rate, channels=1, dtype="int16")
            rates.append(rate)
        except Exception:  # noqa: BLE001 - PortAudio reports unsupported settings with several exception types
            continue
    return rates
