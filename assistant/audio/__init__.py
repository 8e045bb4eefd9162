"""Audio in and out: 16 kHz mono int16 frames inside, any device or WAV outside."""
