"""Voice engines behind the Voice protocol of assistant.speech.tts; each imports its engine lazily."""
