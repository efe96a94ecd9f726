data/viol-stack-overflow.jsonl
