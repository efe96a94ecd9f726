data/viol-fork-held.jsonl
