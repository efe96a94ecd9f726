data/bad-unknown-op.jsonl
