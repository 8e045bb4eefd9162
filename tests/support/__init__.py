"""What tests share with each other and with the benches: scoring transcripts, measuring memory, speech out."""
