data/viol-unmap-not-mapped.jsonl
