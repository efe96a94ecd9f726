data/no-such-trace.jsonl
