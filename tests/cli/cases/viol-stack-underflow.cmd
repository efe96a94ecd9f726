data/viol-stack-underflow.jsonl
