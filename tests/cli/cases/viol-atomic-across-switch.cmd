data/viol-atomic-across-switch.jsonl
