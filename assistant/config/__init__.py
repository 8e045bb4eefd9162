"""config.yaml → frozen, typed settings; every mistake is reported as `file:line: key: problem`.

`sections` holds what can be set, `values` checks one value, `loading` finds and reads the file.
"""

from assistant.config.loading import default_config_path, expand_path, load_settings
from assistant.config.sections import (
    AudioSettings,
    JournalSettings,
    ListenSettings,
    NightSettings,
    PracticesSettings,
    SafetySettings,
    Settings,
    SttSettings,
    TtsSettings,
    WakeSettings,
)

__all__ = ["AudioSettings", "JournalSettings", "ListenSettings", "NightSettings", "PracticesSettings",
           "SafetySettings", "Settings", "SttSettings", "TtsSettings", "WakeSettings", "default_config_path",
           "expand_path", "load_settings"]
