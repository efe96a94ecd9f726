data/sleep.jsonl
