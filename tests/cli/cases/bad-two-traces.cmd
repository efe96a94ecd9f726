data/wrap.jsonl data/sleep.jsonl
