data/viol-sleep-in-atomic.jsonl
