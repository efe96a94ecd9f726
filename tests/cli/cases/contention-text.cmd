data/contention.jsonl
