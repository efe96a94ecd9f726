data/viol-pkmap-count-underflow.jsonl
