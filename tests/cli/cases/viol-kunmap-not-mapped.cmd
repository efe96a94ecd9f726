data/viol-kunmap-not-mapped.jsonl
