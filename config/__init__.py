"""Settings built once at start-up; nothing else reads the environment."""

from config.settings import MissingSetting, Settings, load_settings

__all__ = ["MissingSetting", "Settings", "load_settings"]
