"""Speech in and out: voice activity, wake phrase, transcription, voices and earcons."""
